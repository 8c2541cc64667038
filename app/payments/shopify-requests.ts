// What Shopify sends to the payment session endpoint (docs/shopify-payments-apps.md §2.1–§2.2),
// validated before anything is stored.
import { z } from "zod";
import { outsideUrlProblem } from "./outside-url";

export const shopifyRequestHeaders = z.object({
  shop: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i, "must be a permanent myshopify.com domain")
    .transform((shop) => shop.toLowerCase()),
  requestId: z.string().trim().min(1, "is required").max(255),
  apiVersion: z.string().regex(/^(\d{4}-\d{2}|unstable)$/, "must be an API version such as 2026-07"),
});

const HEADER_NAMES = { shop: "Shopify-Shop-Domain", requestId: "Shopify-Request-Id", apiVersion: "Shopify-Api-Version" };

/** "header Shopify-Shop-Domain must be …; …" */
export function describeHeaderIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `header ${HEADER_NAMES[issue.path[0] as keyof typeof HEADER_NAMES] ?? String(issue.path[0])} ${issue.message}`)
    .join("; ");
}

export type ShopifyRequestHeaders = z.infer<typeof shopifyRequestHeaders>;

export function readShopifyHeaders(headers: Headers) {
  return shopifyRequestHeaders.safeParse({
    shop: headers.get("shopify-shop-domain") ?? "",
    requestId: headers.get("shopify-request-id") ?? "",
    apiVersion: headers.get("shopify-api-version") ?? "",
  });
}

/** A URL the buyer is sent to: absolute https on a DNS host (outside-url.ts says why not on myshopify.com only). */
const buyerUrl = z
  .string()
  .max(2048)
  .superRefine((value, ctx) => {
    const problem = outsideUrlProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const address = z
  .object({
    given_name: z.string().nullish(),
    family_name: z.string().nullish(),
    line1: z.string().nullish(),
    line2: z.string().nullish(),
    city: z.string().nullish(),
    postal_code: z.string().nullish(),
    province: z.string().nullish(),
    province_code: z.string().nullish(),
    country_code: z.string().nullish(),
    phone_number: z.string().nullish(),
    company: z.string().nullish(),
  })
  .partial();

export const paymentSessionRequest = z
  .object({
    id: z.string().min(1).max(64),
    gid: z.string().regex(/^gid:\/\/shopify\/PaymentSession\/[^/]+$/),
    group: z.string().min(1).max(255),
    session_id: z.string().max(255).optional(),
    amount: z.union([z.string(), z.number()]).transform(String),
    currency: z.string().regex(/^[A-Z]{3}$/),
    test: z.boolean(),
    merchant_locale: z.string().max(35).optional(),
    payment_method: z
      .object({
        type: z.string(),
        data: z.object({ cancel_url: buyerUrl }).partial().passthrough().optional(),
      })
      .passthrough()
      .optional(),
    cancel_url: buyerUrl.optional(),
    proposed_at: z.string().datetime({ offset: true }),
    customer: z
      .object({
        email: z.string().max(320).nullish(),
        phone_number: z.string().max(64).nullish(),
        locale: z.string().max(35).nullish(),
        billing_address: address.nullish(),
        shipping_address: address.nullish(),
      })
      .passthrough()
      .optional(),
    kind: z.enum(["sale", "authorization"]),
  })
  .passthrough()
  .refine((body) => Boolean(body.payment_method?.data?.cancel_url ?? body.cancel_url), {
    message: "payment_method.data.cancel_url is required",
    path: ["payment_method", "data", "cancel_url"],
  });

export type PaymentSessionRequest = z.infer<typeof paymentSessionRequest>;

export function cancelUrlOf(body: PaymentSessionRequest): string {
  return (body.payment_method?.data?.cancel_url ?? body.cancel_url)!;
}

/**
 * Shopify's checkout token from the session's cancel URL (…/checkouts/<kind>/<token>/…), when
 * present: the one reference of the checkout both the buyer and the merchant see before an order exists.
 */
export function checkoutReference(cancelUrl: string): string | null {
  const match = /\/checkouts\/(?:[a-z]{1,3}\/)?([A-Za-z0-9_-]{6,})/.exec(cancelUrl);
  return match?.[1] ?? null;
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
}
