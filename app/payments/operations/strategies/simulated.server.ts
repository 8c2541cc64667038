// Test mode: ECPay's stage has no DoAction (ecpay-aio §4.1), so a test session's operation is
// completed without calling ECPay and recorded as simulated (the admin shows it so).
import { simulatedCardState } from "../card-state";
import { asCardState } from "../types";
import type { OperationContext, OperationStrategy } from "./context";

export const simulatedStrategy: OperationStrategy<OperationContext> = {
  name: "simulated",
  execute({ run, decision, attempt }) {
    run.log.push({ at: run.now(), call: "simulated", note: "test session: ECPay stage has no DoAction, nothing was sent" });
    const cardState = attempt ? simulatedCardState(run.type, decision.full, asCardState(attempt.cardState)) : null;
    return run.succeed(decision.amount, { simulated: true, attempt: attempt ? { merchantTradeNo: attempt.merchantTradeNo, cardState } : null });
  },
};
