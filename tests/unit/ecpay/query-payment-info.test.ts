import { describe, expect, it, vi } from "vitest";
import { computeCheckMacValue, signParams } from "~/ecpay/check-mac-value";
import { EcpayGateway } from "~/ecpay/ecpay-gateway";
import type { EcpayCredentials } from "~/ecpay/types";

const PRODUCTION: EcpayCredentials = { merchantId: "3383324", hashKey: "prodKey123456789", hashIv: "prodIv1234567890", environment: "production" };
const NOW = new Date("2026-11-26T00:00:00Z");
const TRADE = "261126080001AB12CD34";

const gateway = () =>
  EcpayGateway.create({ stageOrigin: "https://payment-stage.ecpay.com.tw", productionOrigin: "https://payment.ecpay.com.tw", now: () => NOW });

/** The PaymentInfoURL fields of an issued ATM account (ecpay-aio §3.3), as QueryPaymentInfo returns them. */
function issued(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    MerchantID: PRODUCTION.merchantId,
    MerchantTradeNo: TRADE,
    StoreID: "",
    RtnCode: "2",
    RtnMsg: "Get VirtualAccount Succeeded",
    TradeNo: "2611260800014231",
    TradeAmt: "1280",
    PaymentType: "ATM_TAISHIN",
    TradeDate: "2026/11/26 08:00:01",
    BankCode: "812",
    vAccount: "9103522175887271",
    ExpireDate: "2026/11/28",
    CustomField1: "pay(1",
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
    ...overrides,
  };
}

const answer = (fields: Record<string, string>) =>
  vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response(new URLSearchParams(fields).toString()));

describe("EcpayGateway.queryPaymentInfo", () => {
  it("POSTs the QueryTradeInfo request shape to /Cashier/QueryPaymentInfo and reads the signed account", async () => {
    const spy = answer(signParams(issued(), PRODUCTION));
    const info = (await gateway().queryPaymentInfo(PRODUCTION, TRADE))._unsafeUnwrap();
    const [url, init] = spy.mock.calls[0] ?? [];
    expect(String(url)).toBe("https://payment.ecpay.com.tw/Cashier/QueryPaymentInfo");
    const sent = { MerchantID: PRODUCTION.merchantId, MerchantTradeNo: TRADE, TimeStamp: String(NOW.getTime() / 1000) };
    expect(Object.fromEntries(new URLSearchParams(String(init?.body)))).toEqual({ ...sent, CheckMacValue: computeCheckMacValue(sent, PRODUCTION) });
    expect(info).toMatchObject({ rtnCode: "2", tradeNo: "2611260800014231", tradeAmt: 1280, bankCode: "812", vAccount: "9103522175887271", expireDate: "2026/11/28", customField1: "pay(1" });
  });

  it("refuses an answer whose signature does not verify, and one about another trade", async () => {
    answer({ ...signParams(issued(), PRODUCTION), vAccount: "9103000000000000" });
    expect((await gateway().queryPaymentInfo(PRODUCTION, TRADE))._unsafeUnwrapErr().kind).toBe("bad-signature");
    vi.restoreAllMocks();
    answer(signParams(issued({ MerchantTradeNo: "OTHER1" }), PRODUCTION));
    expect((await gateway().queryPaymentInfo(PRODUCTION, TRADE))._unsafeUnwrapErr().message).toMatch(/different trade/);
  });

  it("returns ECPay's refusal code verbatim when there is no account to report, and a 403 as rate-limited", async () => {
    answer(signParams({ MerchantID: PRODUCTION.merchantId, MerchantTradeNo: TRADE, RtnCode: "10200050", RtnMsg: "unavailable once paid" }, PRODUCTION));
    expect((await gateway().queryPaymentInfo(PRODUCTION, TRADE))._unsafeUnwrap()).toMatchObject({ rtnCode: "10200050", bankCode: null });
    vi.restoreAllMocks();
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("<h1>403 Forbidden</h1>", { status: 403 }));
    expect((await gateway().queryPaymentInfo(PRODUCTION, TRADE))._unsafeUnwrapErr().kind).toBe("rate-limited");
  });

  it("treats an issued answer without the account fields as unreadable", async () => {
    answer(signParams(issued({ vAccount: "" }), PRODUCTION));
    expect((await gateway().queryPaymentInfo(PRODUCTION, TRADE))._unsafeUnwrapErr().message).toMatch(/without TradeNo\/BankCode\/vAccount\/ExpireDate/);
  });
});
