import { describe, expect, it } from "vitest";
import { notificationOutcome, paidCardFacts, paymentInfoOutcome, tradeQueryOutcome } from "~/ecpay/outcomes";
import type { EcpayCallback, PaymentInfo, TradeInfo } from "~/ecpay/types";

// Verified messages as the parsers hand them over (callbacks.ts, ecpay-gateway.ts).
function callback(overrides: Partial<EcpayCallback> = {}): EcpayCallback {
  return {
    merchantId: "3002607",
    merchantTradeNo: "250101002609AB12CD34",
    rtnCode: "1",
    rtnMsg: "交易成功",
    tradeNo: "2501010027411234",
    tradeAmt: 1733,
    paymentType: "Credit_CreditCard",
    paymentDate: "2025/01/01 00:27:41",
    tradeDate: "2025/01/01 00:26:09",
    simulatePaid: false,
    chargeFee: "43",
    customField1: "rXsWmT5cLc4FfGfOqN0yB1aPz",
    bankCode: null,
    vAccount: null,
    expireDate: null,
    gwsr: "13120889",
    fields: { stage: "0", red_de_amt: "0" },
    ...overrides,
  };
}

const atmIssued = (overrides: Partial<EcpayCallback> = {}) =>
  callback({
    rtnCode: "2",
    rtnMsg: "Get VirtualAccount Succeeded",
    paymentType: "ATM_TAISHIN",
    paymentDate: null,
    chargeFee: null,
    gwsr: null,
    bankCode: "812",
    vAccount: "9103522175887271",
    expireDate: "2025/01/03",
    fields: {},
    ...overrides,
  });

function tradeInfo(tradeStatus: string, overrides: Partial<TradeInfo> = {}): TradeInfo {
  return {
    merchantTradeNo: "250101002609AB12CD34",
    tradeNo: "2501010027411234",
    tradeAmt: 1733,
    tradeStatus,
    paymentType: "Credit_CreditCard",
    paymentDate: tradeStatus === "1" ? "2025/01/01 00:27:41" : null,
    chargeFee: "43",
    customField1: "rXsWmT5cLc4FfGfOqN0yB1aPz",
    simulatePaid: false,
    gwsr: "13120889",
    fields: { stage: "3", red_de_amt: "" },
    ...overrides,
  };
}

function paymentInfo(rtnCode: string, overrides: Partial<PaymentInfo> = {}): PaymentInfo {
  const issued = rtnCode === "2";
  return {
    merchantTradeNo: "250101002609AB12CD34",
    rtnCode,
    rtnMsg: issued ? "Get VirtualAccount Succeeded" : "訂單已付款，無法查詢取號資訊",
    tradeNo: issued ? "2501010027411234" : "",
    tradeAmt: issued ? 1733 : 0,
    paymentType: issued ? "ATM_TAISHIN" : "",
    bankCode: issued ? "812" : null,
    vAccount: issued ? "9103522175887271" : null,
    expireDate: issued ? "2025/01/03" : null,
    customField1: issued ? "rXsWmT5cLc4FfGfOqN0yB1aPz" : "",
    fields: {},
    ...overrides,
  };
}

describe("notificationOutcome", () => {
  it("reads RtnCode 1 on ReturnURL and OrderResultURL as paid, with the facts the settlement stores", () => {
    const paid = notificationOutcome(callback(), "ReturnURL");
    expect(paid).toEqual({
      kind: "paid",
      trade: { merchantTradeNo: "250101002609AB12CD34", tradeNo: "2501010027411234", amount: 1733, customField1: "rXsWmT5cLc4FfGfOqN0yB1aPz" },
      facts: {
        tradeNo: "2501010027411234",
        tradeAmt: 1733,
        paymentType: "Credit_CreditCard",
        paymentDate: "2025/01/01 00:27:41",
        chargeFee: "43",
        simulatePaid: false,
        gwsr: "13120889",
        installmentStages: null,
        redeemedAmount: null,
        rtnCode: "1",
        rtnMsg: "交易成功",
      },
    });
    expect(notificationOutcome(callback(), "OrderResultURL").kind).toBe("paid");
  });

  it("keeps a simulated payment paid and says so in its facts: the domain decides what it is worth", () => {
    const simulated = notificationOutcome(callback({ simulatePaid: true }), "ReturnURL");
    expect(simulated.kind).toBe("paid");
    expect(simulated.kind === "paid" && simulated.facts.simulatePaid).toBe(true);
  });

  it("reads the installment count and bonus points of a paid card trade from its NeedExtraPaidInfo fields", () => {
    const paid = notificationOutcome(callback({ fields: { stage: "6", red_de_amt: "120" } }), "ReturnURL");
    expect(paid.kind === "paid" && paid.facts).toMatchObject({ installmentStages: 6, redeemedAmount: 120 });
  });

  it("reads RtnCode 2 on PaymentInfoURL with the account's fields as an issued ATM account", () => {
    expect(notificationOutcome(atmIssued(), "PaymentInfoURL")).toEqual({
      kind: "pending-account-issued",
      trade: { merchantTradeNo: "250101002609AB12CD34", tradeNo: "2501010027411234", amount: 1733, customField1: "rXsWmT5cLc4FfGfOqN0yB1aPz" },
      facts: { tradeNo: "2501010027411234", bankCode: "812", vAccount: "9103522175887271", expireDate: "2025/01/03" },
    });
  });

  it("reads RtnCode 2 as a failure anywhere but PaymentInfoURL, and without an account to show", () => {
    expect(notificationOutcome(atmIssued(), "ReturnURL").kind).toBe("failed");
    expect(notificationOutcome(atmIssued(), "OrderResultURL").kind).toBe("failed");
    expect(notificationOutcome(atmIssued({ vAccount: null }), "PaymentInfoURL").kind).toBe("failed");
  });

  it("reads every other RtnCode as failed, keeping ECPay's code and message verbatim", () => {
    for (const rtnCode of ["0", "10100058", "10200095", "-1"]) {
      const failed = notificationOutcome(callback({ rtnCode, rtnMsg: "付款失敗" }), "ReturnURL");
      expect(failed).toMatchObject({ kind: "failed", facts: { ecpayCode: rtnCode, ecpayMessage: "付款失敗" } });
    }
  });
});

