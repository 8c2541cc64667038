// Already done at ECPay: an earlier run carried every DoAction out and then could not record it
// (a lost database connection, a crash). ECPay's state now shows the operation done, and planning
// from it again would repeat a refund or report a capture that happened as failed: record it.
import type { CardState } from "../types";
import type { EcpayContext, OperationStrategy } from "./context";

export interface AlreadyDoneContext extends EcpayContext {
  /** What the earlier run's last DoAction left (completedAtEcpay). */
  completed: { cardState: CardState | null };
}

export const alreadyDoneStrategy: OperationStrategy<AlreadyDoneContext> = {
  name: "already-done",
  execute({ run, decision, trade, completed }) {
    return run.succeed(decision.amount, { simulated: false, attempt: { merchantTradeNo: trade.merchantTradeNo, cardState: completed.cardState } });
  },
};
