// "Capture automatically at checkout" (manual §3-2): a paid card sale is only authorized at
// ECPay until it is closed (DoAction C). The notification handler marks the attempt
// closePending; this step closes it. Each trade is closed under its close lease
// (close-lease.server.ts), so several server instances never close one trade twice.
import type { PaymentAttempt, PaymentSession } from "@prisma/client";
import type { EcpayError } from "../../ecpay/types";
import { creditCheckCode, productionCredentials } from "../bindings.server";
import type { Deps } from "../ports";
import { doActionPausedUntil } from "./close-window";
import { cardStateFromEcpay } from "./plan";
import { claimPendingClose, closeDue, CLOSE_RETRY_MS } from "./close-lease.server";
import { capturedAmountOf } from "./rules";
import { authorizedAmountOf, bindingForTrade } from "./trade.server";
import type { CardState } from "./types";
import { log } from "../../lib/log.server";

const ERROR_RETRY_MS = 5_000;

export interface CloseReport {
  /** DoAction C succeeded (or an earlier unanswered C turned out to have worked). */
  closed: number;
  /** Test sessions: marked closed without calling ECPay (its stage has no DoAction). */
  simulated: number;
  /** ECPay unreachable or busy: closeError set, tried again later. */
  retried: number;
  /** ECPay refused, or nothing to close with: closeError set, closePending cleared. */
  failed: number;
  /** Waiting for ECPay's 20:15–20:30 close window to pass. */
  deferred: number;
}

type Candidate = PaymentAttempt & { paymentSession: PaymentSession };
type Result = keyof CloseReport;

export async function processPendingCloses(deps: Deps, options: { limit?: number } = {}): Promise<CloseReport> {
  const report: CloseReport = { closed: 0, simulated: 0, retried: 0, failed: 0, deferred: 0 };
  const now = deps.now();
  const candidates = await deps.db.paymentAttempt.findMany({
    where: closeDue(now),
    orderBy: { updatedAt: "asc" },
    take: options.limit ?? 20,
    include: { paymentSession: true },
  });
  const paused = doActionPausedUntil(now) !== null;
  for (const candidate of candidates) {
    const production = !(candidate.stage || candidate.paymentSession.test);
    if (paused && production) {
      report.deferred += 1;
      continue;
    }
    if (!(await claimPendingClose(deps, candidate, now))) continue;
    let result: Result;
    try {
      result = await closeOne(deps, candidate, production);
    } catch (error) {
      log().error({ merchantTradeNo: candidate.merchantTradeNo, err: error }, "card close failed; retrying shortly");
      // The C may have gone out before the failure: mark it unknown so the retry looks first,
      // and make it due again in a few seconds (a database hiccup is usually brief).
      await deps.db.paymentAttempt
        .update({
          where: { merchantTradeNo: candidate.merchantTradeNo },
          data: {
            cardState: "AUTHORIZED",
            closePending: true,
            closeError: "indeterminate: internal error, retrying",
            updatedAt: new Date(deps.now().getTime() - CLOSE_RETRY_MS + ERROR_RETRY_MS),
          },
        })
        .catch(() => undefined);
      result = "retried";
    }
    report[result] += 1;
  }
  return report;
}

async function settle(
  deps: Deps,
  attempt: Pick<PaymentAttempt, "merchantTradeNo">,
  data: { cardState: CardState; closePending: boolean; closeError: string | null },
): Promise<void> {
  await deps.db.paymentAttempt.update({ where: { merchantTradeNo: attempt.merchantTradeNo }, data: { ...data, updatedAt: deps.now() } });
}

const failed = (reason: string) => ({ cardState: "AUTHORIZED" as const, closePending: false, closeError: reason });

async function closeOne(deps: Deps, attempt: Candidate, production: boolean): Promise<Result> {
  if (!production) {
    await settle(deps, attempt, { cardState: "CLOSE_REQUESTED", closePending: false, closeError: null });
    return "simulated";
  }
  const payment = attempt.paymentSession;
  const binding = await bindingForTrade(deps.db, payment.shop, payment.method, attempt.merchantId);
  if (!binding) {
    await settle(deps, attempt, failed("no ECPay account is bound for this shop"));
    return "failed";
  }
  if (!attempt.tradeNo) {
    await settle(deps, attempt, failed("the attempt has no ECPay TradeNo"));
    return "failed";
  }
  const credentials = productionCredentials(deps.secrets, binding);
  const amount = capturedAmountOf(payment) - payment.refundedAmount || authorizedAmountOf(attempt);

  // An earlier C went unanswered: look before closing again, when we can.
  const checkCode = creditCheckCode(deps.secrets, binding);
  if (attempt.closeError?.startsWith("indeterminate") && checkCode && attempt.gwsr) {
    const queried = await deps.ecpay.queryCreditDetail(credentials, {
      creditRefundId: attempt.gwsr,
      creditAmount: authorizedAmountOf(attempt),
      creditCheckCode: checkCode,
    });
    if (queried.isOk()) {
      const state = cardStateFromEcpay(queried.value.status);
      if (state === "CLOSE_REQUESTED" || state === "CLOSED") {
        await settle(deps, attempt, { cardState: state, closePending: false, closeError: null });
        return "closed";
      }
      if (state !== "AUTHORIZED") {
        await settle(deps, attempt, failed(`ECPay trade status ${queried.value.status}: nothing to close`));
        return "failed";
      }
    }
  }

  const answer = await deps.ecpay.doAction(credentials, { merchantTradeNo: attempt.merchantTradeNo, tradeNo: attempt.tradeNo, action: "C", totalAmount: amount });
  if (answer.isOk()) {
    await settle(deps, attempt, { cardState: "CLOSE_REQUESTED", closePending: false, closeError: null });
    return "closed";
  }
  return closeFailed(deps, attempt, answer.error);
}

async function closeFailed(deps: Deps, attempt: Candidate, error: EcpayError): Promise<Result> {
  const resumed = attempt.closeError?.startsWith("indeterminate") ?? false;
  const closeError = resumed && error.kind === "not-allowed"
    ? `${error.kind}: an earlier close got no answer and may have gone through; check the trade in ECPay's back office (${error.message})`
    : `${error.kind}: ${error.message}`;
  if (error.kind === "indeterminate" || error.kind === "rate-limited") {
    await settle(deps, attempt, { cardState: "AUTHORIZED", closePending: true, closeError });
    return "retried";
  }
  // Refused for good (wrong keys, the 21-day limit, a rule): the admin shows closeError.
  await settle(deps, attempt, failed(closeError));
  return "failed";
}
