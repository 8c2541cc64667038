// POST /payments/<m>/session: validate, persist (idempotent on Shopify's id), answer the redirect URL.
// Amounts we cannot charge (not TWD, not whole) are accepted and rejected through Shopify, so the
// buyer sees a clear failure instead of Shopify retrying; they are never rounded.
import { err, ok, type Result } from "neverthrow";
import type { Insertable } from "kysely";
import type { PaymentSession, ShopInstallation } from "@prisma/client";
import { inTransaction, sqlOf } from "../../lib/prisma-client.server";
import type { Database } from "../../lib/sql-schema";
import { bilingual } from "../../i18n";
import { enqueue, notifyOutbox } from "../outbox.server";
import { chaosPoint } from "../../lib/chaos.server";
import { logPaymentEvent } from "../../lib/log.server";
import type { Deps } from "../ports";
import { PAYMENT_METHODS, type MethodHandle } from "../methods";
import { refusal, type HttpRefusal } from "../../lib/refusal";
import { isUniqueViolation } from "../unique-violation";
import {
  cancelUrlOf,
  describeHeaderIssues,
  describeIssues,
  paymentSessionRequest,
  readShopifyHeaders,
  type PaymentSessionRequest,
} from "../shopify-requests";
import { wholeTwd } from "../money";

/** Storing a session needs our records, the public URL (for the redirect) and the clock; Shopify is told later, through the outbox. */
export type StartPaymentSessionDeps = Pick<Deps, "db" | "config" | "now">;

/** Shopify refuses a resolve/reject before it has our 2xx; give it a moment. */
const AFTER_RESPONSE_MS = 1_500;

export function redirectUrlFor(appUrl: string, method: MethodHandle, paymentId: string): string {
  return `${appUrl}/pay/${method}/${encodeURIComponent(paymentId)}`;
}

type Unchargeable = { code: "INVALID_CURRENCY" | "INVALID_AMOUNT" | "PAYMENT_METHOD_UNSUPPORTED"; message: string };

function unchargeable(method: MethodHandle, body: PaymentSessionRequest): Unchargeable | null {
  if (body.currency !== "TWD") {
    return { code: "INVALID_CURRENCY", message: bilingual("payment.reject.currency", { currency: body.currency }) };
  }
  if (wholeTwd(body.amount) === null) {
    return { code: "INVALID_AMOUNT", message: bilingual("payment.reject.amount", { amount: body.amount }) };
  }
  if (!PAYMENT_METHODS[method].kinds.includes(body.kind)) {
    return { code: "PAYMENT_METHOD_UNSUPPORTED", message: bilingual("payment.reject.kind", { kind: body.kind }) };
  }
  // ECPay's stage does not offer the method (UnionPay, ecpay-aio: error 10200141): a test session
  // could only end on ECPay's error page, so Shopify is told why at once.
  if (body.test && PAYMENT_METHODS[method].stageTest === "unavailable") {
    return { code: "PAYMENT_METHOD_UNSUPPORTED", message: bilingual("payment.reject.stageUnsupported") };
  }
  return null;
}

