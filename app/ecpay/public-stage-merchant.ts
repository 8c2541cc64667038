// ECPay's public stage merchant for AIO (ecpay-aio §5; official SDKs switched to it in Nov–Dec 2024).
// Shared by every developer in the world, hence fresh random MerchantTradeNos.
export const PUBLIC_STAGE_MERCHANT = {
  merchantId: "3002607",
  hashKey: "pwFHCqoQZGmho4w6",
  hashIv: "EkRm7iFT261dpevs",
} as const;

/** Stage back office where test orders can be seen (manual §3-3 說明(2)). */
export const STAGE_BACK_OFFICE = {
  url: "https://vendor-stage.ecpay.com.tw",
  username: "shopify015sub",
  password: "stage12345",
} as const;

/** The only card that succeeds on stage (manual §3-3 說明(1), ecpay-aio §5). */
export const STAGE_TEST_CARD = { number: "4311-9522-2222-2222", cvv: "222", expiry: "any future MM/YY" } as const;
