// EcpayGateway (app/ecpay) against the ECPay emulator over real HTTP, for all eight methods:
// create the checkout, post the buyer's form, pay, verify the notifications, query the trade,
// and run the card operations (capture, partial/full refund, abandon), plus every error class
// (declined, not allowed, wrong credentials, rate-limited, network/indeterminate).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { autoSubmitFormHtml, EcpayGateway, encodeFormBody } from "../../app/ecpay";
import type { CheckoutInput, EcpayCallback, EcpayCredentials, EcpayError } from "../../app/ecpay/types";
import { METHOD_HANDLES, type MethodHandle, PAYMENT_METHODS } from "../../app/payments/methods";
import { type EcpayEmulator, type EcpayMerchant, EMULATOR_RULE_ERROR, STAGE_MERCHANT, startEcpayEmulator } from "../emulators/ecpay";
import { EMULATOR_BALANCE_ERROR } from "../emulators/ecpay/api-faults";
import { freshTradeNo, postForm, readAutoPostForm, type Receiver, startReceiver } from "../emulators/ecpay/testing";

const PROD: EcpayMerchant = { merchantId: "3311111", hashKey: "ClientProdKey123", hashIv: "ClientProdIv1234", creditCheckCode: "81234567" };
const TEST_CARD = { cardNumber: "4311-9522-2222-2222", cardExpiry: "12/39", cardCvv: "222" };
const CARD_METHODS: readonly MethodHandle[] = ["credit", "installments", "redeem", "unionpay"];

let stage: EcpayEmulator;
let production: EcpayEmulator;
let receiver: Receiver;
let gateway: EcpayGateway;

const stageCreds: EcpayCredentials = { ...STAGE_MERCHANT, environment: "stage" };
const prodCreds: EcpayCredentials = { merchantId: PROD.merchantId, hashKey: PROD.hashKey, hashIv: PROD.hashIv, environment: "production" };

beforeAll(async () => {
  receiver = await startReceiver();
  stage = await startEcpayEmulator({ environment: "stage", notifyRetryIntervalMs: 30 });
  production = await startEcpayEmulator({ environment: "production", merchants: [PROD], notifyRetryIntervalMs: 30 });
  gateway = EcpayGateway.create({ stageOrigin: stage.origin, productionOrigin: production.origin, timeoutMs: 3_000 });
});
afterAll(async () => {
  await stage.close();
  await production.close();
  await receiver.close();
});

function unwrapErr<T>(result: { isErr(): boolean; _unsafeUnwrapErr(): EcpayError; _unsafeUnwrap(): T }): EcpayError {
  if (!result.isErr()) throw new Error(`expected an error, got ${JSON.stringify(result._unsafeUnwrap())}`);
  return result._unsafeUnwrapErr();
}

function checkoutInput(method: MethodHandle, tag: string, overrides: Partial<CheckoutInput> = {}): CheckoutInput {
  const definition = PAYMENT_METHODS[method];
  const extra: Record<string, string> = { ...definition.ecpay.extra };
  if (method === "installments") extra.CreditInstallment = "3,6";
  if (method === "atm") extra.ExpireDate = "2";
  return {
    merchantTradeNo: freshTradeNo("C"),
    tradeDate: new Date(),
    totalAmount: 1200,
    itemName: "Tea (L) * 2! ~ 'x' 烏龍茶#Cup",
    tradeDesc: "Shopify order",
    choosePayment: definition.ecpay.choosePayment,
    extra,
    returnUrl: `${receiver.origin}/${tag}/return`,
    ...(definition.orderResultUrlSupported && { orderResultUrl: `${receiver.origin}/${tag}/result` }),
    clientBackUrl: `${receiver.origin}/${tag}/back`,
    ...(method === "atm" && { paymentInfoUrl: `${receiver.origin}/${tag}/info` }),
    customField1: `pay${tag}`,
    ...overrides,
  };
}

