import { describe, expect, it } from "vitest";
import { verifyCheckMacValue } from "~/ecpay/check-mac-value";
import { autoSubmitFormHtml, buildCheckoutForm, escapeHtmlAttribute } from "~/ecpay/checkout";
import type { CheckoutInput, EcpayCredentials } from "~/ecpay/types";
import { PAYMENT_METHODS, METHOD_HANDLES } from "~/payments/methods";
import { CJK_SAMPLE, PRINTABLE_ASCII } from "./seeded-random";

const ORIGINS = { stageOrigin: "https://payment-stage.ecpay.com.tw", productionOrigin: "https://payment.ecpay.com.tw/" };
const STAGE: EcpayCredentials = {
  merchantId: "3002607",
  hashKey: "pwFHCqoQZGmho4w6",
  hashIv: "EkRm7iFT261dpevs",
  environment: "stage",
};

function input(overrides: Partial<CheckoutInput> = {}): CheckoutInput {
  return {
    merchantTradeNo: "250101002609AB12CD34",
    tradeDate: new Date("2024-12-31T16:26:09Z"),
    totalAmount: 1733,
    itemName: "綠界測試商品 x 1#Shipping x 1",
    tradeDesc: "Shopify 訂單 1001",
    choosePayment: "Credit",
    extra: {},
    returnUrl: "https://app.example.com/ecpay/credit/return",
    orderResultUrl: "https://app.example.com/ecpay/credit/result",
    customField1: "rXsWmT5cLc4FfGfOqN0yB1aPz",
    ...overrides,
  };
}

function build(overrides: Partial<CheckoutInput> = {}, credentials: EcpayCredentials = STAGE) {
  return buildCheckoutForm(credentials, input(overrides), ORIGINS);
}

