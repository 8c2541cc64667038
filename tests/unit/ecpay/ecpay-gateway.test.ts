import { describe, expect, it, vi } from "vitest";
import { computeCheckMacValue, signParams, verifyCheckMacValue } from "~/ecpay/check-mac-value";
import { EcpayGateway } from "~/ecpay/ecpay-gateway";
import { encodeFormBody } from "~/ecpay/form-body";
import type { EcpayCredentials } from "~/ecpay/types";

const STAGE: EcpayCredentials = {
  merchantId: "3002607",
  hashKey: "pwFHCqoQZGmho4w6",
  hashIv: "EkRm7iFT261dpevs",
  environment: "stage",
};
const PRODUCTION: EcpayCredentials = { ...STAGE, merchantId: "3383324", hashKey: "prodKey123456789", hashIv: "prodIv1234567890", environment: "production" };
const NOW = new Date("2025-01-01T00:00:00Z");
const NOW_SECONDS = String(NOW.getTime() / 1000);

function gateway(options: { timeoutMs?: number } = {}): EcpayGateway {
  return EcpayGateway.create({
    stageOrigin: "https://payment-stage.ecpay.com.tw",
    productionOrigin: "https://payment.ecpay.com.tw",
    now: () => NOW,
    ...options,
  });
}

function stubFetch(response: Response | (() => Response)) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async () => (typeof response === "function" ? response() : response));
}

/** The one request the stub saw: URL, method, content type and the decoded form body. */
function sentRequest(spy: ReturnType<typeof stubFetch>) {
  expect(spy).toHaveBeenCalledTimes(1);
  const [url, init] = spy.mock.calls[0] ?? [];
  const headers = new Headers(init?.headers);
  return {
    url: String(url),
    method: init?.method,
    contentType: headers.get("content-type"),
    fields: Object.fromEntries(new URLSearchParams(String(init?.body))),
    signal: init?.signal,
  };
}

/** QueryTradeInfo answer as ECPay writes it: raw values joined with & and =, not form-encoded. */
function rawEcpayAnswer(fields: Record<string, string>): string {
  return Object.entries(fields).map(([k, v]) => `${k}=${v}`).join("&");
}

function tradeInfoFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    CustomField1: "rXsWmT5cLc4FfGfOqN0yB1aPz",
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
    HandlingCharge: "0",
    ItemName: "Tea+Coffee (2) #茶葉",
    MerchantID: "3002607",
    MerchantTradeNo: "250101002609AB12CD34",
    PaymentDate: "2025/01/01 00:27:41",
    PaymentType: "Credit_CreditCard",
    PaymentTypeChargeFee: "43",
    StoreID: "",
    TradeAmt: "1733",
    TradeDate: "2025/01/01 00:26:09",
    TradeNo: "2501010026094231",
    TradeStatus: "1",
    gwsr: "13120889",
    ...overrides,
  };
}

