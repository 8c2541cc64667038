import { defineMessages } from "./define";

// Buyer pages and the merchantMessage of rejected sessions.
export const paymentMessages = defineMessages({
  "zh-TW": {
    "refund.contactBuyer": "ATM 虛擬帳號與網路 ATM 付款無法線上退款，請聯繫消費者協商退款方式。",
    "refund.opayBackOffice": "歐付寶 TWQR 與微信支付的退刷與取消，請至歐付寶廠商後台操作。",
    "refund.fullOnly": "分期付款與紅利折抵僅接受全額退刷，請以訂單全額退款。",
  },
  en: {
    "refund.contactBuyer": "ATM virtual account and WebATM payments cannot be refunded online: contact the buyer to arrange the refund.",
    "refund.opayBackOffice": "TWQR and WeChat Pay refunds and cancellations are made in the OPay merchant back office.",
    "refund.fullOnly": "Installment and bonus-point payments can only be refunded in full: refund the whole amount.",
  },
});
