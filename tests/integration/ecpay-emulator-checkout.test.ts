// The emulator's AioCheckOut V5 must refuse everything real ECPay refuses (ecpay-aio §2), with
// ECPay's error page and codes, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EcpayEmulator, type EcpayMerchant, STAGE_MERCHANT, startEcpayEmulator } from "../emulators/ecpay";
import { checkoutFields, createOrder, freshTradeNo, postForm, sign } from "../emulators/ecpay/testing";

const PROD_MERCHANT: EcpayMerchant = { merchantId: "3300001", hashKey: "ProdHashKey12345", hashIv: "ProdHashIv123456", creditCheckCode: "12345678" };
const ATM_ONLY: EcpayMerchant = { merchantId: "3300002", hashKey: "AtmOnlyKey123456", hashIv: "AtmOnlyIv1234567", enabled: ["ATM"] };

let stage: EcpayEmulator;
let production: EcpayEmulator;

beforeAll(async () => {
  stage = await startEcpayEmulator({ environment: "stage", merchants: [ATM_ONLY], notifyRetryIntervalMs: 30 });
  production = await startEcpayEmulator({ environment: "production", merchants: [PROD_MERCHANT], notifyRetryIntervalMs: 30 });
});
afterAll(async () => {
  await stage.close();
  await production.close();
});

async function expectError(emulator: EcpayEmulator, fields: Record<string, string>, code: string, text?: RegExp) {
  const result = await createOrder(emulator.origin, fields);
  expect(result.status).toBe(200);
  expect(result.pageUrl).toBeNull();
  expect(result.html).toContain(`訊息代碼 Message code：<span id="error-code">${code}</span>`);
  if (text) expect(result.html).toMatch(text);
  expect(emulator.order(fields.MerchantTradeNo ?? "")).toBeUndefined();
  return result.html;
}