describe("EcpayGateway.queryTradeInfo", () => {
  it("POSTs a signed form with MerchantID, MerchantTradeNo and the Unix TimeStamp to the stage origin", async () => {
    const spy = stubFetch(new Response(rawEcpayAnswer(signParams(tradeInfoFields(), STAGE))));
    await gateway().queryTradeInfo(STAGE, "250101002609AB12CD34");
    const sent = sentRequest(spy);
    expect(sent.url).toBe("https://payment-stage.ecpay.com.tw/Cashier/QueryTradeInfo/V5");
    expect(sent.method).toBe("POST");
    expect(sent.contentType).toBe("application/x-www-form-urlencoded");
    const expected = { MerchantID: "3002607", MerchantTradeNo: "250101002609AB12CD34", TimeStamp: NOW_SECONDS };
    expect(sent.fields).toEqual({ ...expected, CheckMacValue: computeCheckMacValue(expected, STAGE) });
    expect(sent.signal).toBeInstanceOf(AbortSignal);
  });

  it("uses the production origin for production credentials", async () => {
    const answer = signParams(tradeInfoFields({ MerchantID: PRODUCTION.merchantId }), PRODUCTION);
    const spy = stubFetch(new Response(rawEcpayAnswer(answer)));
    const result = await gateway().queryTradeInfo(PRODUCTION, "250101002609AB12CD34");
    expect(sentRequest(spy).url).toBe("https://payment.ecpay.com.tw/Cashier/QueryTradeInfo/V5");
    expect(result.isOk()).toBe(true);
  });

  it("reads a literal + in ECPay's answer as data, where plain form decoding would break the signature", async () => {
    const signed = signParams(tradeInfoFields(), STAGE);
    const body = rawEcpayAnswer(signed);
    // The pitfall itself: decoding this body as a normal form turns + into a space and fails.
    expect(verifyCheckMacValue(Object.fromEntries(new URLSearchParams(body)), STAGE)).toBe(false);
    stubFetch(new Response(body));
    const info = (await gateway().queryTradeInfo(STAGE, "250101002609AB12CD34"))._unsafeUnwrap();
    expect(info.fields.ItemName).toBe("Tea+Coffee (2) #茶葉");
    expect(info).toMatchObject({
      merchantTradeNo: "250101002609AB12CD34",
      tradeNo: "2501010026094231",
      tradeAmt: 1733,
      tradeStatus: "1",
      paymentType: "Credit_CreditCard",
      paymentDate: "2025/01/01 00:27:41",
      chargeFee: "43",
      customField1: "rXsWmT5cLc4FfGfOqN0yB1aPz",
      simulatePaid: false,
      gwsr: "13120889",
    });
  });

  it("also accepts a properly form-encoded answer when its signature verifies", async () => {
    stubFetch(new Response(encodeFormBody(signParams(tradeInfoFields({ ItemName: "Tea Coffee+Milk" }), STAGE))));
    const info = (await gateway().queryTradeInfo(STAGE, "250101002609AB12CD34"))._unsafeUnwrap();
    expect(info.fields.ItemName).toBe("Tea Coffee+Milk");
  });

  it("maps an unpaid and a failed trade without treating them as errors", async () => {
    const unpaid = tradeInfoFields({ TradeStatus: "0", PaymentDate: "", TradeNo: "2501010026094231", gwsr: "" });
    stubFetch(new Response(rawEcpayAnswer(signParams(unpaid, STAGE))));
    const info = (await gateway().queryTradeInfo(STAGE, "250101002609AB12CD34"))._unsafeUnwrap();
    expect(info).toMatchObject({ tradeStatus: "0", paymentDate: null, gwsr: null });
    vi.restoreAllMocks();
    stubFetch(new Response(rawEcpayAnswer(signParams(tradeInfoFields({ TradeStatus: "10200095" }), STAGE))));
    expect((await gateway().queryTradeInfo(STAGE, "250101002609AB12CD34"))._unsafeUnwrap().tradeStatus).toBe("10200095");
  });

  it("rejects an answer whose CheckMacValue was tampered with or whose values changed", async () => {
    const signed = signParams(tradeInfoFields(), STAGE);
    stubFetch(new Response(rawEcpayAnswer({ ...signed, TradeAmt: "1" })));
    expect((await gateway().queryTradeInfo(STAGE, "250101002609AB12CD34"))._unsafeUnwrapErr().kind).toBe("bad-signature");
    vi.restoreAllMocks();
    const mac = signed.CheckMacValue ?? "";
    const flipped = `${mac.slice(0, -1)}${mac.endsWith("0") ? "1" : "0"}`;
    stubFetch(new Response(rawEcpayAnswer({ ...signed, CheckMacValue: flipped })));
    expect((await gateway().queryTradeInfo(STAGE, "250101002609AB12CD34"))._unsafeUnwrapErr().kind).toBe("bad-signature");
  });

  it("refuses a signed answer about a different trade", async () => {
    stubFetch(new Response(rawEcpayAnswer(signParams(tradeInfoFields({ MerchantTradeNo: "OTHER1" }), STAGE))));
    const error = (await gateway().queryTradeInfo(STAGE, "250101002609AB12CD34"))._unsafeUnwrapErr();
    expect(error.kind).toBe("indeterminate");
    expect(error.message).toMatch(/different trade/);
  });

  it("reports ECPay's CheckMacValue Error as wrong credentials, in plain text or as a signed field", async () => {
    stubFetch(new Response("CheckMacValue Error."));
    expect((await gateway().queryTradeInfo(STAGE, "250101002609AB12CD34"))._unsafeUnwrapErr()).toMatchObject({
      kind: "wrong-credentials",
      code: "10200073",
    });
    vi.restoreAllMocks();
    // Signed with the merchant's real keys, which are not the ones we hold.
    const answer = signParams({ MerchantID: "3002607", MerchantTradeNo: "250101002609AB12CD34", TradeStatus: "10200073" }, { hashKey: "x", hashIv: "y" });
    stubFetch(new Response(rawEcpayAnswer(answer)));
    expect((await gateway().queryTradeInfo(STAGE, "250101002609AB12CD34"))._unsafeUnwrapErr().kind).toBe("wrong-credentials");
  });

  it("refuses an invalid MerchantTradeNo without calling ECPay", async () => {
    const spy = stubFetch(new Response(""));
    const error = (await gateway().queryTradeInfo(STAGE, "not-valid!"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "invalid-input", field: "MerchantTradeNo" });
    expect(spy).not.toHaveBeenCalled();
  });

  it("uses an injected fetch instead of the global one", async () => {
    const global = stubFetch(new Response("never"));
    const injected = vi.fn<typeof fetch>(async () => new Response(rawEcpayAnswer(signParams(tradeInfoFields(), STAGE))));
    const result = await EcpayGateway.create({
      stageOrigin: "http://127.0.0.1:9/",
      productionOrigin: "http://127.0.0.1:9",
      fetch: injected,
      now: () => NOW,
    }).queryTradeInfo(STAGE, "250101002609AB12CD34");
    expect(result.isOk()).toBe(true);
    expect(global).not.toHaveBeenCalled();
    expect(String(injected.mock.calls[0]?.[0])).toBe("http://127.0.0.1:9/Cashier/QueryTradeInfo/V5");
  });
});