/** What the buyer's browser does with the hand-off page: read the rendered form and submit it. */
async function submitHandOff(fragment: { toString(): string }): Promise<Response> {
  const html = String(fragment);
  const action = /<form [^>]*action="([^"]*)"/.exec(html)?.[1] ?? "";
  const decode = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [decode(m[1] as string), decode(m[2] as string)]));
  return postForm(decode(action), fields);
}

async function payThroughBrowser(method: MethodHandle, pageUrl: string): Promise<string> {
  if (method === "atm") return (await postForm(`${pageUrl}/transfer`, {})).text();
  if (PAYMENT_METHODS[method].ecpay.choosePayment !== "Credit") return (await postForm(`${pageUrl}/pay`, {})).text();
  const extra: Record<string, string> = method === "installments" ? { installmentPeriod: "6" } : method === "redeem" ? { useRedeem: "Y" } : {};
  return (await postForm(`${pageUrl}/pay`, { ...TEST_CARD, ...extra })).text();
}

/** Runs create → form → pay → notification → query for one method; returns the verified ReturnURL callback. */
async function payWithGateway(method: MethodHandle, creds: EcpayCredentials, emulator: EcpayEmulator): Promise<EcpayCallback> {
  const tag = `${method}${creds.environment}${Math.random().toString(36).slice(2, 7)}`;
  const input = checkoutInput(method, tag);
  const form = gateway.createCheckout(creds, input)._unsafeUnwrap();
  expect(form.action).toBe(`${emulator.origin}/Cashier/AioCheckOut/V5`);
  const created = await submitHandOff(autoSubmitFormHtml(form, { submitLabel: "前往付款 Continue" }));
  const location = created.headers.get("location");
  expect(created.status, await created.clone().text()).toBe(302);
  const pageUrl = new URL(location as string, emulator.origin).toString();

  if (method === "atm") {
    const [info] = await receiver.waitFor(1, `/${tag}/info`);
    const issued = gateway.verifyCallback(info?.raw ?? "", creds)._unsafeUnwrap();
    expect(issued).toMatchObject({ rtnCode: "2", customField1: `pay${tag}`, tradeAmt: 1200 });
    expect(issued.vAccount).toMatch(/^\d{14}$/);
    expect(issued.expireDate).toMatch(/^\d{4}\/\d{2}\/\d{2}$/);
    expect((await gateway.queryTradeInfo(creds, input.merchantTradeNo))._unsafeUnwrap().tradeStatus).toBe("0");
  }

  const browserHtml = await payThroughBrowser(method, pageUrl);
  const [posted] = await receiver.waitFor(1, `/${tag}/return`);
  const callback = gateway.verifyCallback(posted?.raw ?? "", creds)._unsafeUnwrap();
  expect(callback).toMatchObject({ rtnCode: "1", merchantTradeNo: input.merchantTradeNo, tradeAmt: 1200, customField1: `pay${tag}`, simulatePaid: false });
  expect(callback.fields).toHaveProperty("WebATMBankName");

  const browser = readAutoPostForm(browserHtml);
  if (PAYMENT_METHODS[method].orderResultUrlSupported) {
    expect(browser?.action).toBe(`${receiver.origin}/${tag}/result`);
    const result = gateway.verifyCallback(encodeFormBody(browser?.fields ?? {}), creds)._unsafeUnwrap();
    expect(result).toMatchObject({ rtnCode: "1", rtnMsg: "Succeeded", tradeNo: callback.tradeNo });
  } else {
    expect(browser).toBeNull();
    expect(browserHtml).toContain(`${receiver.origin}/${tag}/back`);
  }

  const info = (await gateway.queryTradeInfo(creds, input.merchantTradeNo))._unsafeUnwrap();
  expect(info).toMatchObject({ tradeStatus: "1", tradeNo: callback.tradeNo, tradeAmt: 1200, customField1: `pay${tag}` });
  expect(info.fields.ItemName).toBe(input.itemName);
  expect(info.gwsr).toBe(callback.gwsr);
  return callback;
}

