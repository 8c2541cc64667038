// Refund before capture: the card is still only authorized at ECPay (已授權: a sale whose automatic
// close the refund took over, or an authorization nothing closed). A full refund gives the hold up
// (N); a partial one closes the sale first so that R can return part of it (C then R). Without
// QueryTrade/V2 the plan falls back to R when ECPay refuses for a state moved on (plan.ts).
import { planOperation } from "../plan";
import type { CardContext, OperationStrategy } from "./context";
import { followPlan, planInputOf } from "./follow-plan.server";

export const refundBeforeCaptureStrategy: OperationStrategy<CardContext> = {
  name: "refund-before-capture",
  execute(ctx) {
    return followPlan(ctx, planOperation(planInputOf(ctx)), { reclose: true });
  },
};