describe("EcpayGateway transport errors", () => {
  it("maps HTTP 403 to rate-limited", async () => {
    stubFetch(new Response("Forbidden", { status: 403 }));
    expect((await gateway().queryTradeInfo(STAGE, "A1"))._unsafeUnwrapErr()).toMatchObject({ kind: "rate-limited", code: "403" });
  });

  it.each([500, 502, 503, 504])("maps HTTP %i to indeterminate", async (status) => {
    stubFetch(new Response("Bad gateway", { status }));
    expect((await gateway().doAction(STAGE, { merchantTradeNo: "A1", tradeNo: "2501", action: "C", totalAmount: 100 }))._unsafeUnwrapErr()).toMatchObject({
      kind: "indeterminate",
      code: String(status),
    });
  });

  it("maps a network failure to indeterminate", async () => {
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("fetch failed"));
    const error = (await gateway().queryCreditDetail(STAGE, { creditRefundId: "13120889", creditAmount: 100, creditCheckCode: "59997889" }))._unsafeUnwrapErr();
    expect(error.kind).toBe("indeterminate");
    expect(error.message).toMatch(/fetch failed/);
  });

  it("maps a fetch that throws synchronously to indeterminate instead of throwing", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(() => {
      throw new Error("boom");
    });
    await expect(gateway().queryTradeInfo(STAGE, "A1")).resolves.toSatisfy((r) => r.isErr() && r.error.kind === "indeterminate");
  });

  it("aborts a request that outlasts the timeout and reports it as indeterminate", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        }),
    );
    const started = Date.now();
    const error = (await gateway({ timeoutMs: 30 }).queryTradeInfo(STAGE, "A1"))._unsafeUnwrapErr();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.kind).toBe("indeterminate");
    expect(error.message).toMatch(/did not answer in time/);
  });

  it("also times out while the answer body is still arriving", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async (_url, init) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("RtnCode="));
          init?.signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
        },
      });
      return new Response(body);
    });
    const error = (await gateway({ timeoutMs: 30 }).doAction(STAGE, { merchantTradeNo: "A1", tradeNo: "2501", action: "N", totalAmount: 100 }))._unsafeUnwrapErr();
    expect(error.kind).toBe("indeterminate");
  });
});

