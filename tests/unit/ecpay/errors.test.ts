import { describe, expect, it } from "vitest";
import { mapEcpayFailure, type EcpayFailure } from "~/ecpay/errors";
import type { EcpayErrorKind } from "~/ecpay/types";

const cases: Array<[string, EcpayFailure, EcpayErrorKind, string | undefined]> = [
  ["a timeout", { type: "network", timedOut: true, detail: "aborted" }, "indeterminate", undefined],
  ["a connection failure", { type: "network", timedOut: false, detail: "ECONNRESET" }, "indeterminate", undefined],
  ["HTTP 403", { type: "http", status: 403, body: "" }, "rate-limited", "403"],
  ["HTTP 500", { type: "http", status: 500, body: "oops" }, "indeterminate", "500"],
  ["HTTP 404", { type: "http", status: 404, body: "Not Found" }, "indeterminate", "404"],
  ["HTTP 400 saying CheckMacValue Error", { type: "http", status: 400, body: "10200073 CheckMacValue Error." }, "wrong-credentials", "10200073"],
  ["RtnCode 10200073", { type: "rejected", code: "10200073", message: "" }, "wrong-credentials", "10200073"],
  ["a CheckMacValue Error message", { type: "rejected", code: "0", message: "CheckMacValue Error" }, "wrong-credentials", "0"],
  ["stage MerchantID in production (10200094)", { type: "rejected", code: "10200094", message: "請檢查是否於正式環境誤用測試環境之MerchantID" }, "wrong-credentials", "10200094"],
  ["an unknown MerchantID", { type: "rejected", code: "10200052", message: "MerchantID Error." }, "wrong-credentials", "10200052"],
  ["a wrong CreditCheckCode", { type: "rejected", message: "CreditCheckCode Error." }, "wrong-credentials", undefined],
  ["DoAction on stage", { type: "rejected", code: "0", message: "測試環境無法使用此 API" }, "not-allowed", "0"],
  ["a service not enabled (10200141)", { type: "rejected", code: "10200141", message: "" }, "not-allowed", "10200141"],
  ["a partial refund of installments", { type: "rejected", code: "0", message: "分期交易僅能全額退款" }, "not-allowed", "0"],
  ["the 21-day close limit", { type: "rejected", message: "error_overDate" }, "not-allowed", undefined],
  ["a refund above the order amount", { type: "rejected", code: "0", message: "Refund amount exceeds the order" }, "not-allowed", "0"],
  ["a plain refusal", { type: "rejected", code: "10100058", message: "付款失敗" }, "declined", "10100058"],
  ["error_nopay", { type: "rejected", message: "error_nopay" }, "declined", undefined],
  ["an unreadable answer", { type: "unreadable", body: "<html>", reason: "no RtnCode" }, "indeterminate", undefined],
  ["an unreadable CheckMacValue Error page", { type: "unreadable", body: "CheckMacValue Error.", reason: "not JSON" }, "wrong-credentials", "10200073"],
];

describe("mapEcpayFailure", () => {
  it.each(cases)("maps %s to its kind and code", (_label, failure, kind, code) => {
    const error = mapEcpayFailure("DoAction R", failure);
    expect(error.kind).toBe(kind);
    expect(error.code).toBe(code);
    expect(error.message.startsWith("DoAction R: ")).toBe(true);
  });

  it("says which credential ECPay refused, so a form can point at it without reading ECPay's codes", () => {
    const refused = (code: string | undefined, message: string) => mapEcpayFailure("QueryTradeInfo", { type: "rejected", ...(code && { code }), message }).credentials;
    expect(refused("10200094", "請檢查是否於正式環境誤用測試環境之MerchantID")).toBe("stage-merchant-in-production");
    expect(refused("10200044", "MerchantID Error.")).toBe("unknown-merchant");
    expect(refused("10200073", "CheckMacValue Error / MerchantID Error")).toBe("keys");
    expect(refused(undefined, "CreditCheckCode Error.")).toBe("keys");
    expect(mapEcpayFailure("QueryTradeInfo", { type: "http", status: 400, body: "10200073 CheckMacValue Error." }).credentials).toBe("keys");
    expect(mapEcpayFailure("QueryTradeInfo", { type: "rejected", code: "0", message: "分期交易僅能全額退款" }).credentials).toBeUndefined();
  });

  it("keeps ECPay's own words in the message of a refusal", () => {
    expect(mapEcpayFailure("DoAction R", { type: "rejected", code: "0", message: "分期交易僅能全額退款" }).message).toContain("分期交易僅能全額退款");
  });
});
