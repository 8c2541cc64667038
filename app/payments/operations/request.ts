// The refund, capture and void session requests Shopify sends (docs/shopify-payments-apps.md
// §2.1, §2.4), validated with zod. Pure.
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import { refusal, type HttpRefusal } from "../../lib/refusal";
import { describeHeaderIssues, readShopifyHeaders } from "../shopify-requests";
import type { OperationType } from "./types";

/** Every problem with a session request is a 400 naming the field. */
export type OperationRequestProblem = HttpRefusal & { status: 400 };

export interface OperationRequest {
  type: OperationType;
  shop: string;
  requestId: string;
  apiVersion: string;
  id: string;
  gid: string;
  paymentId: string;
  /** Refund and capture: Shopify's decimal string, exactly as sent. Void: null. */
  amountRaw: string | null;
  currency: string | null;
  test: boolean;
  merchantLocale: string | null;
  proposedAt: Date;
}

const GID_PREFIX: Record<OperationType, string> = {
  refund: "gid://shopify/RefundSession/",
  capture: "gid://shopify/CaptureSession/",
  void: "gid://shopify/VoidSession/",
};

const commonBody = {
  id: z.string().trim().min(1).max(255),
  payment_id: z.string().trim().min(1).max(255),
  test: z.boolean().default(false),
  merchant_locale: z.string().max(35).nullish(),
  proposed_at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO 8601 date-time"),
};

const moneyBody = {
  amount: z.string().regex(/^\d+(\.\d+)?$/, "must be a decimal string such as \"1200.00\""),
  currency: z.string().regex(/^[A-Za-z]{3}$/, "must be an ISO 4217 currency code"),
};

const gidFor = (type: OperationType) => z.string().startsWith(GID_PREFIX[type], `must start with ${GID_PREFIX[type]}`);

/** The body as one shape: `money` is null for a void (it carries no amount, §2.4). */
function bodySchema(type: OperationType) {
  if (type === "void") return z.object({ ...commonBody, gid: gidFor(type) }).transform((body) => ({ ...body, money: null }));
  return z
    .object({ ...commonBody, ...moneyBody, gid: gidFor(type) })
    .transform(({ amount, currency, ...rest }) => ({ ...rest, money: { amountRaw: amount, currency: currency.toUpperCase() } }));
}

function describe(error: z.ZodError, prefix: string): string {
  return error.issues.map((issue) => `${prefix}${issue.path.map(String).join(".") || "body"} ${issue.message}`).join("; ");
}

const malformed = (message: string) => refusal(400, "MALFORMED", message);

/** Headers and JSON body of one session request; every problem is a 400 naming the field. */
export function parseOperationRequest(type: OperationType, headers: Headers, rawBody: string): Result<OperationRequest, OperationRequestProblem> {
  const head = readShopifyHeaders(headers);
  if (!head.success) return err(malformed(describeHeaderIssues(head.error)));
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return err(malformed("the body is not JSON"));
  }
  const body = bodySchema(type).safeParse(json);
  if (!body.success) return err(malformed(describe(body.error, "body.")));
  const value = body.data;
  const money = value.money ?? { amountRaw: null, currency: null };
  return ok({
    type,
    shop: head.data.shop,
    requestId: head.data.requestId,
    apiVersion: head.data.apiVersion,
    id: value.id,
    gid: value.gid,
    paymentId: value.payment_id,
    ...money,
    test: value.test,
    merchantLocale: value.merchant_locale ?? null,
    proposedAt: new Date(value.proposed_at),
  });
}
