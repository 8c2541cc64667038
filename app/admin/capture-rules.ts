// The capture page's numbers come from the domain's time limits (app/payments/time-limits.ts).
/** ECPay: without daily auto-close, an authorization must be closed within 21 days (ecpay-aio §4.1). */
export { ECPAY_CLOSE_LIMIT_DAYS as CLOSE_LIMIT_DAYS, LIST_AUTHORIZATIONS_FROM_DAYS as WARN_FROM_DAYS } from "../payments/time-limits";