describe("EcpayGateway.doAction", () => {
  it.each(["C", "R", "E", "N"] as const)("POSTs a signed %s request to /CreditDetail/DoAction and returns RtnCode 1", async (action) => {
    const spy = stubFetch(new Response("MerchantID=3002607&MerchantTradeNo=A1&TradeNo=2501010026094231&RtnCode=1&RtnMsg=%E6%88%90%E5%8A%9F"));
    const result = await gateway().doAction(STAGE, { merchantTradeNo: "A1", tradeNo: "2501010026094231", action, totalAmount: 1733 });
    const sent = sentRequest(spy);
    expect(sent.url).toBe("https://payment-stage.ecpay.com.tw/CreditDetail/DoAction");
    expect(sent.method).toBe("POST");
    expect(sent.contentType).toBe("application/x-www-form-urlencoded");
    const expected = { MerchantID: "3002607", MerchantTradeNo: "A1", TradeNo: "2501010026094231", Action: action, TotalAmount: "1733" };
    expect(sent.fields).toEqual({ ...expected, CheckMacValue: computeCheckMacValue(expected, STAGE) });
    expect(result._unsafeUnwrap()).toMatchObject({ rtnCode: "1", rtnMsg: "成功" });
  });

  it("maps a refusal that cites ECPay's rules to not-allowed", async () => {
    stubFetch(new Response(encodeFormBody({ RtnCode: "10200115", RtnMsg: "分期交易不可部分退款" })));
    expect((await gateway().doAction(STAGE, { merchantTradeNo: "A1", tradeNo: "2501", action: "R", totalAmount: 100 }))._unsafeUnwrapErr()).toMatchObject({
      kind: "not-allowed",
      code: "10200115",
    });
  });

  it("maps any other refusal to declined", async () => {
    stubFetch(new Response(encodeFormBody({ RtnCode: "0", RtnMsg: "Insufficient merchant balance" })));
    expect((await gateway().doAction(STAGE, { merchantTradeNo: "A1", tradeNo: "2501", action: "R", totalAmount: 100 }))._unsafeUnwrapErr()).toMatchObject({
      kind: "declined",
      code: "0",
    });
  });

  it("maps CheckMacValue Error to wrong credentials", async () => {
    stubFetch(new Response(encodeFormBody({ RtnCode: "10200073", RtnMsg: "CheckMacValue Error" })));
    expect((await gateway().doAction(STAGE, { merchantTradeNo: "A1", tradeNo: "2501", action: "C", totalAmount: 100 }))._unsafeUnwrapErr().kind).toBe(
      "wrong-credentials",
    );
  });

  it("treats an answer without RtnCode as indeterminate", async () => {
    stubFetch(new Response("<html><body>Service Unavailable</body></html>"));
    expect((await gateway().doAction(STAGE, { merchantTradeNo: "A1", tradeNo: "2501", action: "C", totalAmount: 100 }))._unsafeUnwrapErr().kind).toBe(
      "indeterminate",
    );
  });

  it("refuses a malformed request without calling ECPay", async () => {
    const spy = stubFetch(new Response(""));
    const bad = [
      { merchantTradeNo: "A1", tradeNo: "2501", action: "C" as const, totalAmount: 0 },
      { merchantTradeNo: "A1", tradeNo: "2501", action: "C" as const, totalAmount: 1.5 },
      { merchantTradeNo: "A1", tradeNo: "", action: "C" as const, totalAmount: 1 },
      { merchantTradeNo: "A-1", tradeNo: "2501", action: "C" as const, totalAmount: 1 },
      { merchantTradeNo: "A1", tradeNo: "2501", action: "X" as "C", totalAmount: 1 },
    ];
    for (const input of bad) expect((await gateway().doAction(STAGE, input))._unsafeUnwrapErr().kind).toBe("invalid-input");
    expect(spy).not.toHaveBeenCalled();
  });
});

