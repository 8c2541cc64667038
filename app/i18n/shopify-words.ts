/**
 * Shopify's words for an order's payment status (zh-TW and English admin). One list: the admin's
 * badges and CSV (app/i18n/messages/admin.ts) and the Shopify simulator's order page use it.
 */
export const SHOPIFY_STATUS_WORDS = {
  pending: { "zh-TW": "付款待處理", en: "Payment pending" },
  authorized: { "zh-TW": "已授權", en: "Authorized" },
  paid: { "zh-TW": "已付款", en: "Paid" },
  partiallyPaid: { "zh-TW": "部分付款", en: "Partially paid" },
  partiallyRefunded: { "zh-TW": "部分金額已退款", en: "Partially refunded" },
  refunded: { "zh-TW": "已退款", en: "Refunded" },
  voided: { "zh-TW": "已作廢", en: "Voided" },
  expired: { "zh-TW": "已過期", en: "Expired" },
  failed: { "zh-TW": "付款失敗", en: "Failed" },
} as const;
