import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ATM_MAX_EXPIRE_DAYS,
  METHOD_HANDLES,
  PAYMENT_METHODS,
  isMethodHandle,
  parseMethodSettings,
} from "~/payments/methods";

// Shopify accepts only names from activemerchant/payment_icons (copied from shared/data/payment-icon-names.txt).
const iconNames = new Set(
  readFileSync(new URL("../fixtures/payment-icon-names.txt", import.meta.url), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean),
);

describe("the payment method registry", () => {
  it("holds exactly the eight handles of DESIGN §2 in order", () => {
    expect(METHOD_HANDLES).toEqual(["credit", "installments", "redeem", "unionpay", "atm", "webatm", "twqr", "wechatpay"]);
    expect(Object.keys(PAYMENT_METHODS)).toEqual([...METHOD_HANDLES]);
  });

  it("states each method's facts once: card trades are exactly the ChoosePayment=Credit methods, and only ATM pays into an issued account", () => {
    for (const method of Object.values(PAYMENT_METHODS)) {
      expect(method.cardTrade, method.handle).toBe(method.ecpay.choosePayment === "Credit");
      expect(method.pending, method.handle).toBe(method.ecpay.choosePayment === "ATM");
      // Capture and void exist only on card trades.
      if (method.supportsAuthorization) expect(method.cardTrade, method.handle).toBe(true);
    }
  });

  it("keeps every Shopify label within the 50-character limit", () => {
    for (const method of Object.values(PAYMENT_METHODS)) {
      expect(method.merchantLabel.length).toBeLessThanOrEqual(50);
      expect(method.buyerLabel["zh-TW"].length).toBeLessThanOrEqual(50);
      expect(method.buyerLabel.en.length).toBeLessThanOrEqual(50);
    }
  });

  it("uses only payment icon names that Shopify accepts", () => {
    for (const method of Object.values(PAYMENT_METHODS)) {
      for (const icon of method.icons) expect(iconNames.has(icon), `${method.handle}: ${icon}`).toBe(true);
    }
  });

  it("maps each method to the ECPay parameters of DESIGN §2", () => {
    expect(PAYMENT_METHODS.credit.ecpay).toEqual({ choosePayment: "Credit", extra: { UnionPay: "2" } });
    expect(PAYMENT_METHODS.redeem.ecpay).toEqual({ choosePayment: "Credit", extra: { Redeem: "Y", UnionPay: "2" } });
    expect(PAYMENT_METHODS.unionpay.ecpay).toEqual({ choosePayment: "Credit", extra: { UnionPay: "1" } });
    expect(PAYMENT_METHODS.atm.ecpay.choosePayment).toBe("ATM");
    expect(PAYMENT_METHODS.webatm.ecpay.choosePayment).toBe("WebATM");
    expect(PAYMENT_METHODS.twqr.ecpay.choosePayment).toBe("TWQR");
    expect(PAYMENT_METHODS.wechatpay.ecpay.choosePayment).toBe("WeiXin");
  });

  it("offers authorization only for the card methods that can be captured later", () => {
    const withAuth = METHOD_HANDLES.filter((m) => PAYMENT_METHODS[m].kinds.includes("authorization"));
    expect(withAuth).toEqual(["credit", "installments", "redeem"]);
    for (const m of METHOD_HANDLES) {
      expect(PAYMENT_METHODS[m].supportsAuthorization).toBe(withAuth.includes(m));
    }
  });

  it("states the refund rules of the manual §6", () => {
    const rules = Object.fromEntries(METHOD_HANDLES.map((m) => [m, PAYMENT_METHODS[m].refund]));
    expect(rules).toEqual({
      credit: "partial",
      installments: "full-only",
      redeem: "full-only",
      unionpay: "partial",
      atm: "contact-buyer",
      webatm: "contact-buyer",
      twqr: "opay-back-office",
      wechatpay: "opay-back-office",
    });
  });

  it("marks ATM as the only method that waits in pending", () => {
    expect(METHOD_HANDLES.filter((m) => PAYMENT_METHODS[m].pending)).toEqual(["atm"]);
  });

  it("recognizes method handles and nothing else", () => {
    expect(isMethodHandle("atm")).toBe(true);
    expect(isMethodHandle("ATM")).toBe(false);
    expect(isMethodHandle("paypal")).toBe(false);
    expect(isMethodHandle(undefined)).toBe(false);
  });

  it("falls back to default settings when the stored JSON is missing or invalid", () => {
    expect(parseMethodSettings("installments", null)).toEqual({ periods: ["3", "6", "12"] });
    expect(parseMethodSettings("installments", '{"periods":["7"]}')).toEqual({ periods: ["3", "6", "12"] });
    expect(parseMethodSettings("atm", "not json")).toEqual({ expireDays: 2 });
    // Saved when 3 days were offered: read as the longest deadline allowed now.
    expect(parseMethodSettings("atm", '{"expireDays":3}')).toEqual({ expireDays: ATM_MAX_EXPIRE_DAYS });
    expect(parseMethodSettings("atm", '{"expireDays":1}')).toEqual({ expireDays: 1 });
    expect(parseMethodSettings("installments", '{"periods":["3","30N"]}')).toEqual({ periods: ["3", "30N"] });
  });
});