describe("EcpayGateway against the stage emulator", () => {
  it.each(METHOD_HANDLES.filter((m) => m !== "unionpay"))("%s: create, post the form, pay, verify the notification, query", async (method) => {
    const callback = await payWithGateway(method, stageCreds, stage);
    if (CARD_METHODS.includes(method)) {
      expect(callback.gwsr).toMatch(/^\d+$/);
      // Stage has no DoAction (ecpay-aio §4.1): the gateway reports it as not allowed, not as money moved.
      const capture = await gateway.doAction(stageCreds, { merchantTradeNo: callback.merchantTradeNo, tradeNo: callback.tradeNo, action: "C", totalAmount: 1200 });
      expect(unwrapErr(capture).kind).toBe("not-allowed");
    }
  });

  it("a UnionPay checkout posted to stage gets ECPay's 10200141 error page (no UnionPay on stage)", async () => {
    const form = gateway.createCheckout(stageCreds, checkoutInput("unionpay", "upstage"))._unsafeUnwrap();
    const response = await submitHandOff(autoSubmitFormHtml(form, { submitLabel: "Go" }));
    expect(await response.text()).toContain("10200141");
  });

  it("reports 0 then 10200095 for a checkout the buyer cancels", async () => {
    const input = checkoutInput("credit", "cancelled");
    const form = gateway.createCheckout(stageCreds, input)._unsafeUnwrap();
    const created = await submitHandOff(autoSubmitFormHtml(form, { submitLabel: "Go" }));
    expect((await gateway.queryTradeInfo(stageCreds, input.merchantTradeNo))._unsafeUnwrap().tradeStatus).toBe("0");
    await postForm(`${new URL(created.headers.get("location") as string, stage.origin)}/cancel`, {});
    expect((await gateway.queryTradeInfo(stageCreds, input.merchantTradeNo))._unsafeUnwrap().tradeStatus).toBe("10200095");
  });

  it("recognizes SimulatePaid=1 on the notification", async () => {
    const input = checkoutInput("atm", "simulated");
    await submitHandOff(autoSubmitFormHtml(gateway.createCheckout(stageCreds, input)._unsafeUnwrap(), { submitLabel: "Go" }));
    await stage.pay(input.merchantTradeNo, { simulatePaid: true });
    const [posted] = await receiver.waitFor(1, "/simulated/return");
    expect(gateway.verifyCallback(posted?.raw ?? "", stageCreds)._unsafeUnwrap().simulatePaid).toBe(true);
  });
});

describe("EcpayGateway.queryPaymentInfo against the emulator", () => {
  it("reads an ATM account again exactly as PaymentInfoURL sent it, and a signed refusal once paid or for a card trade", async () => {
    const input = checkoutInput("atm", "paymentinfo");
    await submitHandOff(autoSubmitFormHtml(gateway.createCheckout(prodCreds, input)._unsafeUnwrap(), { submitLabel: "Go" }));
    const [posted] = await receiver.waitFor(1, "/paymentinfo/info");
    const notified = gateway.verifyCallback(posted?.raw ?? "", prodCreds)._unsafeUnwrap();
    const queried = (await gateway.queryPaymentInfo(prodCreds, input.merchantTradeNo))._unsafeUnwrap();
    expect(queried).toMatchObject({
      rtnCode: "2",
      tradeNo: notified.tradeNo,
      tradeAmt: 1200,
      bankCode: notified.bankCode,
      vAccount: notified.vAccount,
      expireDate: notified.expireDate,
      customField1: "paypaymentinfo",
    });
    await production.pay(input.merchantTradeNo);
    expect((await gateway.queryPaymentInfo(prodCreds, input.merchantTradeNo))._unsafeUnwrap()).toMatchObject({ rtnCode: "90000001", bankCode: null });
    const card = checkoutInput("credit", "paymentinfocard");
    await submitHandOff(autoSubmitFormHtml(gateway.createCheckout(prodCreds, card)._unsafeUnwrap(), { submitLabel: "Go" }));
    expect((await gateway.queryPaymentInfo(prodCreds, card.merchantTradeNo))._unsafeUnwrap().rtnCode).toBe("90000001");
    expect((await gateway.queryPaymentInfo(prodCreds, freshTradeNo("U")))._unsafeUnwrap().rtnCode).toBe("10200047");
  });
});

