// Ask ECPay (QueryTradeInfo, server to server, signed answer) what happened to an attempt, and
// settle it exactly as a notification would (applyEcpayOutcome). Used when the buyer returns without
// a notification having arrived, by the reconciler for notifications that never come, and by the
// merchant's "query ECPay now". For an ATM attempt whose PaymentInfoURL was lost, QueryPaymentInfo
// recovers the account so Shopify hears it is pending.
import type { PaymentAttempt, PaymentSession } from "@prisma/client";
import { err, ok, type Result } from "neverthrow";
import { encodeFormBody } from "../../ecpay/form-body";
import { paymentInfoOutcome, tradeQueryOutcome, type TradeQueryOutcome } from "../../ecpay/outcomes";
import type { EcpayError } from "../../ecpay/types";
import { applyEcpayOutcome, type AppliedOutcome } from "../apply-outcome.server";
import { credentialsForAttempt } from "../bindings.server";
import type { Deps } from "../ports";

/** "rate-limited": ECPay answered 403; ask nothing more for a while (the reconciler pauses). */
export type QuerySettlement = "settled" | "issued" | "unpaid" | "failed" | "error" | "rate-limited";

export interface QueryOptions {
  /** The caller already stamped lastQueriedAt when it claimed the attempt (the reconciler). */
  claimed?: boolean;
  /**
   * The merchant asked ("query ECPay now"): the answer is kept on the timeline whatever it says,
   * and the schedule of the automatic queries (lastQueriedAt) is left as it was.
   */
  byMerchant?: boolean;
}

/** Why no answer could be applied. */
export type TradeQueryProblem = { kind: "no-credentials" } | { kind: "ecpay"; error: EcpayError };

export interface TradeQueryAnswer {
  outcome: TradeQueryOutcome;
  applied: AppliedOutcome;
}

/** One QueryTradeInfo about the attempt, its answer applied. */
export async function queryTrade(
  deps: Deps,
  attempt: PaymentAttempt,
  session: PaymentSession,
  options: QueryOptions = {},
): Promise<Result<TradeQueryAnswer, TradeQueryProblem>> {
  if (!options.claimed && !options.byMerchant) {
    await deps.db.paymentAttempt.update({ where: { merchantTradeNo: attempt.merchantTradeNo }, data: { lastQueriedAt: deps.now() } });
  }
  const credentials = await credentialsForAttempt(deps.db, deps.secrets, attempt, session.shop);
  if (!credentials) return err({ kind: "no-credentials" });
  const answer = await deps.ecpay.queryTradeInfo(credentials, attempt.merchantTradeNo);
  if (answer.isErr()) return err({ kind: "ecpay", error: answer.error });
  const outcome = tradeQueryOutcome(answer.value);
  const applied = await applyEcpayOutcome(deps, {
    attempt,
    session,
    outcome,
    message: { channel: "QUERY", rawBody: encodeFormBody(answer.value.fields), keepUnchanged: options.byMerchant ?? false },
  });
  return ok({ outcome, applied });
}

const failure = (problem: TradeQueryProblem): QuerySettlement =>
  problem.kind === "ecpay" && problem.error.kind === "rate-limited" ? "rate-limited" : "error";

/** The reconciler's and the waiting page's view of a query: what it settled. */
export async function settleFromTradeQuery(
  deps: Deps,
  attempt: PaymentAttempt,
  session: PaymentSession,
  options: QueryOptions = {},
): Promise<QuerySettlement> {
  const answer = await queryTrade(deps, attempt, session, options);
  if (answer.isErr()) return failure(answer.error);
  const { outcome, applied } = answer.value;
  if (outcome.kind === "paid") return applied === "AMOUNT_MISMATCH" ? "error" : "settled";
  if (outcome.kind === "not-completed") return "failed";
  return "unpaid";
}

/**
 * An unpaid ATM attempt we never heard PaymentInfoURL for: ask ECPay for the account it issued
 * (QueryPaymentInfo, signed answer) and settle it as the lost message would have: the account is
 * stored and Shopify gets paymentSessionPending with the deadline. "unpaid" when ECPay has no
 * account to report (not issued yet, or already paid: QueryTradeInfo settles that).
 */
export async function settleFromPaymentInfoQuery(deps: Deps, attempt: PaymentAttempt, session: PaymentSession): Promise<QuerySettlement> {
  const credentials = await credentialsForAttempt(deps.db, deps.secrets, attempt, session.shop);
  if (!credentials) return "error";
  const answer = await deps.ecpay.queryPaymentInfo(credentials, attempt.merchantTradeNo);
  if (answer.isErr()) return failure({ kind: "ecpay", error: answer.error });
  const outcome = paymentInfoOutcome(answer.value);
  if (outcome.kind !== "pending-account-issued") return "unpaid";
  const applied = await applyEcpayOutcome(deps, { attempt, session, outcome, message: { channel: "QUERY", rawBody: encodeFormBody(answer.value.fields) } });
  return applied === "AMOUNT_MISMATCH" ? "error" : "issued";
}
