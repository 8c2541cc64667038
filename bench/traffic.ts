// The requests the benchmark sends: payment sessions exactly as the Shopify simulator sends them
// (tests/simulators/shopify/index.ts startPayment + app-requests.ts headers) and ECPay ReturnURL
// notifications signed like the ECPay emulator signs them (tests/emulators/ecpay/trade-fields.ts).
import { randomUUID } from "node:crypto";
import { signParams } from "../app/ecpay/check-mac-value";
import { paymentIdToCustomField } from "../app/payments/custom-field";
import { defaultCustomer, formatAmount, opaqueToken } from "../tests/simulators/shopify/state";

export const BENCH_SHOP = "bench-shop.myshopify.com";
export const BENCH_METHOD = "credit" as const;
export const BENCH_API_VERSION = "2026-07";
/** The ECPay production merchant the bench shop is bound to (any numeric id and keys do). */
export const BENCH_MERCHANT = { merchantId: "3383001", hashKey: "BenchKey8Qx2Lm4T", hashIv: "BenchIv5Wn7Rk9Vb" };
/** Whole TWD: what every benchmark payment costs. */
export const BENCH_AMOUNT = 1_200;

export type Endpoint = "bare" | "session" | "notification";

export const ENDPOINT_PATHS: Record<Endpoint, { method: "GET" | "POST"; path: string }> = {
  bare: { method: "GET", path: "/healthz?shallow=1" },
  session: { method: "POST", path: `/payments/${BENCH_METHOD}/session` },
  notification: { method: "POST", path: `/ecpay/${BENCH_METHOD}/return` },
};

/** Headers of Shopify's payment session request (Shopify-Request-Id differs per request). */
export function sessionHeaders(shop: string = BENCH_SHOP): Record<string, string> {
  return {
    "Content-Type": "application/json",
    Accept: "application/json",
    "Shopify-Shop-Domain": shop,
    "Shopify-Request-Id": randomUUID(),
    "Shopify-Api-Version": BENCH_API_VERSION,
    "User-Agent": "Shopify Payments Simulator",
  };
}

/** The JSON body of one payment session with Shopify id `id` (a new checkout group each time). */
export function sessionBody(id: string, appCancelOrigin = "http://127.0.0.1:9"): string {
  return JSON.stringify({
    id,
    gid: `gid://shopify/PaymentSession/${id}`,
    group: opaqueToken(),
    session_id: opaqueToken(),
    amount: formatAmount(BENCH_AMOUNT * 100),
    currency: "TWD",
    test: false,
    merchant_locale: "zh-TW",
    payment_method: { type: "offsite", data: { cancel_url: `${appCancelOrigin}/checkouts/cn/${id.toLowerCase()}/processing` } },
    proposed_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    customer: defaultCustomer(),
    kind: "sale",
  });
}

/** Pre-created trade number i of a pool: MerchantTradeNo (≤ 20 alphanumerics) and its Shopify payment id. */
export function poolTrade(prefix: string, index: number): { merchantTradeNo: string; paymentId: string; tradeNo: string } {
  return {
    merchantTradeNo: `${prefix}${index}`,
    paymentId: `${prefix}p${index}`,
    tradeNo: `2611${String(index).padStart(16, "0")}`,
  };
}

/** A ReturnURL "paid" notification for pool trade i, signed with the merchant's keys, as a form body. */
export function notificationBody(prefix: string, index: number, merchant = BENCH_MERCHANT, amount = BENCH_AMOUNT): string {
  const trade = poolTrade(prefix, index);
  const fields = signParams(
    {
      MerchantID: merchant.merchantId,
      MerchantTradeNo: trade.merchantTradeNo,
      StoreID: "",
      RtnCode: "1",
      RtnMsg: "交易成功",
      TradeNo: trade.tradeNo,
      TradeAmt: String(amount),
      PaymentDate: "2026/11/25 12:00:05",
      PaymentType: "Credit_CreditCard",
      PaymentTypeChargeFee: String(Math.round(amount * 0.0275)),
      TradeDate: "2026/11/25 12:00:00",
      SimulatePaid: "0",
      CustomField1: paymentIdToCustomField(trade.paymentId),
      CustomField2: "",
      CustomField3: "",
      CustomField4: "",
    },
    merchant,
  );
  return new URLSearchParams(fields).toString();
}
