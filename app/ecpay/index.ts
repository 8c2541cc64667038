// Public API of the ECPay client. Use cases depend on IEcpayGateway; routes and wiring build
// EcpayGateway; the pure helpers are exported for the emulator, tools and tests.
export type * from "./types";
export { EcpayGateway, DO_ACTION_PATH, QUERY_CREDIT_DETAIL_PATH, QUERY_PAYMENT_INFO_PATH, QUERY_TRADE_INFO_PATH } from "./ecpay-gateway";
export type { EcpayGatewayOptions } from "./ecpay-gateway";
export {
  AIO_CHECKOUT_PATH,
  autoSubmitFormHtml,
  buildCheckoutForm,
  ecpayOrigin,
  escapeHtmlAttribute,
} from "./checkout";
export type { AutoSubmitFormOptions, EcpayOrigins } from "./checkout";
export { parseEcpayCallback } from "./callbacks";
export { notificationOutcome, paidCardFacts, paymentInfoOutcome, tradeQueryOutcome } from "./outcomes";
export type * from "./outcomes";
export {
  checkMacSource,
  computeCheckMacValue,
  phpUrlEncode,
  signParams,
  verifyCheckMacValue,
} from "./check-mac-value";
export type { CheckMacAlgorithm, EcpayKeys } from "./check-mac-value";
export { isMerchantTradeNo, newMerchantTradeNo } from "./merchant-trade-no";
export { formatTaiwanDateTime, parseTaiwanDateTime } from "../lib/taiwan-time";
export { encodeFormBody, parseFormBody } from "./form-body";
export { mapEcpayFailure } from "./errors";
export type { EcpayFailure } from "./errors";
