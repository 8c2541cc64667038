import { describe, expect, it } from "vitest";
import { defaultAdminLocale } from "~/web/admin-context.server";
import { checkDateRange, isCalendarDate } from "~/admin/date-range";
import { paymentTypeLabel, paymentTypesFor, usedPaymentType } from "~/admin/payment-types";
import { getMethod } from "~/payments/methods";

describe("ECPay payment types as the merchant reads them", () => {
  it("labels cards, ATM and WebATM banks, TWQR and WeChat Pay in both languages, and shows unknown values as sent", () => {
    expect(paymentTypeLabel("zh-TW", "Credit_CreditCard")).toBe("信用卡");
    expect(paymentTypeLabel("en", "Credit_CreditCard")).toBe("Credit card");
    expect(paymentTypeLabel("zh-TW", "ATM_TAISHIN")).toBe("ATM虛擬帳號（台新銀行）");
    expect(paymentTypeLabel("en", "WebATM_BOT")).toBe("WebATM (Bank of Taiwan)");
    expect(paymentTypeLabel("zh-TW", "TWQR_OPAY")).toBe("歐付寶TWQR");
    expect(paymentTypeLabel("en", "WeiXin_OPAY")).toBe("WeChat Pay");
    expect(paymentTypeLabel("en", "ATM_NEWBANK")).toBe("ATM virtual account (NEWBANK)");
    expect(paymentTypeLabel("en", "BNPL_URICH")).toBe("BNPL_URICH");
    expect(paymentTypeLabel("en", null)).toBe("");
  });

  it("offers each app only the payment types its ChoosePayment can produce", () => {
    expect(paymentTypesFor(getMethod("installments"))).toEqual(["Credit_CreditCard"]);
    expect(paymentTypesFor(getMethod("atm"))).toContain("ATM_TAISHIN");
    expect(paymentTypesFor(getMethod("webatm")).every((t) => t.startsWith("WebATM_"))).toBe(true);
    expect(paymentTypesFor(getMethod("wechatpay"))).toEqual(["WeiXin_OPAY"]);
  });

  it("takes the type of the attempt that paid, else the latest ECPay reported", () => {
    expect(usedPaymentType([{ status: "FAILED", paymentType: "ATM_BOT" }, { status: "PAID", paymentType: "ATM_TAISHIN" }, { status: "CREATED", paymentType: null }])).toBe("ATM_TAISHIN");
    expect(usedPaymentType([{ status: "ISSUED", paymentType: "ATM_BOT" }, { status: "CREATED", paymentType: null }])).toBe("ATM_BOT");
    expect(usedPaymentType([])).toBeNull();
  });
});

describe("date ranges typed by the merchant", () => {
  it("knows real calendar days", () => {
    expect(isCalendarDate("2024-02-29")).toBe(true);
    expect(isCalendarDate("2025-02-29")).toBe(false);
    expect(isCalendarDate("2025-13-01")).toBe(false);
    expect(isCalendarDate("2025-1-01")).toBe(false);
  });

  it("reports bad, missing and reversed dates on their fields instead of dropping them", () => {
    expect(checkDateRange("", "", { required: false })).toEqual({});
    expect(checkDateRange("", "", { required: true })).toEqual({ from: "admin.date.required", to: "admin.date.required" });
    expect(checkDateRange("2025-02-30", "2025-03-01", { required: false })).toEqual({ from: "admin.date.invalid" });
    expect(checkDateRange("2025-03-02", "2025-03-01", { required: true })).toEqual({ to: "admin.date.reversed" });
    expect(checkDateRange("2025-03-01", "2025-03-01", { required: true })).toEqual({});
  });
});

describe("the admin's language before the merchant chooses one", () => {
  it("is Chinese for a Chinese-speaking (or unknown) merchant and English for anyone else", () => {
    expect(defaultAdminLocale("zh-TW,zh;q=0.9,en;q=0.8")).toBe("zh-TW");
    expect(defaultAdminLocale("zh")).toBe("zh-TW");
    expect(defaultAdminLocale(null)).toBe("zh-TW");
    expect(defaultAdminLocale("en-US,en;q=0.9")).toBe("en");
    expect(defaultAdminLocale("ja-JP,ja;q=0.9")).toBe("en");
  });
});
