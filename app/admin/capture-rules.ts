/** ECPay: without daily auto-close, an authorization must be closed within 21 days (ecpay-aio §4.1). */
export const CLOSE_LIMIT_DAYS = 21;
/** Authorizations older than this are listed on the capture page. */
export const WARN_FROM_DAYS = 14;
