import { describe, expect, it } from "vitest";
import { bilingual } from "~/i18n";
import { PAYMENT_METHODS, type MethodHandle } from "~/payments/methods";
import { wholeTwd } from "~/payments/money";
import { capturedAmountOf, checkOperationRules, type PaymentFigures, type RuleInput } from "~/payments/operations/rules";

const NOW = new Date("2026-03-02T04:00:00Z");

const paidSale: PaymentFigures = {
  status: "PAID",
  kind: "SALE",
  amount: 1000,
  capturedAmount: 0,
  refundedAmount: 0,
  authorizationExpiresAt: null,
};
const authorized: PaymentFigures = {
  status: "AUTHORIZED",
  kind: "AUTHORIZATION",
  amount: 1000,
  capturedAmount: 0,
  refundedAmount: 0,
  authorizationExpiresAt: new Date("2026-03-20T00:00:00Z"),
};

function input(type: RuleInput["type"], method: MethodHandle, overrides: Partial<RuleInput> = {}): RuleInput {
  const amountRaw = overrides.amountRaw ?? (type === "void" ? null : "1000.00");
  return {
    type,
    method: PAYMENT_METHODS[method],
    amountRaw,
    amount: amountRaw === null ? null : wholeTwd(amountRaw),
    currency: type === "void" ? null : "TWD",
    payment: type === "refund" ? paidSale : authorized,
    trade: null,
    now: NOW,
    ...overrides,
  };
}

describe("refund rules", () => {
  it.each(["atm", "webatm"] as const)("rejects a %s refund asking the merchant to arrange it with the buyer", (method) => {
    expect(checkOperationRules(input("refund", method))).toEqual({ ok: false, rejection: { code: "PROCESSING_ERROR", message: "refund.contactBuyer" } });
  });

  it.each(["twqr", "wechatpay"] as const)("rejects a %s refund pointing to the OPay back office", (method) => {
    expect(checkOperationRules(input("refund", method))).toEqual({ ok: false, rejection: { code: "PROCESSING_ERROR", message: "refund.opayBackOffice" } });
  });

  it.each(["installments", "redeem"] as const)("rejects a partial %s refund and accepts the full one", (method) => {
    const partial = checkOperationRules(input("refund", method, { amountRaw: "400.00", amount: 400 }));
    expect(partial).toEqual({ ok: false, rejection: { code: "PROCESSING_ERROR", message: "refund.fullOnly" } });
    expect(checkOperationRules(input("refund", method))).toEqual({ ok: true, amount: 1000, full: true });
  });

  it("accepts a partial credit refund and then a full refund of the rest", () => {
    expect(checkOperationRules(input("refund", "credit", { amountRaw: "300", amount: 300 }))).toEqual({ ok: true, amount: 300, full: false });
    const afterPartial = { ...paidSale, status: "PARTIALLY_REFUNDED" as const, capturedAmount: 1000, refundedAmount: 300 };
    expect(checkOperationRules(input("refund", "credit", { amountRaw: "700", amount: 700, payment: afterPartial }))).toEqual({
      ok: true,
      amount: 700,
      full: true,
    });
  });

  it("rejects a refund above what was captured minus what was refunded, naming both amounts", () => {
    const afterPartial = { ...paidSale, status: "PARTIALLY_REFUNDED" as const, refundedAmount: 300 };
    expect(checkOperationRules(input("refund", "credit", { amountRaw: "800", amount: 800, payment: afterPartial }))).toEqual({
      ok: false,
      rejection: { code: "PROCESSING_ERROR", message: "refund.exceedsRefundable", vars: { amount: "NT$800", refundable: "NT$700" } },
    });
  });

  it("names the amounts as everywhere else (NT$2,380), in both languages of the merchant message", () => {
    const big = { ...paidSale, amount: 2380 };
    const decision = checkOperationRules(input("refund", "credit", { amountRaw: "12380", amount: 12380, payment: big }));
    expect(decision).toMatchObject({ ok: false, rejection: { vars: { amount: "NT$12,380", refundable: "NT$2,380" } } });
    if (decision.ok) throw new Error("expected a rejection");
    expect(bilingual(decision.rejection.message, decision.rejection.vars)).toBe(
      "退款金額 NT$12,380 超過可退款金額 NT$2,380。 / The refund amount NT$12,380 exceeds the refundable NT$2,380.",
    );
  });

  it("rejects a refund of an authorization that was never captured", () => {
    expect(checkOperationRules(input("refund", "credit", { payment: authorized }))).toMatchObject({ ok: false, rejection: { message: "refund.notPaid" } });
  });

  it("rejects fractional amounts and other currencies without rounding", () => {
    expect(checkOperationRules(input("refund", "credit", { amountRaw: "99.50" }))).toEqual({
      ok: false,
      rejection: { code: "PROCESSING_ERROR", message: "operation.amountNotWhole", vars: { amount: "99.50" } },
    });
    expect(checkOperationRules(input("refund", "credit", { currency: "USD" }))).toMatchObject({
      ok: false,
      rejection: { message: "operation.currencyNotTwd", vars: { currency: "USD" } },
    });
  });

  it("counts a paid sale as captured even when no capture was recorded", () => {
    expect(capturedAmountOf(paidSale)).toBe(1000);
    expect(capturedAmountOf(authorized)).toBe(0);
    expect(capturedAmountOf({ ...authorized, status: "PAID", capturedAmount: 600 })).toBe(600);
  });
});

