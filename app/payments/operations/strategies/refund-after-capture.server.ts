// Refund after capture: the card is closed or closing at ECPay (要關帳, 已關帳), or it is a UnionPay
// trade (closed at authorization), or we cannot tell (a voided card is refused). R returns the amount; a full refund of a
// 要關帳 card gives the close up and the hold (E then N). An R whose answer was lost is never sent
// again: it is found done from clsamt, or reported to the merchant as unconfirmed (plan.ts).
import { planOperation } from "../plan";
import type { CardContext, OperationStrategy } from "./context";
import { followPlan, planInputOf } from "./follow-plan.server";

export const refundAfterCaptureStrategy: OperationStrategy<CardContext> = {
  name: "refund-after-capture",
  execute(ctx) {
    return followPlan(ctx, planOperation(planInputOf(ctx)), { reclose: true });
  },
};