describe("AioCheckOut V5 validation", () => {
  it("shows ECPay's '10200073 CheckMacValue Error.' page when a signed value is changed", async () => {
    const fields = checkoutFields(STAGE_MERCHANT);
    const html = await expectError(stage, { ...fields, TotalAmount: "1001" }, "10200073");
    expect(html).toContain("10200073 CheckMacValue Error.");
  });

  it("answers CheckMacValue Error when the form is signed with the wrong HashKey", async () => {
    const fields = checkoutFields({ ...STAGE_MERCHANT, hashKey: "wrongHashKey0000" });
    await expectError(stage, fields, "10200073", /CheckMacValue Error\./);
  });

  it("answers CheckMacValue Error when HashKey and HashIV are posted as parameters", async () => {
    const fields = checkoutFields(STAGE_MERCHANT, { HashKey: STAGE_MERCHANT.hashKey, HashIV: STAGE_MERCHANT.hashIv });
    await expectError(stage, fields, "10200073");
  });

  it("refuses the legacy MD5 EncryptType=0", async () => {
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { EncryptType: "0" }), "90000001", /EncryptType Error/);
  });

  it("accepts a valid form and refuses the same MerchantTradeNo again with 10300028, even with other values", async () => {
    const fields = checkoutFields(STAGE_MERCHANT);
    const first = await createOrder(stage.origin, fields);
    expect(first.pageUrl).toMatch(/\/Emulator\/Payment\/\d{16}$/);
    const again = checkoutFields(STAGE_MERCHANT, { MerchantTradeNo: fields.MerchantTradeNo, TotalAmount: "20" });
    const result = await createOrder(stage.origin, again);
    expect(result.html).toContain('<span id="error-code">10300028</span>');
    expect(stage.order(fields.MerchantTradeNo as string)?.totalAmount).toBe(1000);
  });

  it("lets another merchant use a MerchantTradeNo that one merchant already used", async () => {
    const no = freshTradeNo();
    expect((await createOrder(stage.origin, checkoutFields(STAGE_MERCHANT, { MerchantTradeNo: no }))).pageUrl).not.toBeNull();
    const other = await createOrder(stage.origin, checkoutFields(ATM_ONLY, { MerchantTradeNo: no, ChoosePayment: "ATM" }));
    expect(other.pageUrl).not.toBeNull();
  });

  it.each(["100.5", "0", "-5", "1e3", "abc", "0100"])("refuses TotalAmount=%s", async (amount) => {
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { TotalAmount: amount }), "90000001", /TotalAmount Error/);
  });

  it("refuses an ItemName of 401 characters and accepts one of exactly 400", async () => {
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { ItemName: "商".repeat(401) }), "90000001", /ItemName Error/);
    const ok = await createOrder(stage.origin, checkoutFields(STAGE_MERCHANT, { ItemName: "商".repeat(400) }));
    expect(ok.pageUrl).not.toBeNull();
  });

  it.each(["A".repeat(21), "order-123", "訂單123", "abc_1"])("refuses MerchantTradeNo %s with a parameter error", async (no) => {
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { MerchantTradeNo: no }), "90000001");
  });

  it.each(["2024-01-02 10:00:00", "2024/1/2 10:00:00", "2024/02/30 10:00:00", "2024/01/02"])(
    "refuses MerchantTradeDate %s",
    async (date) => {
      await expectError(stage, checkoutFields(STAGE_MERCHANT, { MerchantTradeDate: date }), "90000001", /MerchantTradeDate Error/);
    },
  );

  it("refuses a missing required parameter", async () => {
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { TradeDesc: undefined }), "90000001", /TradeDesc is required/);
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { ReturnURL: undefined }), "90000001", /ReturnURL is required/);
  });

  it("refuses PaymentType other than aio", async () => {
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { PaymentType: "AIO" }), "90000001", /PaymentType Error/);
  });

  it("refuses ReturnURL equal to OrderResultURL", async () => {
    const url = "https://shop.example/ecpay/return";
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { ReturnURL: url, OrderResultURL: url }), "90000001", /OrderResultURL/);
  });

  it("refuses URLs longer than 200 characters and relative URLs", async () => {
    const long = `https://shop.example/${"a".repeat(181)}`;
    expect(long.length).toBe(202);
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { ClientBackURL: long }), "90000001", /ClientBackURL Error/);
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { ReturnURL: "/ecpay/return" }), "90000001", /ReturnURL Error/);
  });

  it("refuses a misspelt parameter name instead of silently ignoring it", async () => {
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { OrderResultUrl: "https://shop.example/r" }), "90000001", /OrderResultUrl/);
  });

  it("refuses HTML tags and special characters ECPay forbids", async () => {
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { ItemName: "<b>bold</b>" }), "90000001", /HTML tags/);
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { TradeDesc: 'say "hi"' }), "90000001", /TradeDesc Error/);
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { CustomField1: "pay_123" }), "90000001", /CustomField1 Error/);
  });

  it("accepts CustomField1 with the documented symbols and CJK text", async () => {
    const ok = await createOrder(stage.origin, checkoutFields(STAGE_MERCHANT, { CustomField1: "付款 (id:7)#[x];{y}@z!?&%$,./" }));
    expect(ok.pageUrl).not.toBeNull();
  });

  it.each(["Wechat", "credit", "Cash"])("refuses an unknown ChoosePayment=%s", async (choose) => {
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { ChoosePayment: choose }), "90000001", /ChoosePayment Error/);
  });

  it("refuses a payment method the merchant has not enabled with 10200141", async () => {
    await expectError(stage, checkoutFields(ATM_ONLY, { ChoosePayment: "Credit" }), "10200141");
  });

  it("checks CreditInstallment periods and refuses them with Redeem or outside Credit", async () => {
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { CreditInstallment: "3,5" }), "90000001", /CreditInstallment Error/);
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { CreditInstallment: "30" }), "90000001", /CreditInstallment Error/);
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { CreditInstallment: "3,3" }), "90000001", /twice/);
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { CreditInstallment: "3,6", Redeem: "Y" }), "90000001", /Redeem/);
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { ChoosePayment: "ATM", CreditInstallment: "3" }), "90000001");
    const ok = await createOrder(stage.origin, checkoutFields(STAGE_MERCHANT, { CreditInstallment: "3,6,12,18,24,30N" }));
    expect(ok.pageUrl).not.toBeNull();
  });

  it("refuses UnionPay on stage and accepts it in production", async () => {
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { UnionPay: "1" }), "10200141", /UnionPay/);
    const ok = await createOrder(production.origin, checkoutFields(PROD_MERCHANT, { UnionPay: "1" }));
    expect(ok.pageUrl).not.toBeNull();
    await expectError(production, checkoutFields(PROD_MERCHANT, { UnionPay: "1", Redeem: "Y" }), "90000001", /UnionPay/);
  });

  it.each(["0", "61", "2.5", "x"])("refuses ATM ExpireDate=%s", async (days) => {
    await expectError(stage, checkoutFields(STAGE_MERCHANT, { ChoosePayment: "ATM", ExpireDate: days }), "90000001", /ExpireDate Error/);
  });

  it("refuses an unknown MerchantID, and a stage MerchantID in production with 10200094", async () => {
    await expectError(stage, checkoutFields({ merchantId: "9999999", hashKey: "k", hashIv: "i" }), "90000002", /MerchantID Error/);
    await expectError(production, checkoutFields(STAGE_MERCHANT), "10200094");
  });

  it("does not create orders from a GET", async () => {
    const response = await fetch(`${stage.origin}/Cashier/AioCheckOut/V5`);
    expect(await response.text()).toContain("訊息代碼");
  });

  it("renders the credit card page with stable ids and the test-card hint on stage", async () => {
    const { pageUrl } = await createOrder(stage.origin, checkoutFields(STAGE_MERCHANT, { ItemName: "Tea x1#Cup x2" }));
    const page = await fetch(pageUrl as string);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    for (const id of ["card-number", "card-expiry", "card-cvv", "pay", "cancel", "test-card-hint"]) expect(html).toContain(`id="${id}"`);
    expect(html).toContain("Pay 付款");
    expect(html).toContain("Cancel 取消");
    expect(html).toContain("<li>Tea x1</li><li>Cup x2</li>");
  });

  it("keeps the signed bytes: a value posted with spaces, quotes-free punctuation and CJK verifies", async () => {
    const fields = checkoutFields(STAGE_MERCHANT, { ItemName: "A+B 套餐 ~ (大) *1 !", TradeDesc: "促銷 方案 100%" });
    const response = await postForm(`${stage.origin}/Cashier/AioCheckOut/V5`, fields);
    expect(response.status).toBe(302);
    expect(stage.order(fields.MerchantTradeNo as string)?.request.ItemName).toBe("A+B 套餐 ~ (大) *1 !");
  });

  it("verifies with keys the merchant was added with at runtime", async () => {
    const merchant = { merchantId: "3300009", hashKey: "RuntimeKey123456", hashIv: "RuntimeIv1234567" };
    await expectError(stage, checkoutFields(merchant), "90000002");
    stage.addMerchant(merchant);
    expect((await createOrder(stage.origin, checkoutFields(merchant))).pageUrl).not.toBeNull();
    expect(sign({ a: "1" }, merchant).CheckMacValue).toMatch(/^[0-9A-F]{64}$/);
  });
});
