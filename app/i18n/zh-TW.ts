export const zhTW = {
  "login.title": "登入商店",
  "login.shopLabel": "商店網域",
  "login.submit": "登入",
  "login.invalidShop": "請輸入有效的 myshopify.com 商店網域",
  "refund.contactBuyer": "ATM 虛擬帳號與網路 ATM 付款無法線上退款，請聯繫消費者協商退款方式。",
  "refund.opayBackOffice": "歐付寶 TWQR 與微信支付的退刷與取消，請至歐付寶廠商後台操作。",
  "refund.fullOnly": "分期付款與紅利折抵僅接受全額退刷，請以訂單全額退款。",
} as const;
