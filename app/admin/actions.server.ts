// The detail page's actions: "query ECPay now" and "retry delivery to Shopify". Both look the
// payment up by (shop, method) first, so a merchant can only act on their own rows.
import { err, ok, type Result } from "neverthrow";
import { encodeFormBody } from "../ecpay/form-body";
import type { EcpayError } from "../ecpay/types";
import { credentialsForAttempt } from "../payments/bindings.server";
import type { Deps } from "../payments/deps.server";
import { pauseQueries, processQueryPause, queriesPaused } from "../payments/ecpay-query-pause.server";
import type { MerchantTradeNo, OutboxMessageId, PaymentId, ShopDomain } from "../payments/ids";
import type { MethodHandle } from "../payments/methods";
import { isPaymentFinal } from "../payments/payment-state";
import { settleFromTradeQuery, type QuerySettlement } from "../payments/use-cases/settle-from-query.server";
import { deliverSoon } from "./configure.server";

export type QueryFailure =
  | { kind: "not-found" }
  | { kind: "no-credentials"; merchantId: string }
  /** ECPay answered a query with HTTP 403: no query leaves this process before `until`. */
  | { kind: "paused"; until: Date }
  | { kind: "ecpay"; error: EcpayError };

export interface QueryAnswer {
  merchantTradeNo: string;
  tradeStatus: string;
  tradeNo: string;
  tradeAmt: number;
  /** When ECPay's answer settled a payment still waiting for its notification. */
  settlement: QuerySettlement | null;
}

/** The outcome recorded for a query answer, in the notification log's vocabulary. */
export function queryOutcome(tradeStatus: string): string {
  if (tradeStatus === "1") return "QUERY_PAID";
  if (tradeStatus === "0") return "QUERY_UNPAID";
  if (tradeStatus === "10200095") return "QUERY_FAILED";
  if (tradeStatus === "10200047") return "QUERY_NOT_FOUND";
  return `QUERY_STATUS_${tradeStatus.replace(/[^A-Za-z0-9]/g, "").slice(0, 20)}`;
}

/**
 * Ask ECPay for the trade's state now (QueryTradeInfo) and record the answer in the notification
 * log (channel QUERY). If ECPay says paid or failed while we still wait for its notification, the
 * payment is settled the way the reconciler does it (settleFromTradeQuery). It honours the
 * process's 403 pause like every other query: a merchant's click must not prolong ECPay's throttle.
 */
export async function queryEcpayNow(
  deps: Deps,
  shop: ShopDomain,
  method: MethodHandle,
  paymentId: PaymentId,
  merchantTradeNo?: MerchantTradeNo,
): Promise<Result<QueryAnswer, QueryFailure>> {
  const session = await deps.db.paymentSession.findFirst({
    where: { id: paymentId, shop, method },
    include: { attempts: { orderBy: { createdAt: "desc" } } },
  });
  const attempt = merchantTradeNo ? session?.attempts.find((a) => a.merchantTradeNo === merchantTradeNo) : session?.attempts[0];
  if (!session || !attempt) return err({ kind: "not-found" });
  const credentials = await credentialsForAttempt(deps.db, deps.secrets, attempt, shop);
  if (!credentials) return err({ kind: "no-credentials", merchantId: attempt.merchantId });
  const now = deps.now();
  if (queriesPaused(processQueryPause, now)) return err({ kind: "paused", until: new Date(processQueryPause.until) });
  const answer = await deps.ecpay.queryTradeInfo(credentials, attempt.merchantTradeNo);
  if (answer.isErr()) {
    if (answer.error.kind !== "rate-limited") return err({ kind: "ecpay", error: answer.error });
    pauseQueries(processQueryPause, now);
    return err({ kind: "paused", until: new Date(processQueryPause.until) });
  }
  const info = answer.value;
  await deps.db.ecpayNotification.create({
    data: {
      channel: "QUERY",
      method,
      merchantTradeNo: attempt.merchantTradeNo,
      rawBody: encodeFormBody(info.fields),
      signatureValid: true,
      outcome: queryOutcome(info.tradeStatus),
    },
  });
  const waiting = (attempt.status === "CREATED" || attempt.status === "ISSUED") && !isPaymentFinal(session.status);
  const settles = info.tradeStatus === "1" || info.tradeStatus === "10200095";
  // An ISSUED ATM attempt is settled like an unanswered one, as the reconciler does.
  const { attempts: _attempts, ...sessionRow } = session;
  const settlement = waiting && settles ? await settleFromTradeQuery(deps, { ...attempt, status: "CREATED" }, sessionRow) : null;
  return ok({ merchantTradeNo: info.merchantTradeNo, tradeStatus: info.tradeStatus, tradeNo: info.tradeNo, tradeAmt: info.tradeAmt, settlement });
}

export type RetryFailure = "not-found" | "delivered" | "in-flight";

/** Make an undelivered Shopify mutation of this payment due now and wake delivery. */
export async function retryShopifyDelivery(
  deps: Deps,
  shop: ShopDomain,
  method: MethodHandle,
  paymentId: PaymentId,
  messageId: OutboxMessageId,
): Promise<Result<void, RetryFailure>> {
  const session = await deps.db.paymentSession.findFirst({
    where: { id: paymentId, shop, method },
    select: { id: true, operations: { select: { id: true } } },
  });
  if (!session) return err("not-found");
  const subjects = [session.id, ...session.operations.map((o) => o.id)];
  const message = await deps.db.outboxMessage.findFirst({ where: { id: messageId, shop, method, subjectId: { in: subjects } } });
  if (!message) return err("not-found");
  if (message.status === "DELIVERED") return err("delivered");
  const now = deps.now();
  const { count } = await deps.db.outboxMessage.updateMany({
    where: { id: message.id, status: { not: "DELIVERED" }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    data: { status: "PENDING", nextAttemptAt: now },
  });
  if (count === 0) return err("in-flight");
  await deliverSoon(deps);
  return ok(undefined);
}