describe("buildCheckoutForm", () => {
  it("builds and signs the AioCheckOut V5 fields for a one-time credit card payment", () => {
    const form = build()._unsafeUnwrap();
    expect(form.action).toBe("https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5");
    const { CheckMacValue, ...rest } = form.fields;
    expect(rest).toEqual({
      MerchantID: "3002607",
      MerchantTradeNo: "250101002609AB12CD34",
      MerchantTradeDate: "2025/01/01 00:26:09",
      PaymentType: "aio",
      TotalAmount: "1733",
      TradeDesc: "Shopify 訂單 1001",
      ItemName: "綠界測試商品 x 1#Shipping x 1",
      ReturnURL: "https://app.example.com/ecpay/credit/return",
      ChoosePayment: "Credit",
      EncryptType: "1",
      NeedExtraPaidInfo: "Y",
      CustomField1: "rXsWmT5cLc4FfGfOqN0yB1aPz",
      OrderResultURL: "https://app.example.com/ecpay/credit/result",
    });
    expect(CheckMacValue).toMatch(/^[0-9A-F]{64}$/);
    expect(verifyCheckMacValue(form.fields, STAGE)).toBe(true);
  });

  it("posts production credentials to the production origin", () => {
    const form = build({}, { ...STAGE, environment: "production" })._unsafeUnwrap();
    expect(form.action).toBe("https://payment.ecpay.com.tw/Cashier/AioCheckOut/V5");
  });

  it("builds a valid signed form for each of the eight methods from the method registry", () => {
    for (const handle of METHOD_HANDLES) {
      const { choosePayment, extra } = PAYMENT_METHODS[handle].ecpay;
      // The per-shop parts come from settings: installment periods and the ATM deadline.
      const fromSettings: Record<string, string> =
        handle === "installments" ? { CreditInstallment: "3,6,12,30N" } : handle === "atm" ? { ExpireDate: "2" } : {};
      const methodExtra = { ...extra, ...fromSettings };
      const form = build({
        choosePayment,
        extra: methodExtra,
        orderResultUrl: PAYMENT_METHODS[handle].orderResultUrlSupported ? "https://app.example.com/r" : undefined,
        clientBackUrl: "https://shop.example.com/back",
        paymentInfoUrl: choosePayment === "ATM" ? "https://app.example.com/ecpay/atm/payment-info" : undefined,
      });
      expect(form.isOk(), `${handle}: ${JSON.stringify(form.isErr() && form.error)}`).toBe(true);
      const fields = form._unsafeUnwrap().fields;
      expect(fields.ChoosePayment).toBe(choosePayment);
      for (const [key, value] of Object.entries(methodExtra)) expect(fields[key], `${handle} ${key}`).toBe(value);
      expect(verifyCheckMacValue(fields, STAGE)).toBe(true);
    }
  });

  it("adds the method extras, optional URLs and language exactly as given", () => {
    const atm = build({
      choosePayment: "ATM",
      extra: { ExpireDate: "2" },
      orderResultUrl: undefined,
      clientBackUrl: "https://shop.example.com/back",
      paymentInfoUrl: "https://app.example.com/ecpay/atm/payment-info",
      language: "ENG",
    })._unsafeUnwrap().fields;
    expect(atm).toMatchObject({
      ChoosePayment: "ATM",
      ExpireDate: "2",
      ClientBackURL: "https://shop.example.com/back",
      PaymentInfoURL: "https://app.example.com/ecpay/atm/payment-info",
      Language: "ENG",
    });
    expect(atm).not.toHaveProperty("OrderResultURL");
    expect(build({ extra: { Redeem: "Y" } })._unsafeUnwrap().fields.Redeem).toBe("Y");
    expect(build({ extra: { UnionPay: "1" } })._unsafeUnwrap().fields.UnionPay).toBe("1");
    expect(build({ extra: { CreditInstallment: "3,6,12,18,24,30N" } })._unsafeUnwrap().fields.CreditInstallment).toBe(
      "3,6,12,18,24,30N",
    );
  });

  it("signs item names and descriptions with CJK, spaces and the symbols ECPay allows", () => {
    const form = build({ itemName: "Tea (500ml) ~ 'green' *2 ! 100% & more#茶葉禮盒", tradeDesc: "綠茶 (禮盒), 共2件." });
    expect(verifyCheckMacValue(form._unsafeUnwrap().fields, STAGE)).toBe(true);
  });

  const invalid: Array<[string, Partial<CheckoutInput>, string]> = [
    ["a MerchantTradeNo over 20 characters", { merchantTradeNo: "A".repeat(21) }, "MerchantTradeNo"],
    ["a MerchantTradeNo with a dash", { merchantTradeNo: "ORDER-1001" }, "MerchantTradeNo"],
    ["an empty MerchantTradeNo", { merchantTradeNo: "" }, "MerchantTradeNo"],
    ["an invalid trade date", { tradeDate: new Date(Number.NaN) }, "MerchantTradeDate"],
    ["a zero amount", { totalAmount: 0 }, "TotalAmount"],
    ["a negative amount", { totalAmount: -5 }, "TotalAmount"],
    ["a fractional amount", { totalAmount: 100.5 }, "TotalAmount"],
    ["an unsafe integer amount", { totalAmount: 2 ** 53 }, "TotalAmount"],
    ["an ItemName over 400 characters", { itemName: "茶".repeat(401) }, "ItemName"],
    ["an ItemName with an HTML tag", { itemName: "<b>Tea</b>" }, "ItemName"],
    ["an ItemName with a newline", { itemName: "Tea\nCoffee" }, "ItemName"],
    ["an ItemName with a NUL", { itemName: "Tea\u0000" }, "ItemName"],
    ["an ItemName with an empty item", { itemName: "Tea##Coffee" }, "ItemName"],
    ["an ItemName ending in #", { itemName: "Tea#" }, "ItemName"],
    ["a blank ItemName", { itemName: "   " }, "ItemName"],
    ["an ItemName with an unpaired surrogate", { itemName: "Tea\ud800" }, "ItemName"],
    ["a TradeDesc with special characters", { tradeDesc: "Order #1001" }, "TradeDesc"],
    ["a TradeDesc with HTML", { tradeDesc: "<script>" }, "TradeDesc"],
    ["a TradeDesc over 200 characters", { tradeDesc: "a".repeat(201) }, "TradeDesc"],
    ["an empty TradeDesc", { tradeDesc: "" }, "TradeDesc"],
    ["a relative ReturnURL", { returnUrl: "/ecpay/credit/return" }, "ReturnURL"],
    ["a non-http ReturnURL", { returnUrl: "ftp://app.example.com/return" }, "ReturnURL"],
    ["a ReturnURL over 200 characters", { returnUrl: `https://app.example.com/${"a".repeat(180)}` }, "ReturnURL"],
    ["a ReturnURL with a space", { returnUrl: "https://app.example.com/a b" }, "ReturnURL"],
    ["a ReturnURL with a Chinese host", { returnUrl: "https://綠界.tw/return" }, "ReturnURL"],
    ["an OrderResultURL that is not a URL", { orderResultUrl: "result" }, "OrderResultURL"],
    ["a ClientBackURL over 200 characters", { clientBackUrl: `https://shop.example.com/${"b".repeat(180)}` }, "ClientBackURL"],
    ["a javascript: PaymentInfoURL", { paymentInfoUrl: "javascript:alert(1)" }, "PaymentInfoURL"],
    ["a CustomField1 over 50 characters", { customField1: "a".repeat(51) }, "CustomField1"],
    ["a CustomField1 with a dash", { customField1: "pay-123" }, "CustomField1"],
    ["a CustomField1 with a space", { customField1: "pay 123" }, "CustomField1"],
    ["an empty CustomField1", { customField1: "" }, "CustomField1"],
    ["a 30-period installment spelled 30", { extra: { CreditInstallment: "3,30" } }, "CreditInstallment"],
    ["installments with a space", { extra: { CreditInstallment: "3, 6" } }, "CreditInstallment"],
    ["installments with seven periods", { extra: { CreditInstallment: "3,6,12,18,24,30N,3" } }, "CreditInstallment"],
    ["a repeated installment period", { extra: { CreditInstallment: "3,3" } }, "CreditInstallment"],
    ["installments outside Credit", { choosePayment: "ATM", extra: { CreditInstallment: "3" } }, "CreditInstallment"],
    ["Redeem other than Y", { extra: { Redeem: "N" } }, "Redeem"],
    ["Redeem with installments", { extra: { Redeem: "Y", CreditInstallment: "3" } }, "Redeem"],
    ["UnionPay other than 0/1/2", { extra: { UnionPay: "Y" } }, "UnionPay"],
    ["an ATM ExpireDate of 0", { choosePayment: "ATM", extra: { ExpireDate: "0" } }, "ExpireDate"],
    ["an ATM ExpireDate of 61", { choosePayment: "ATM", extra: { ExpireDate: "61" } }, "ExpireDate"],
    ["an ATM ExpireDate of 2.5", { choosePayment: "ATM", extra: { ExpireDate: "2.5" } }, "ExpireDate"],
    ["ExpireDate outside ATM", { extra: { ExpireDate: "2" } }, "ExpireDate"],
    ["an unknown extra", { extra: { IgnorePayment: "ATM" } }, "IgnorePayment"],
    ["an extra that would override a core field", { extra: { TotalAmount: "1" } }, "TotalAmount"],
  ];

  it.each(invalid)("refuses to sign %s and names the field", (_label, overrides, field) => {
    const result = build(overrides);
    expect(result.isErr()).toBe(true);
    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("invalid-input");
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });

  it("accepts the boundaries: 20-character MerchantTradeNo, 400-character ItemName, 200-character URL, ExpireDate 1 and 60", () => {
    expect(build({ merchantTradeNo: "A".repeat(20) }).isOk()).toBe(true);
    expect(build({ itemName: "茶".repeat(400) }).isOk()).toBe(true);
    expect(build({ returnUrl: `https://app.example.com/${"a".repeat(200 - 24)}` }).isOk()).toBe(true);
    expect(build({ customField1: "a".repeat(50) }).isOk()).toBe(true);
    expect(build({ customField1: ",.#()$[];%{}:/?&@<>!" }).isOk()).toBe(true);
    expect(build({ choosePayment: "ATM", extra: { ExpireDate: "1" } }).isOk()).toBe(true);
    expect(build({ choosePayment: "ATM", extra: { ExpireDate: "60" } }).isOk()).toBe(true);
  });

  it("refuses malformed credentials before signing", () => {
    expect(build({}, { ...STAGE, merchantId: "" })._unsafeUnwrapErr().field).toBe("MerchantID");
    expect(build({}, { ...STAGE, merchantId: "30026070000X" })._unsafeUnwrapErr().field).toBe("MerchantID");
    expect(build({}, { ...STAGE, hashIv: "" })._unsafeUnwrapErr().kind).toBe("invalid-input");
  });
});

