import { defineMessages } from "./define";

// merchantMessage of rejected refund, capture and void sessions (Shopify shows it in the order
// timeline), always in both languages like every other merchantMessage; amounts come formatted
// (formatMoney: NT$2,380). Each says what happened and what the merchant can do next. The refund-rule messages
// shared with the payment pages (refund.contactBuyer, refund.opayBackOffice, refund.fullOnly)
// live in payments.ts.
export const operationMessages = defineMessages({
  "zh-TW": {
    "operation.amountNotWhole": "金額 {amount} 不是整數新台幣：綠界只接受整數金額，請以整數金額重新操作。",
    "operation.currencyNotTwd": "幣別 {currency} 不支援：綠界只處理新台幣 (TWD)。",
    "operation.notBound": "此商店尚未綁定綠界帳號，請先在應用程式中綁定綠界帳號後再試一次。",
    "operation.noTrade": "找不到這筆付款在綠界的已付款交易，請至綠界廠商後台確認交易狀態。",
    "operation.ecpayWrongCredentials": "綠界拒絕了此商店的金鑰 (MerchantID / HashKey / HashIV)，請在應用程式中重新綁定綠界帳號後再試一次。",
    "operation.ecpayRefused": "綠界無法執行此操作：{detail}。請至綠界廠商後台確認交易狀態。",
    "operation.ecpayUnreachable": "多次嘗試後仍無法連上綠界，請至綠界廠商後台確認交易狀態後再試一次。",
    "operation.unknownOutcome": "無法確認綠界是否已完成上一次的請求，為避免重複退款已停止處理。請先至綠界廠商後台確認此交易的退刷紀錄，再決定是否重新操作。",
    "operation.unionPayClosed": "這筆交易是銀聯卡交易，綠界在授權時即已請款，無法請款或取消授權；請改用退款。",
    "capture.notSupported": "此付款方式沒有授權，無法請款；付款完成時即已請款。",
    "capture.notAuthorized": "這筆付款目前不是「已授權」狀態，無法請款。",
    "capture.exceedsAuthorized": "請款金額 {amount} 超過授權金額 {authorized}。",
    "capture.fullOnly": "分期付款與紅利折抵的授權只能全額請款 ({authorized})。",
    "capture.expired": "授權已逾期，無法再請款。請聯繫消費者重新付款。",
    "void.notSupported": "此付款方式沒有授權，無法取消授權；請改用退款。",
    "void.notAuthorized": "這筆付款目前不是「已授權」狀態，無法取消授權；已請款的付款請改用退款。",
    "refund.notPaid": "這筆付款尚未請款，無法退款；尚未請款的授權請改用取消授權。",
    "refund.exceedsRefundable": "退款金額 {amount} 超過可退款金額 {refundable}。",
    "refund.voided": "綠界顯示此交易已取消，沒有可退款的金額。",
  },
  en: {
    "operation.amountNotWhole": "The amount {amount} is not a whole number of TWD: ECPay accepts whole amounts only. Try again with a whole amount.",
    "operation.currencyNotTwd": "Currency {currency} is not supported: ECPay processes TWD only.",
    "operation.notBound": "This shop has no ECPay account bound. Bind your ECPay account in the app, then try again.",
    "operation.noTrade": "No paid ECPay trade was found for this payment. Check the trade in the ECPay merchant back office.",
    "operation.ecpayWrongCredentials": "ECPay refused this shop's keys (MerchantID / HashKey / HashIV). Bind your ECPay account again in the app, then retry.",
    "operation.ecpayRefused": "ECPay could not do this: {detail}. Check the trade in the ECPay merchant back office.",
    "operation.ecpayUnreachable": "ECPay could not be reached after repeated attempts. Check the trade in the ECPay merchant back office, then try again.",
    "operation.unknownOutcome": "We could not confirm whether ECPay completed the previous request, so we stopped to avoid refunding twice. Check this trade's refund records in the ECPay merchant back office before trying again.",
    "operation.unionPayClosed": "This is a UnionPay trade: ECPay captured it at authorization, so it cannot be captured or voided. Refund it instead.",
    "capture.notSupported": "This payment method has no authorization to capture: the payment was captured at checkout.",
    "capture.notAuthorized": "This payment is not in the authorized state, so it cannot be captured.",
    "capture.exceedsAuthorized": "The capture amount {amount} exceeds the authorized {authorized}.",
    "capture.fullOnly": "Installment and bonus-point authorizations can only be captured in full ({authorized}).",
    "capture.expired": "The authorization has expired and can no longer be captured. Ask the buyer to pay again.",
    "void.notSupported": "This payment method has no authorization to void: refund the payment instead.",
    "void.notAuthorized": "This payment is not in the authorized state, so it cannot be voided; refund a captured payment instead.",
    "refund.notPaid": "This payment has not been captured, so there is nothing to refund; void the authorization instead.",
    "refund.exceedsRefundable": "The refund amount {amount} exceeds the refundable {refundable}.",
    "refund.voided": "ECPay shows this trade as cancelled: there is nothing to refund.",
  },
});