describe("EcpayGateway against the production emulator", () => {
  it.each(METHOD_HANDLES)("%s: create, post the form, pay, verify the notification, query", async (method) => {
    await payWithGateway(method, prodCreds, production);
  });

  it("credit: capture, partial refund, then full refund of the rest", async () => {
    const paid = await payWithGateway("credit", prodCreds, production);
    const trade = { merchantTradeNo: paid.merchantTradeNo, tradeNo: paid.tradeNo };
    const detail = (await gateway.queryCreditDetail(prodCreds, { creditRefundId: paid.gwsr as string, creditAmount: 1200, creditCheckCode: "81234567" }))._unsafeUnwrap();
    expect(detail).toMatchObject({ status: "已授權", amount: 1200, closedAmount: 0 });
    expect((await gateway.doAction(prodCreds, { ...trade, action: "C", totalAmount: 1200 }))._unsafeUnwrap().rtnCode).toBe("1");
    production.runDailyClose();
    expect((await gateway.doAction(prodCreds, { ...trade, action: "R", totalAmount: 200 })).isOk()).toBe(true);
    expect((await gateway.doAction(prodCreds, { ...trade, action: "R", totalAmount: 1000 })).isOk()).toBe(true);
    expect(unwrapErr(await gateway.doAction(prodCreds, { ...trade, action: "R", totalAmount: 1 })).kind).toBe("not-allowed");
    const after = (await gateway.queryCreditDetail(prodCreds, { creditRefundId: paid.gwsr as string, creditAmount: 1200, creditCheckCode: "81234567" }))._unsafeUnwrap();
    expect(after).toMatchObject({ status: "已關帳", closedAmount: 0 });
  });

  it("credit: abandons an authorization with N, and a refund while 要關帳 goes E then N", async () => {
    const first = await payWithGateway("credit", prodCreds, production);
    expect((await gateway.doAction(prodCreds, { merchantTradeNo: first.merchantTradeNo, tradeNo: first.tradeNo, action: "N", totalAmount: 1200 })).isOk()).toBe(true);
    const second = await payWithGateway("credit", prodCreds, production);
    const trade = { merchantTradeNo: second.merchantTradeNo, tradeNo: second.tradeNo };
    await gateway.doAction(prodCreds, { ...trade, action: "C", totalAmount: 1200 });
    expect(unwrapErr(await gateway.doAction(prodCreds, { ...trade, action: "R", totalAmount: 1200 })).kind).toBe("not-allowed");
    expect((await gateway.doAction(prodCreds, { ...trade, action: "E", totalAmount: 1200 })).isOk()).toBe(true);
    expect((await gateway.doAction(prodCreds, { ...trade, action: "N", totalAmount: 1200 })).isOk()).toBe(true);
    const detail = (await gateway.queryCreditDetail(prodCreds, { creditRefundId: second.gwsr as string, creditAmount: 1200, creditCheckCode: "81234567" }))._unsafeUnwrap();
    expect(detail.status).toBe("已取消");
  });

  it("refuses a refund before the capture as not-allowed", async () => {
    const paid = await payWithGateway("credit", prodCreds, production);
    const refund = await gateway.doAction(prodCreds, { merchantTradeNo: paid.merchantTradeNo, tradeNo: paid.tradeNo, action: "R", totalAmount: 100 });
    expect(unwrapErr(refund).kind).toBe("not-allowed");
  });

  it.each(["installments", "redeem"] as const)("%s: a partial refund is not allowed, the full refund is", async (method) => {
    const paid = await payWithGateway(method, prodCreds, production);
    const trade = { merchantTradeNo: paid.merchantTradeNo, tradeNo: paid.tradeNo };
    expect((await gateway.doAction(prodCreds, { ...trade, action: "C", totalAmount: 1200 })).isOk()).toBe(true);
    production.runDailyClose();
    expect(unwrapErr(await gateway.doAction(prodCreds, { ...trade, action: "R", totalAmount: 600 })).kind).toBe("not-allowed");
    expect((await gateway.doAction(prodCreds, { ...trade, action: "R", totalAmount: 1200 })).isOk()).toBe(true);
  });

  it.each(["installments", "redeem"] as const)("%s: abandons an authorization with N", async (method) => {
    const paid = await payWithGateway(method, prodCreds, production);
    const abandon = await gateway.doAction(prodCreds, { merchantTradeNo: paid.merchantTradeNo, tradeNo: paid.tradeNo, action: "N", totalAmount: 1200 });
    expect(abandon._unsafeUnwrap().rtnCode).toBe("1");
    const detail = (await gateway.queryCreditDetail(prodCreds, { creditRefundId: paid.gwsr as string, creditAmount: 1200, creditCheckCode: "81234567" }))._unsafeUnwrap();
    expect(detail.status).toBe("已取消");
  });

  it("unionpay: abandon (N) is not allowed, the trade is closed at authorization", async () => {
    const paid = await payWithGateway("unionpay", prodCreds, production);
    const abandon = await gateway.doAction(prodCreds, { merchantTradeNo: paid.merchantTradeNo, tradeNo: paid.tradeNo, action: "N", totalAmount: 1200 });
    expect(unwrapErr(abandon)).toMatchObject({ kind: "not-allowed", code: EMULATOR_RULE_ERROR });
    const detail = (await gateway.queryCreditDetail(prodCreds, { creditRefundId: paid.gwsr as string, creditAmount: 1200, creditCheckCode: "81234567" }))._unsafeUnwrap();
    expect(detail).toMatchObject({ status: "已關帳", closedAmount: 1200 });
  });

  it("unionpay: closed at authorization, refunded partially then fully without a capture", async () => {
    const paid = await payWithGateway("unionpay", prodCreds, production);
    const trade = { merchantTradeNo: paid.merchantTradeNo, tradeNo: paid.tradeNo };
    const detail = (await gateway.queryCreditDetail(prodCreds, { creditRefundId: paid.gwsr as string, creditAmount: 1200, creditCheckCode: "81234567" }))._unsafeUnwrap();
    expect(detail.status).toBe("已關帳");
    expect(unwrapErr(await gateway.doAction(prodCreds, { ...trade, action: "C", totalAmount: 1200 })).kind).toBe("not-allowed");
    expect((await gateway.doAction(prodCreds, { ...trade, action: "R", totalAmount: 500 })).isOk()).toBe(true);
    expect((await gateway.doAction(prodCreds, { ...trade, action: "R", totalAmount: 700 })).isOk()).toBe(true);
  });

  it.each(["atm", "webatm", "twqr", "wechatpay"] as const)("%s: DoAction is refused as not allowed (no online refund)", async (method) => {
    const paid = await payWithGateway(method, prodCreds, production);
    const refund = await gateway.doAction(prodCreds, { merchantTradeNo: paid.merchantTradeNo, tradeNo: paid.tradeNo, action: "R", totalAmount: 1200 });
    expect(unwrapErr(refund).kind).toBe("not-allowed");
  });
});