/** Reads hidden inputs back the way an HTML parser decodes attribute values (only the five escapes we emit). */
function postedFields(html: string): Record<string, string> {
  const decode = (value: string): string =>
    value.replace(/&(amp|lt|gt|quot|#39);/g, (_m, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[name] ?? "");
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[decode(match[1] ?? "")] = decode(match[2] ?? "");
  }
  return fields;
}

describe("autoSubmitFormHtml", () => {
  const tricky = "Tea & \"Coffee\" 'special' <x> ~ ( ) * ! 100% 茶葉 𠮷";
  const form = build({ itemName: tricky.replace(/[<>]/g, ""), customField1: "a&b<c>d" })._unsafeUnwrap();
  const html = String(autoSubmitFormHtml(form, { submitLabel: "前往綠界付款 & pay" }));

  it("posts to the signed action in UTF-8 with one hidden input per signed field, values unchanged", () => {
    expect(html).toContain(
      '<form id="ecpay-checkout-form" method="post" action="https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5" accept-charset="UTF-8">',
    );
    expect(postedFields(html)).toEqual(form.fields);
    expect(verifyCheckMacValue(postedFields(html), STAGE)).toBe(true);
  });

  it("has a visible submit button without a name, so it works without JavaScript and adds no field", () => {
    expect(html).toContain('<button type="submit">前往綠界付款 &amp; pay</button>');
    expect(html).not.toMatch(/<button[^>]*name=/);
  });

  it("submits itself with a constant inline script, right after its form, carrying the CSP nonce it is given", () => {
    const custom = String(autoSubmitFormHtml(form, { submitLabel: "Pay", formId: "pay-form", nonce: "abc123" }));
    expect(custom).toContain('<form id="pay-form"');
    expect(custom).toMatch(/<\/form>\n<script nonce="abc123">document\.currentScript\.previousElementSibling\.submit\(\);<\/script>$/);
    expect(html).toContain("<script>document.currentScript.previousElementSibling.submit();</script>");
  });

  it("cannot be broken out of by a form id containing markup", () => {
    const hostile = String(autoSubmitFormHtml(form, { submitLabel: "Pay", formId: '"></form><script>x</script>', nonce: '"><script>y' }));
    expect(hostile).not.toContain("<script>y");
    expect(hostile).not.toContain("<script>x</script>");
    expect(hostile).not.toContain('"></form>');
  });

  it("escapes exactly & < > \" ' in attributes and leaves every other character as is", () => {
    expect(escapeHtmlAttribute(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
    const others = [...PRINTABLE_ASCII, ...CJK_SAMPLE].filter((c) => !`&<>"'`.includes(c)).join("");
    expect(escapeHtmlAttribute(others)).toBe(others);
  });
});
