import { err, ok } from "neverthrow";
import { describe, expect, it } from "vitest";
import { explainProbeError, openPendingBinding, probeBinding, sealPendingBinding, type ProbeGateway } from "~/admin/bind.server";
import { mapEcpayFailure } from "~/ecpay/errors";
import type { EcpayCredentials, EcpayError, TradeInfo } from "~/ecpay/types";
import { createSecretBox } from "~/lib/secrets.server";

const box = createSecretBox({ ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") });
const INPUT = { merchantId: "3150001", hashKey: "AbCdEfGh12345678", hashIv: "IvIvIvIv87654321" };
const NOW = new Date("2025-05-01T00:00:00Z");

function gateway(answer: (credentials: EcpayCredentials) => EcpayError | null) {
  const calls: EcpayCredentials[] = [];
  const fake = {
    async queryTradeInfo(credentials: EcpayCredentials, merchantTradeNo: string) {
      calls.push(credentials);
      const failure = answer(credentials);
      const info: TradeInfo = { merchantTradeNo, tradeNo: "", tradeAmt: 0, tradeStatus: "10200047", paymentType: "", paymentDate: null, chargeFee: null, customField1: "", simulatePaid: false, gwsr: null, fields: {} };
      return failure ? err(failure) : ok(info);
    },
  } satisfies ProbeGateway;
  return { gateway: fake, calls };
}

describe("explaining ECPay's answer to the probe", () => {
  it("points at HashKey/HashIV for a CheckMacValue error", () => {
    const error = mapEcpayFailure("QueryTradeInfo", { type: "rejected", code: "10200073", message: "CheckMacValue verify fail" });
    expect(explainProbeError("production", error)).toEqual({
      kind: "rejected",
      errors: { hashKey: "admin.bind.error.keysWrong", hashIv: "admin.bind.error.keysWrong" },
      message: "admin.bind.error.keysWrong",
    });
  });

  it("points at the MerchantID when ECPay does not know it, on the environment that refused", () => {
    const error = mapEcpayFailure("QueryTradeInfo", { type: "rejected", code: "10200044", message: "MerchantID Error." });
    expect(explainProbeError("production", error)).toMatchObject({ errors: { merchantId: "admin.bind.error.merchantIdUnknown" } });
    expect(explainProbeError("stage", error)).toMatchObject({ errors: { stageMerchantId: "admin.bind.error.merchantIdUnknown" } });
  });

  it("recognises a stage MerchantID used in production", () => {
    const error = mapEcpayFailure("QueryTradeInfo", { type: "rejected", code: "10200094", message: "請檢查是否於正式環境誤用測試環境之MerchantID" });
    expect(explainProbeError("production", error)).toMatchObject({ errors: { merchantId: "admin.bind.error.stageMerchantInProduction" } });
  });

  it("calls a network failure or a throttle retryable, never a wrong key", () => {
    const network = mapEcpayFailure("QueryTradeInfo", { type: "network", timedOut: true, detail: "timeout" });
    expect(explainProbeError("production", network)).toMatchObject({ kind: "retryable", message: "admin.bind.error.unreachable" });
    const throttled = mapEcpayFailure("QueryTradeInfo", { type: "http", status: 403, body: "" });
    expect(explainProbeError("production", throttled)).toMatchObject({ kind: "retryable", message: "admin.bind.error.rateLimited" });
  });
});

describe("the probe", () => {
  it("checks production keys against production, and stage keys against stage only when given", async () => {
    const plain = gateway(() => null);
    expect((await probeBinding(plain.gateway, INPUT, NOW)).isOk()).toBe(true);
    expect(plain.calls.map((c) => `${c.environment}:${c.merchantId}`)).toEqual(["production:3150001"]);

    const withStage = gateway(() => null);
    await probeBinding(withStage.gateway, { ...INPUT, stageMerchantId: "2000132", stageHashKey: "k", stageHashIv: "v" }, NOW);
    expect(withStage.calls.map((c) => `${c.environment}:${c.merchantId}`)).toEqual(["production:3150001", "stage:2000132"]);
  });

  it("reports wrong stage keys on the stage fields", async () => {
    const wrongStage = gateway((c) => (c.environment === "stage" ? mapEcpayFailure("Q", { type: "rejected", code: "10200073", message: "CheckMacValue verify fail" }) : null));
    const result = await probeBinding(wrongStage.gateway, { ...INPUT, stageMerchantId: "2000132", stageHashKey: "k", stageHashIv: "v" }, NOW);
    expect(result._unsafeUnwrapErr()).toMatchObject({ errors: { stageHashKey: "admin.bind.error.keysWrong", stageHashIv: "admin.bind.error.keysWrong" } });
  });
});

describe("the confirmation token", () => {
  const scope = { shop: "a.myshopify.com", method: "credit" as const };

  it("carries the verified keys to Confirm without showing them", () => {
    const token = sealPendingBinding(box, scope, INPUT, NOW);
    expect(token).not.toContain(INPUT.hashKey);
    expect(openPendingBinding(box, scope, token, NOW)._unsafeUnwrap()).toEqual(INPUT);
  });

  it("is refused for another shop or app, after 15 minutes, or when altered", () => {
    const token = sealPendingBinding(box, scope, INPUT, NOW);
    expect(openPendingBinding(box, { ...scope, shop: "b.myshopify.com" }, token, NOW)._unsafeUnwrapErr()).toBe("invalid");
    expect(openPendingBinding(box, { ...scope, method: "atm" }, token, NOW)._unsafeUnwrapErr()).toBe("invalid");
    expect(openPendingBinding(box, scope, token, new Date(NOW.getTime() + 16 * 60_000))._unsafeUnwrapErr()).toBe("expired");
    const altered = `${token.slice(0, -4)}${token.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    expect(openPendingBinding(box, scope, altered, NOW)._unsafeUnwrapErr()).toBe("invalid");
  });
});
