// Void: give the authorization up at ECPay (DoAction N for the authorized amount). A void whose N
// got no answer is found done when ECPay shows the card abandoned.
import { planOperation } from "../plan";
import type { CardContext, OperationStrategy } from "./context";
import { followPlan, planInputOf } from "./follow-plan.server";

export const voidStrategy: OperationStrategy<CardContext> = {
  name: "void",
  execute(ctx) {
    return followPlan(ctx, planOperation(planInputOf(ctx)), { reclose: false });
  },
};