describe("tradeQueryOutcome", () => {
  it("reads TradeStatus 1 as paid, stored on the attempt as a notification's RtnCode 1 would be", () => {
    const paid = tradeQueryOutcome(tradeInfo("1"));
    expect(paid.kind).toBe("paid");
    expect(paid.kind === "paid" && paid.facts).toMatchObject({
      tradeNo: "2501010027411234",
      tradeAmt: 1733,
      paymentDate: "2025/01/01 00:27:41",
      gwsr: "13120889",
      installmentStages: 3,
      redeemedAmount: null,
      rtnCode: "1",
      rtnMsg: "QueryTradeInfo TradeStatus=1",
    });
  });

  it("reads TradeStatus 0 as unpaid (an ATM account waiting for its transfer answers so too)", () => {
    expect(tradeQueryOutcome(tradeInfo("0")).kind).toBe("unpaid");
    expect(tradeQueryOutcome(tradeInfo("0", { paymentType: "ATM_TAISHIN" })).kind).toBe("unpaid");
  });

  it("reads TradeStatus 10200095 as a payment the buyer never completed, not as a failure", () => {
    expect(tradeQueryOutcome(tradeInfo("10200095"))).toMatchObject({
      kind: "not-completed",
      facts: { ecpayCode: "10200095", ecpayMessage: "QueryTradeInfo: 交易訂單未成立" },
    });
  });

  it("reads TradeStatus 10200047 as a trade ECPay does not have", () => {
    const unknown = tradeQueryOutcome(tradeInfo("10200047", { tradeNo: "", tradeAmt: 0, customField1: "" }));
    expect(unknown).toMatchObject({ kind: "not-found", trade: { tradeNo: "", amount: 0 } });
  });

  it("concludes nothing from a TradeStatus ECPay does not document", () => {
    for (const status of ["2", "10200001", "99999999"]) {
      expect(tradeQueryOutcome(tradeInfo(status))).toMatchObject({ kind: "unrecognised", facts: { ecpayCode: status } });
    }
  });
});

describe("paymentInfoOutcome", () => {
  it("reads RtnCode 2 with the account's fields as an issued ATM account", () => {
    expect(paymentInfoOutcome(paymentInfo("2"))).toMatchObject({
      kind: "pending-account-issued",
      trade: { amount: 1733, customField1: "rXsWmT5cLc4FfGfOqN0yB1aPz" },
      facts: { bankCode: "812", vAccount: "9103522175887271", expireDate: "2025/01/03" },
    });
  });

  it("reads 10200047 as no such trade and any other answer as no account to report yet", () => {
    expect(paymentInfoOutcome(paymentInfo("10200047")).kind).toBe("not-found");
    expect(paymentInfoOutcome(paymentInfo("90000001")).kind).toBe("unpaid");
    expect(paymentInfoOutcome(paymentInfo("2", { bankCode: null })).kind).toBe("unpaid");
  });
});

describe("paidCardFacts", () => {
  it("treats empty, zero and malformed extras as none", () => {
    expect(paidCardFacts({})).toEqual({ installmentStages: null, redeemedAmount: null });
    expect(paidCardFacts({ stage: "0", red_de_amt: "" })).toEqual({ installmentStages: null, redeemedAmount: null });
    expect(paidCardFacts({ stage: "3a", red_de_amt: 50 })).toEqual({ installmentStages: null, redeemedAmount: null });
  });
});
