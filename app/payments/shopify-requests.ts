// What Shopify sends to the payment session endpoint (docs/shopify-payments-apps.md §2.1–§2.2),
// validated before anything is stored.
import { z } from "zod";

const shopDomain = z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/);

export const shopifyRequestHeaders = z.object({
  shop: shopDomain,
  requestId: z.string().min(1).max(255),
  apiVersion: z.string().regex(/^(\d{4}-\d{2}|unstable)$/),
});

export type ShopifyRequestHeaders = z.infer<typeof shopifyRequestHeaders>;

export function readShopifyHeaders(headers: Headers) {
  return shopifyRequestHeaders.safeParse({
    shop: headers.get("shopify-shop-domain") ?? undefined,
    requestId: headers.get("shopify-request-id") ?? undefined,
    apiVersion: headers.get("shopify-api-version") ?? undefined,
  });
}

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
        data: z.object({ cancel_url: z.string().url().max(2048) }).partial().passthrough().optional(),
      })
      .passthrough()
      .optional(),
    cancel_url: z.string().url().max(2048).optional(),
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

/** Whole TWD from Shopify's decimal string ("1234.00" → 1234); null for anything else. Never rounds. */
export function wholeTwd(amount: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) return null;
  if (match[2] && /[1-9]/.test(match[2])) return null;
  const value = Number(match[1]);
  return value > 0 ? value : null;
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
}