export async function startPaymentSession(
  deps: StartPaymentSessionDeps,
  method: MethodHandle,
  request: { headers: Headers; body: unknown },
): Promise<Result<{ redirectUrl: string }, HttpRefusal>> {
  const headers = readShopifyHeaders(request.headers);
  if (!headers.success) return refused(method, null, null, refusal(400, "MALFORMED", describeHeaderIssues(headers.error)));
  const parsed = paymentSessionRequest.safeParse(request.body);
  if (!parsed.success) {
    return refused(method, headers.data.shop, null, refusal(400, "MALFORMED", `Invalid payment session: ${describeIssues(parsed.error)}`));
  }
  const body = parsed.data;
  const shop = headers.data.shop;
  const redirectUrl = redirectUrlFor(deps.config.appUrl, method, body.id);

  // The common path is one lookup and one insert, in Kysely (README "Data layer"). A retry
  // (Shopify resends until it has our 2xx) is recognised by the insert's unique violation, or
  // below when the shop can no longer take new sessions.
  const sql = sqlOf(deps.db);
  const stored = async () => {
    const row = await sql.selectFrom("PaymentSession").select(["id", "shop", "method"]).where("id", "=", body.id).executeTakeFirst();
    return row ? replay(row, method, shop, redirectUrl) : null;
  };
  const installation = await sql
    .selectFrom("ShopInstallation")
    .select(["status", "bindingId"])
    .where("method", "=", method)
    .where("shop", "=", shop)
    .executeTakeFirst();
  if (!installation || installation.status !== "INSTALLED" || !installation.bindingId) {
    return (await stored()) ?? refused(method, shop, body.id, refusal(403, installation?.status === "INSTALLED" ? "NOT_BOUND" : "NOT_INSTALLED", await refusalReason(deps, method, shop, installation)));
  }

  const problem = unchargeable(method, body);
  const customer = body.customer ?? null;
  const now = new Date();
  const data = {
    id: body.id,
    gid: body.gid,
    method,
    shop,
    group: body.group,
    amount: problem ? null : wholeTwd(body.amount),
    amountRaw: body.amount,
    currency: body.currency,
    kind: body.kind === "authorization" ? "AUTHORIZATION" : "SALE",
    test: body.test,
    cancelUrl: cancelUrlOf(body),
    merchantLocale: body.merchant_locale ?? null,
    customer: customer ? JSON.stringify(customer) : null,
    customerEmail: customer?.email ? customer.email.toLowerCase() : null,
    proposedAt: new Date(body.proposed_at),
    status: problem ? "REJECTED" : "RECEIVED",
    rejectCode: problem?.code ?? null,
    merchantMessage: problem?.message ?? null,
    createdAt: now,
    updatedAt: now,
  } satisfies Insertable<Database["PaymentSession"]>;
  try {
    if (problem) {
      await inTransaction(deps.db, async (tx) => {
        await tx.insertInto("PaymentSession").values(data).execute();
        await enqueue(tx, {
          shop,
          method,
          mutation: "paymentSessionReject",
          subjectId: body.id,
          variables: { id: body.gid, reason: { code: problem.code, merchantMessage: problem.message } },
          notBefore: new Date(deps.now().getTime() + AFTER_RESPONSE_MS),
        });
      });
    } else {
      // One row is one statement, atomic on its own: a transaction would add BEGIN and COMMIT.
      await sql.insertInto("PaymentSession").values(data).execute();
    }
  } catch (error) {
    // A retry, or two deliveries of the same request racing: the session is already stored.
    if (isUniqueViolation(error)) {
      const replayed = await stored();
      if (replayed) return replayed;
    }
    throw error;
  }
  chaosPoint("session-stored", body.id);
  logPaymentEvent("session.stored", { shop, method, paymentId: body.id, test: body.test, outcome: problem ? `rejected ${problem.code}` : "received" });
  if (problem) setTimeout(notifyOutbox, AFTER_RESPONSE_MS + 50).unref();
  return ok({ redirectUrl });
}

function refused(method: MethodHandle, shop: string | null, paymentId: string | null, error: HttpRefusal) {
  logPaymentEvent("session.refused", { method, ...(shop && { shop }), ...(paymentId && { paymentId }), httpStatus: error.status, reason: error.message.slice(0, 300) });
  return err(error);
}

/** Why a shop cannot take new sessions for this app: unknown shop, app not installed, or no ECPay binding. */
async function refusalReason(deps: StartPaymentSessionDeps, method: MethodHandle, shop: string, installation: Pick<ShopInstallation, "status"> | undefined): Promise<string> {
  const vars = { shop, method };
  if (installation?.status === "INSTALLED") return bilingual("session.refuse.notBound", vars);
  // Only on the refusal path: the common path stays one lookup and one insert.
  const otherApp = await deps.db.shopInstallation.findFirst({ where: { shop, status: "INSTALLED" }, select: { method: true } });
  return bilingual(otherApp ? "session.refuse.notInstalled" : "session.refuse.unknownShop", vars);
}

function replay(existing: Pick<PaymentSession, "id" | "shop" | "method">, method: MethodHandle, shop: string, redirectUrl: string) {
  if (existing.shop !== shop || existing.method !== method) {
    return err(refusal(409, "CONFLICT", `Payment session ${existing.id} belongs to another shop or app`));
  }
  return ok({ redirectUrl });
}