describe("capture and void rules", () => {
  it.each(["unionpay", "atm", "twqr"] as const)("rejects capture and void on %s, which has no authorization", (method) => {
    expect(checkOperationRules(input("capture", method))).toMatchObject({ ok: false, rejection: { message: "capture.notSupported" } });
    expect(checkOperationRules(input("void", method))).toMatchObject({ ok: false, rejection: { message: "void.notSupported" } });
  });

  it("captures up to the authorized amount, and only while authorized", () => {
    expect(checkOperationRules(input("capture", "credit", { amountRaw: "600", amount: 600 }))).toEqual({ ok: true, amount: 600, full: false });
    expect(checkOperationRules(input("capture", "credit", { amountRaw: "1001", amount: 1001 }))).toMatchObject({
      ok: false,
      rejection: { message: "capture.exceedsAuthorized", vars: { amount: "NT$1,001", authorized: "NT$1,000" } },
    });
    expect(checkOperationRules(input("capture", "credit", { payment: { ...authorized, status: "PAID" } }))).toMatchObject({
      ok: false,
      rejection: { message: "capture.notAuthorized" },
    });
  });

  it("captures installments only in full", () => {
    expect(checkOperationRules(input("capture", "installments", { amountRaw: "600", amount: 600 }))).toMatchObject({
      ok: false,
      rejection: { message: "capture.fullOnly" },
    });
  });

  it("decides from the trade: a credit-app trade paid in installments or with points moves only in full", () => {
    const installments = { unionPay: false, installmentStages: 6, redeemedAmount: null };
    const points = { unionPay: false, installmentStages: null, redeemedAmount: 100 };
    for (const trade of [installments, points]) {
      expect(checkOperationRules(input("refund", "credit", { amountRaw: "400", amount: 400, trade }))).toMatchObject({ ok: false, rejection: { message: "refund.fullOnly" } });
      expect(checkOperationRules(input("refund", "credit", { trade }))).toEqual({ ok: true, amount: 1000, full: true });
      expect(checkOperationRules(input("capture", "credit", { amountRaw: "600", amount: 600, trade }))).toMatchObject({ ok: false, rejection: { message: "capture.fullOnly" } });
    }
  });

  it("refuses capture and void of a UnionPay trade, which ECPay captured at authorization", () => {
    const trade = { unionPay: true, installmentStages: null, redeemedAmount: null };
    expect(checkOperationRules(input("capture", "credit", { trade }))).toMatchObject({ ok: false, rejection: { message: "operation.unionPayClosed" } });
    expect(checkOperationRules(input("void", "credit", { trade }))).toMatchObject({ ok: false, rejection: { message: "operation.unionPayClosed" } });
    expect(checkOperationRules(input("refund", "credit", { amountRaw: "400", amount: 400, trade }))).toEqual({ ok: true, amount: 400, full: false });
  });

  it("rejects a capture after the authorization expired with AUTHORIZATION_EXPIRED", () => {
    const expired = { ...authorized, authorizationExpiresAt: new Date(NOW.getTime() - 1000) };
    expect(checkOperationRules(input("capture", "credit", { payment: expired }))).toEqual({
      ok: false,
      rejection: { code: "AUTHORIZATION_EXPIRED", message: "capture.expired" },
    });
  });

  it("voids the whole authorization and nothing that was captured", () => {
    expect(checkOperationRules(input("void", "redeem"))).toEqual({ ok: true, amount: 1000, full: true });
    expect(checkOperationRules(input("void", "credit", { payment: { ...authorized, status: "PAID" } }))).toMatchObject({
      ok: false,
      rejection: { message: "void.notAuthorized" },
    });
  });
});
