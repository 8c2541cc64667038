// What Shopify's test mode means with our apps (manual §3-3): ECPay's public stage merchant that
// takes test payments when the merchant has none of their own, its test card and back office.
// The admin pages show these; they come from the gateway's facts, never its client.
import { PUBLIC_STAGE_MERCHANT } from "../ecpay/public-stage-merchant";

export { STAGE_BACK_OFFICE, STAGE_TEST_CARD } from "../ecpay/public-stage-merchant";

/** Only the MerchantID: the public stage keys have no business in a page. */
export const PUBLIC_STAGE_MERCHANT_ID = PUBLIC_STAGE_MERCHANT.merchantId;
