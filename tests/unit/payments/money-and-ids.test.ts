import { describe, expect, it } from "vitest";
import { customFieldToPaymentId, paymentIdToCustomField } from "~/payments/custom-field";
import { atmDeadline } from "~/payments/settlement.server";
import { createMerchantTradeNo, createOutboxMessageId, createPaymentId, createShopDomain, createTradeNo, MerchantTradeNoSchema, ShopDomainSchema } from "~/payments/ids";
import { TwdSchema, wholeTwd } from "~/payments/money";

describe("Shopify amounts in TWD", () => {
  it("accepts whole amounts with or without zero decimals", () => {
    expect(wholeTwd("1234.00")).toBe(1234);
    expect(wholeTwd("1234")).toBe(1234);
    expect(wholeTwd("50.0")).toBe(50);
  });

  it("refuses fractions, zero, negatives and garbage instead of rounding", () => {
    for (const bad of ["100.50", "0.01", "0", "0.00", "-5", "1e3", "12,000", "", "abc", "1234.001"]) {
      expect(wholeTwd(bad), bad).toBeNull();
    }
  });
});

describe("the Shopify payment id in ECPay's CustomField1", () => {
  it("round-trips ids with underscores and hyphens using only characters ECPay allows", () => {
    for (const id of ["XKFLceXnDNArC62_FdpiGHcZ", "yU_qEozdTrtYeoZeBRBq4uAG", "a-b_c-d", "plain123"]) {
      const field = paymentIdToCustomField(id);
      expect(field).toMatch(/^[A-Za-z0-9,.#()$[\];%{}:/?&@<>!]*$/);
      expect(customFieldToPaymentId(field)).toBe(id);
    }
  });
});

describe("the ATM deadline", () => {
  it("is the end of ECPay's ExpireDate in Taiwan time", () => {
    expect(atmDeadline("2026/11/27")?.toISOString()).toBe("2026-11-27T15:59:59.000Z");
  });

  it("is unknown for a malformed date", () => {
    expect(atmDeadline("27/11/2026")).toBeNull();
  });
});

describe("branded ids and amounts at the edges", () => {
  it("parse what Shopify and ECPay send and keep the value", () => {
    expect(createPaymentId("XKFLceXnDNArC62_FdpiGHcZ")).toBe("XKFLceXnDNArC62_FdpiGHcZ");
    expect(createShopDomain("Demo-Shop.myshopify.com")).toBe("demo-shop.myshopify.com");
    expect(createShopDomain("shop.example.tw")).toBe("shop.example.tw");
    expect(createMerchantTradeNo("2612031400ABCDEFGH12")).toBe("2612031400ABCDEFGH12");
    expect(createTradeNo("2611250000000001")).toBe("2611250000000001");
    expect(createOutboxMessageId("cmabc123xyz")).toBe("cmabc123xyz");
    expect(TwdSchema.parse(1280)).toBe(1280);
  });

  it("refuse empty, oversized or malformed values instead of passing them on", () => {
    expect(() => createPaymentId("")).toThrow();
    expect(() => createPaymentId("x".repeat(256))).toThrow();
    for (const bad of ["", "shop", "evil.example.com/path", "-shop.myshopify.com", "shop..myshopify.com"]) {
      expect(ShopDomainSchema.safeParse(bad).success, bad).toBe(false);
    }
    for (const bad of ["", "2612031400ABCDEFGH123", "2612-0314", "國泰"]) {
      expect(MerchantTradeNoSchema.safeParse(bad).success, bad).toBe(false);
    }
    expect(() => createOutboxMessageId("a b")).toThrow();
    for (const bad of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1]) expect(TwdSchema.safeParse(bad).success, String(bad)).toBe(false);
  });
});
