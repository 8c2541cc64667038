// What every ECPay strategy shares once it has its plan: record an operation found done, reject,
// wait, or walk the DoAction steps (execute-plan.ts) and turn ECPay's answer into the outcome.
import type { EcpayError } from "../../../ecpay/types";
import { chaosPoint } from "../../../lib/chaos.server";
import { doneState } from "../card-state";
import { executePlan } from "../execute-plan";
import { clsamtBeforeUnresolvedRefund, type OperationPlan, type PlanInput } from "../plan";
import { capturedAmountOf } from "../rules";
import type { Outcome } from "../run.server";
import type { CardState, Rejection } from "../types";
import type { CardContext } from "./context";

/** The planner's input (plan.ts) for this context. */
export function planInputOf(ctx: CardContext): PlanInput {
  const { run, decision, trade, unresolved } = ctx;
  return {
    type: run.type,
    amount: decision.amount,
    full: decision.full,
    authorized: ctx.authorized,
    captured: capturedAmountOf(run.payment),
    refunded: run.payment.refundedAmount,
    unionPay: trade.unionPay,
    view: ctx.view,
    unresolved,
    clsamtBeforeUnresolved: unresolved === "R" ? clsamtBeforeUnresolvedRefund(run.log) : null,
  };
}

export interface PlanOptions {
  /** A strategy's own reading of a refusal (capture: ECPay's "too late"); null for the common one. */
  refusal?: (error: EcpayError) => Rejection | null;
  /** Refunds: a failure after E gave a captured sale's close up closes it again. */
  reclose: boolean;
}

export async function followPlan(ctx: CardContext, plan: OperationPlan, options: PlanOptions): Promise<Outcome> {
  const { run, decision, trade, unresolved } = ctx;
  const tradeRef = (cardState: CardState | null) => ({ merchantTradeNo: trade.merchantTradeNo, cardState });
  switch (plan.kind) {
    case "done":
      return run.succeed(decision.amount, { simulated: false, attempt: tradeRef(doneState(run.type, decision.full, ctx.startState)) });
    case "reject":
      return run.reject(plan.rejection);
    case "wait":
      return run.retry({ kind: "indeterminate", message: plan.reason }, unresolved === "R");
    case "run":
      break;
  }

  const result = await executePlan({
    gateway: run.deps.ecpay,
    credentials: ctx.credentials,
    trade: { merchantTradeNo: trade.merchantTradeNo, tradeNo: trade.tradeNo },
    startState: ctx.startState,
    log: run.log,
    now: () => run.now(),
    persist: (cardState) => {
      // A DoAction succeeded and nothing recorded it yet: the worst moment to crash.
      if (cardState !== undefined) chaosPoint("operation-done-at-ecpay", `${run.type} ${run.op.id}`);
      return run.saveLog(cardState === undefined ? undefined : tradeRef(cardState));
    },
  }, plan.first);
  if (result.ok) return run.succeed(decision.amount, { simulated: false, attempt: tradeRef(result.state) });

  const { error } = result;
  const failed = { merchantTradeNo: trade.merchantTradeNo, reclose: options.reclose && result.state === "AUTHORIZED" && capturedAmountOf(run.payment) > 0 };
  switch (error.kind) {
    case "indeterminate":
      if (result.action === "R" && !ctx.canQuery) return run.reject({ code: "PROCESSING_ERROR", message: "operation.unknownOutcome" }, failed);
      return run.retry(error, result.action === "R");
    case "rate-limited":
      return run.retry(error, false);
    case "wrong-credentials":
      return run.reject({ code: "PROCESSING_ERROR", message: "operation.ecpayWrongCredentials" }, failed);
    default: {
      const rejection: Rejection =
        unresolved !== null
          ? { code: "PROCESSING_ERROR", message: "operation.unknownOutcome" }
          : (options.refusal?.(error) ?? { code: "PROCESSING_ERROR", message: "operation.ecpayRefused", vars: { detail: error.message } });
      return run.reject(rejection, failed);
    }
  }
}