describe("EcpayGateway.queryCreditDetail", () => {
  const input = { creditRefundId: "13120889", creditAmount: 1733, creditCheckCode: "59997889" };

  it("POSTs a signed request to /CreditDetail/QueryTrade/V2 and maps the card state", async () => {
    const answer = {
      RtnMsg: "",
      RtnValue: {
        TradeID: "13120889",
        amount: 1733,
        clsamt: "1733",
        authtime: "2025/01/01 00:27:41",
        status: "已關帳",
        close_data: [{ status: "已關帳", sno: "1", amount: 1733, datetime: "2025/01/01 20:15:00" }],
      },
    };
    const spy = stubFetch(Response.json(answer));
    const detail = (await gateway().queryCreditDetail(STAGE, input))._unsafeUnwrap();
    const sent = sentRequest(spy);
    expect(sent.url).toBe("https://payment-stage.ecpay.com.tw/CreditDetail/QueryTrade/V2");
    expect(sent.method).toBe("POST");
    expect(sent.contentType).toBe("application/x-www-form-urlencoded");
    const expected = { MerchantID: "3002607", CreditRefundId: "13120889", CreditAmount: "1733", CreditCheckCode: "59997889" };
    expect(sent.fields).toEqual({ ...expected, CheckMacValue: computeCheckMacValue(expected, STAGE) });
    expect(detail).toEqual({ status: "已關帳", amount: 1733, closedAmount: 1733, fields: answer.RtnValue });
  });

  it("maps a non-empty RtnMsg to a refusal", async () => {
    stubFetch(Response.json({ RtnMsg: "error_nopay", RtnValue: null }));
    expect((await gateway().queryCreditDetail(STAGE, input))._unsafeUnwrapErr()).toMatchObject({ kind: "declined" });
  });

  it("maps a plain-text CheckMacValue Error to wrong credentials and other non-JSON to indeterminate", async () => {
    stubFetch(new Response("CheckMacValue Error"));
    expect((await gateway().queryCreditDetail(STAGE, input))._unsafeUnwrapErr().kind).toBe("wrong-credentials");
    vi.restoreAllMocks();
    stubFetch(new Response("{not json"));
    expect((await gateway().queryCreditDetail(STAGE, input))._unsafeUnwrapErr().kind).toBe("indeterminate");
  });

  it("refuses a malformed request without calling ECPay", async () => {
    const spy = stubFetch(new Response(""));
    expect((await gateway().queryCreditDetail(STAGE, { ...input, creditRefundId: "" }))._unsafeUnwrapErr().field).toBe("CreditRefundId");
    expect((await gateway().queryCreditDetail(STAGE, { ...input, creditAmount: -1 }))._unsafeUnwrapErr().field).toBe("CreditAmount");
    expect((await gateway().queryCreditDetail(STAGE, { ...input, creditCheckCode: "" }))._unsafeUnwrapErr().field).toBe("CreditCheckCode");
    expect(spy).not.toHaveBeenCalled();
  });
});

describe("EcpayGateway pure operations", () => {
  it("createCheckout signs for the configured origin and verifyCallback verifies what ECPay signs", () => {
    const g = gateway();
    const form = g
      .createCheckout(STAGE, {
        merchantTradeNo: "A1",
        tradeDate: NOW,
        totalAmount: 100,
        itemName: "Tea",
        tradeDesc: "Shop",
        choosePayment: "Credit",
        extra: {},
        returnUrl: "https://app.example.com/r",
        customField1: "pay1",
      })
      ._unsafeUnwrap();
    expect(form.action).toBe("https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5");
    const notification = signParams(
      { MerchantID: "3002607", MerchantTradeNo: "A1", RtnCode: "1", RtnMsg: "交易成功", TradeNo: "2501", TradeAmt: "100", PaymentType: "Credit_CreditCard" },
      STAGE,
    );
    expect(g.verifyCallback(encodeFormBody(notification), STAGE)._unsafeUnwrap().tradeAmt).toBe(100);
  });
});