describe("EcpayGateway error classes against the emulator", () => {
  it("wrong keys: QueryTradeInfo, DoAction and QueryTrade/V2 report wrong-credentials", async () => {
    const wrong: EcpayCredentials = { ...prodCreds, hashKey: "NotTheKey1234567" };
    expect(unwrapErr(await gateway.queryTradeInfo(wrong, "ANYORDER1")).kind).toBe("wrong-credentials");
    expect(unwrapErr(await gateway.doAction(wrong, { merchantTradeNo: "ANYORDER1", tradeNo: "2401010000000000", action: "C", totalAmount: 1 })).kind).toBe(
      "wrong-credentials",
    );
    const detail = await gateway.queryCreditDetail(wrong, { creditRefundId: "1", creditAmount: 1, creditCheckCode: "81234567" });
    expect(unwrapErr(detail).kind).toBe("wrong-credentials");
  });

  it("stage credentials against production report wrong-credentials (10200094)", async () => {
    const error = unwrapErr(await gateway.queryTradeInfo({ ...stageCreds, environment: "production" }, "ANYORDER2"));
    expect(error).toMatchObject({ kind: "wrong-credentials", code: "10200094" });
  });

  it("HTTP 403 reports rate-limited", async () => {
    production.setRateLimit({ maxRequests: 0, windowMs: 60_000 });
    try {
      expect(unwrapErr(await gateway.queryTradeInfo(prodCreds, "ANYORDER3")).kind).toBe("rate-limited");
      expect(unwrapErr(await gateway.doAction(prodCreds, { merchantTradeNo: "ANYORDER3", tradeNo: "2401010000000000", action: "N", totalAmount: 1 })).kind).toBe(
        "rate-limited",
      );
    } finally {
      production.setRateLimit(null);
    }
  });

  it("a refund above the merchant's ECPay balance reports declined (no rule broken), and goes through once the balance covers it", async () => {
    const paid = await payWithGateway("credit", prodCreds, production);
    const trade = { merchantTradeNo: paid.merchantTradeNo, tradeNo: paid.tradeNo };
    expect((await gateway.doAction(prodCreds, { ...trade, action: "C", totalAmount: 1200 })).isOk()).toBe(true);
    production.runDailyClose();
    // Over HTTP, as the sandbox or another process would set it.
    const set = (balance: number | null) =>
      fetch(`${production.origin}/_emulator/merchant-balance`, { method: "POST", body: JSON.stringify({ merchantId: PROD.merchantId, balance }) });
    expect((await set(300)).status).toBe(200);
    try {
      const refused = unwrapErr(await gateway.doAction(prodCreds, { ...trade, action: "R", totalAmount: 500 }));
      expect(refused).toMatchObject({ kind: "declined", code: EMULATOR_BALANCE_ERROR });
      expect(refused.message).toContain("餘額不足");
      const unchanged = (await gateway.queryCreditDetail(prodCreds, { creditRefundId: paid.gwsr as string, creditAmount: 1200, creditCheckCode: "81234567" }))._unsafeUnwrap();
      expect(unchanged).toMatchObject({ status: "已關帳", closedAmount: 1200 });
      expect((await gateway.doAction(prodCreds, { ...trade, action: "R", totalAmount: 300 })).isOk()).toBe(true);
      // The balance paid that refund: nothing is left for the next one.
      expect(unwrapErr(await gateway.doAction(prodCreds, { ...trade, action: "R", totalAmount: 1 })).kind).toBe("declined");
    } finally {
      expect((await set(null)).status).toBe(200);
    }
    expect((await gateway.doAction(prodCreds, { ...trade, action: "R", totalAmount: 900 })).isOk()).toBe(true);
  });

  it("an API that never answers reports indeterminate once the client's timeout passes, over real HTTP", async () => {
    const impatient = EcpayGateway.create({ stageOrigin: stage.origin, productionOrigin: production.origin, timeoutMs: 300 });
    const hang = (rule: unknown) => fetch(`${production.origin}/_emulator/api-hang`, { method: "POST", body: JSON.stringify(rule) });
    expect((await hang({ paths: ["/Cashier/QueryTradeInfo/V5", "/CreditDetail/DoAction", "/CreditDetail/QueryTrade/V2"] })).status).toBe(200);
    try {
      const query = unwrapErr(await impatient.queryTradeInfo(prodCreds, "HANGING1"));
      expect(query.kind).toBe("indeterminate");
      expect(query.message).toMatch(/did not answer in time/);
      const action = unwrapErr(await impatient.doAction(prodCreds, { merchantTradeNo: "HANGING1", tradeNo: "2401010000000000", action: "N", totalAmount: 1 }));
      expect(action.kind).toBe("indeterminate");
      const detail = unwrapErr(await impatient.queryCreditDetail(prodCreds, { creditRefundId: "1", creditAmount: 1, creditCheckCode: "81234567" }));
      expect(detail.kind).toBe("indeterminate");
    } finally {
      expect((await hang(null)).status).toBe(200);
    }
    expect((await impatient.queryTradeInfo(prodCreds, "HANGING1"))._unsafeUnwrap().tradeStatus).toBe("10200047");
  });

  it("a capture ECPay carried out but never answered is indeterminate, and querying shows it happened", async () => {
    const paid = await payWithGateway("credit", prodCreds, production);
    const impatient = EcpayGateway.create({ stageOrigin: stage.origin, productionOrigin: production.origin, timeoutMs: 300 });
    production.setApiHang({ paths: ["/CreditDetail/DoAction"], afterApplying: true });
    try {
      const capture = unwrapErr(await impatient.doAction(prodCreds, { merchantTradeNo: paid.merchantTradeNo, tradeNo: paid.tradeNo, action: "C", totalAmount: 1200 }));
      expect(capture.kind).toBe("indeterminate");
      expect(capture.message).toMatch(/query before retrying/);
    } finally {
      production.setApiHang(null);
    }
    const detail = (await gateway.queryCreditDetail(prodCreds, { creditRefundId: paid.gwsr as string, creditAmount: 1200, creditCheckCode: "81234567" }))._unsafeUnwrap();
    expect(detail).toMatchObject({ status: "要關帳", closedAmount: 1200 });
  });

  it("an emulator that is down reports indeterminate", async () => {
    const gone = await startEcpayEmulator({ environment: "stage" });
    const origin = gone.origin;
    await gone.close();
    const offline = EcpayGateway.create({ stageOrigin: origin, productionOrigin: origin, timeoutMs: 2_000 });
    expect(unwrapErr(await offline.queryTradeInfo(stageCreds, "ANYORDER4")).kind).toBe("indeterminate");
    expect(unwrapErr(await offline.doAction(prodCreds, { merchantTradeNo: "ANYORDER4", tradeNo: "2401010000000000", action: "C", totalAmount: 1 })).kind).toBe(
      "indeterminate",
    );
  });

  it("a tampered notification reports bad-signature, and unknown trades query as 10200047", async () => {
    const paid = await payWithGateway("webatm", stageCreds, stage);
    const tampered = encodeFormBody({ ...paid.fields, TradeAmt: "1" });
    expect(unwrapErr(gateway.verifyCallback(tampered, stageCreds)).kind).toBe("bad-signature");
    expect((await gateway.queryTradeInfo(stageCreds, "NEVERCREATED1"))._unsafeUnwrap().tradeStatus).toBe("10200047");
  });

  it("input the emulator would refuse is an invalid-input error before anything is signed", async () => {
    for (const overrides of [{ totalAmount: 0 }, { itemName: "x".repeat(401) }, { merchantTradeNo: "has-dash" }, { returnUrl: `https://s.example/${"a".repeat(190)}` }]) {
      expect(unwrapErr(gateway.createCheckout(stageCreds, checkoutInput("credit", "bad", overrides))).kind).toBe("invalid-input");
    }
  });
});
