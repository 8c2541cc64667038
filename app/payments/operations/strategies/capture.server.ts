// Capture: close the authorized card at ECPay (DoAction C), once. A capture whose C got no answer
// is found done when ECPay shows the card closing or closed.
import { planOperation } from "../plan";
import type { CardContext, OperationStrategy } from "./context";
import { followPlan, planInputOf } from "./follow-plan.server";

/** ECPay's refusal of a close after its 21-day limit (error_overDate, ecpay-aio §4.1). */
const TOO_LATE = /overDate|逾期|過期|expired/i;

export const captureStrategy: OperationStrategy<CardContext> = {
  name: "capture",
  execute(ctx) {
    return followPlan(ctx, planOperation(planInputOf(ctx)), {
      reclose: false,
      refusal: (error) => (TOO_LATE.test(error.message) ? { code: "AUTHORIZATION_EXPIRED", message: "capture.expired" } : null),
    });
  },
};
