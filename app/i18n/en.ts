import type { zhTW } from "./zh-TW";

export const en: Record<keyof typeof zhTW, string> = {
  "login.title": "Log in to your store",
  "login.shopLabel": "Shop domain",
  "login.submit": "Log in",
  "login.invalidShop": "Enter a valid myshopify.com shop domain",
  "refund.contactBuyer": "ATM virtual account and WebATM payments cannot be refunded online: contact the buyer to arrange the refund.",
  "refund.opayBackOffice": "TWQR and WeChat Pay refunds and cancellations are made in the OPay merchant back office.",
  "refund.fullOnly": "Installment and bonus-point payments can only be refunded in full: refund the whole amount.",
};
