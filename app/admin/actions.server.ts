// The detail page's actions: "query ECPay now" and "retry delivery to Shopify". Both look the
// payment up by (shop, method) first, so a merchant can only act on their own rows.
import type { PaymentAttempt } from "@prisma/client";
import { err, ok, type Result } from "neverthrow";
import type { TradeQueryOutcome } from "../ecpay/outcomes";
import type { EcpayError } from "../ecpay/types";
import type { AppliedOutcome } from "../payments/apply-outcome.server";
import type { Deps } from "../payments/ports";
import { pauseQueries, processQueryPause, queriesPaused } from "../payments/ecpay-query-pause.server";
import type { MerchantTradeNo, OutboxMessageId, PaymentId, ShopDomain } from "../payments/ids";
import type { MethodHandle } from "../payments/methods";
import { queryTrade } from "../payments/use-cases/settle-from-query.server";
import { deliverSoon } from "../payments/outbox.server";

export type QueryFailure =
  | { kind: "not-found" }
  | { kind: "no-credentials"; merchantId: string }
  /** ECPay answered a query with HTTP 403: no query leaves this process before `until`. */
  | { kind: "paused"; until: Date }
  /** ECPay could not answer or refused; `reason` in the merchant's terms, `detail` ECPay's words. */
  | { kind: "ecpay"; reason: QueryErrorReason; detail: string };

export type QueryErrorReason = "wrong-credentials" | "unreachable" | "bad-signature" | "refused";

function errorReason(error: EcpayError): QueryErrorReason {
  switch (error.kind) {
    case "wrong-credentials":
      return "wrong-credentials";
    case "indeterminate":
      return "unreachable";
    case "bad-signature":
      return "bad-signature";
    default:
      return "refused";
  }
}

/**
 * ECPay's answer in the merchant's words (admin.detail.answer.*). "atm-issued" is an unpaid
 * answer about an ATM account we already hold: the buyer has not transferred yet.
 */
export type QueryVerdict = "paid" | "atm-issued" | "unpaid" | "not-completed" | "not-found" | "unrecognised";

/**
 * What the answer did to the payment: settled it (Shopify is told), closed the attempt as never
 * completed, recorded money that needs the merchant (a late, duplicate or simulated payment: the
 * flag says which), refused to settle an amount or payment id that does not match, or nothing.
 */
export type QueryEffect = "settled" | "closed-unpaid" | "flagged" | "mismatch" | "unchanged";

export interface QueryAnswer {
  merchantTradeNo: string;
  verdict: QueryVerdict;
  effect: QueryEffect;
  /** The ATM account on file, for an "atm-issued" answer. */
  atm: { bankCode: string; vAccount: string; expireDate: string | null } | null;
}

function effectOf(applied: AppliedOutcome): QueryEffect {
  switch (applied) {
    case "ACCEPTED":
      return "settled";
    case "FAILED_RECORDED":
      return "closed-unpaid";
    case "LATE_PAYMENT":
    case "DUPLICATE_PAYMENT":
    case "SIMULATED_IGNORED":
      return "flagged";
    case "AMOUNT_MISMATCH":
      return "mismatch";
    case "DUPLICATE":
    case "NOTHING_TO_SETTLE":
      return "unchanged";
  }
}

function verdictOf(outcome: TradeQueryOutcome, attempt: PaymentAttempt): QueryVerdict {
  switch (outcome.kind) {
    case "unpaid":
      return attempt.status === "ISSUED" && attempt.bankCode && attempt.vAccount ? "atm-issued" : "unpaid";
    default:
      return outcome.kind;
  }
}

/**
 * Ask ECPay for the trade's state now (one QueryTradeInfo) and apply its answer the way any other
 * message is applied (applyEcpayOutcome): a paid or never-completed trade still waiting for its
 * notification is settled, and the answer is kept on the timeline (channel QUERY) either way. It
 * honours the process's 403 pause like every other query: a merchant's click must not prolong
 * ECPay's throttle.
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
  const now = deps.now();
  if (queriesPaused(processQueryPause, now)) return err({ kind: "paused", until: new Date(processQueryPause.until) });
  const { attempts: _attempts, ...sessionRow } = session;
  const answer = await queryTrade(deps, attempt, sessionRow, { byMerchant: true });
  if (answer.isErr()) {
    const problem = answer.error;
    if (problem.kind === "no-credentials") return err({ kind: "no-credentials", merchantId: attempt.merchantId });
    if (problem.error.kind !== "rate-limited") return err({ kind: "ecpay", reason: errorReason(problem.error), detail: problem.error.message });
    pauseQueries(processQueryPause, now);
    return err({ kind: "paused", until: new Date(processQueryPause.until) });
  }
  const { outcome, applied } = answer.value;
  const verdict = verdictOf(outcome, attempt);
  return ok({
    merchantTradeNo: attempt.merchantTradeNo,
    verdict,
    effect: effectOf(applied),
    atm: verdict === "atm-issued" && attempt.bankCode && attempt.vAccount ? { bankCode: attempt.bankCode, vAccount: attempt.vAccount, expireDate: attempt.expireDate } : null,
  });
}

export type RetryFailure = "not-found" | "delivered" | "in-flight";

/** Make an undelivered Shopify mutation of this payment due now and wake delivery. */
/** Whether this payment is the merchant's own (shop and app): every action on it checks this first. */
export async function ownsPayment(deps: Pick<Deps, "db">, shop: ShopDomain, method: MethodHandle, paymentId: PaymentId): Promise<boolean> {
  return (await deps.db.paymentSession.count({ where: { id: paymentId, shop, method } })) === 1;
}

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
  await deliverSoon();
  return ok(undefined);
}
