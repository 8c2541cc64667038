// The emulator's server-to-server APIs over real HTTP: QueryTradeInfo V5 (signature, TimeStamp,
// the `+` pitfall), CreditDetail/DoAction with the card state rules (ecpay-aio §4.1),
// CreditDetail/QueryTrade/V2, the 403 throttle, and the standalone entry point.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyCheckMacValue } from "../../app/ecpay/check-mac-value";
import { type EcpayEmulator, type EcpayMerchant, STAGE_MERCHANT, startEcpayEmulator } from "../emulators/ecpay";
import {
  checkoutFields,
  createOrder,
  doActionRequest,
  parseEcpayResponse,
  postForm,
  queryTradeInfoRequest,
  type Receiver,
  sign,
  startReceiver,
} from "../emulators/ecpay/testing";

const MERCHANT: EcpayMerchant = { merchantId: "3300001", hashKey: "ProdHashKey12345", hashIv: "ProdHashIv123456", creditCheckCode: "55667788" };
const AUTO_CLOSE: EcpayMerchant = { merchantId: "3300003", hashKey: "AutoCloseKey1234", hashIv: "AutoCloseIv12345", dailyAutoClose: true };
const TEST_CARD = { cardNumber: "4311952222222222", cardExpiry: "12/39", cardCvv: "222" };

let stage: EcpayEmulator;
let production: EcpayEmulator;
let receiver: Receiver;
let clock: Date | null = null;

beforeAll(async () => {
  receiver = await startReceiver();
  stage = await startEcpayEmulator({ environment: "stage", notifyRetryIntervalMs: 30 });
  production = await startEcpayEmulator({
    environment: "production",
    merchants: [MERCHANT, AUTO_CLOSE],
    notifyRetryIntervalMs: 30,
    now: () => clock ?? new Date(),
  });
});
afterAll(async () => {
  await stage.close();
  await production.close();
  await receiver.close();
});

async function paidOrder(target: EcpayEmulator, merchant: EcpayMerchant, overrides: Record<string, string> = {}, pay: Record<string, string> = {}) {
  const fields = checkoutFields(merchant, { ReturnURL: `${receiver.origin}/return`, ...overrides });
  const created = await createOrder(target.origin, fields);
  expect(created.pageUrl, created.html).not.toBeNull();
  await postForm(`${created.pageUrl}/pay`, { ...TEST_CARD, ...pay });
  const order = target.order(fields.MerchantTradeNo as string);
  if (!order) throw new Error("order missing");
  return order;
}

async function doAction(merchant: EcpayMerchant, order: { merchantTradeNo: string; tradeNo: string }, action: string, totalAmount: number, target = production) {
  const response = await postForm(`${target.origin}/CreditDetail/DoAction`, doActionRequest(merchant, { ...order, action, totalAmount }));
  expect(response.status).toBe(200);
  return parseEcpayResponse(await response.text());
}

async function creditDetail(merchant: EcpayMerchant, gwsr: string, amount: number, checkCode = merchant.creditCheckCode ?? "") {
  const body = sign({ MerchantID: merchant.merchantId, CreditRefundId: gwsr, CreditAmount: String(amount), CreditCheckCode: checkCode }, merchant);
  const response = await postForm(`${production.origin}/CreditDetail/QueryTrade/V2`, body);
  return (await response.json()) as { RtnMsg: string; RtnValue: { status: string; amount: number; clsamt: number; close_data: { status: string; amount: number }[] } | null };
}

describe("QueryTradeInfo V5", () => {
  it("answers a signed TradeStatus 0 before payment and 1 with the NeedExtraPaidInfo fields after", async () => {
    const fields = checkoutFields(STAGE_MERCHANT, { ReturnURL: `${receiver.origin}/return`, CustomField1: "sess1" });
    const created = await createOrder(stage.origin, fields);
    const no = fields.MerchantTradeNo as string;
    const before = parseEcpayResponse(await (await postForm(`${stage.origin}/Cashier/QueryTradeInfo/V5`, queryTradeInfoRequest(STAGE_MERCHANT, no))).text());
    expect(verifyCheckMacValue(before, STAGE_MERCHANT)).toBe(true);
    expect(before).toMatchObject({ TradeStatus: "0", TradeAmt: "1000", CustomField1: "sess1", PaymentDate: "", gwsr: "" });
    await postForm(`${created.pageUrl}/pay`, TEST_CARD);
    const after = parseEcpayResponse(await (await postForm(`${stage.origin}/Cashier/QueryTradeInfo/V5`, queryTradeInfoRequest(STAGE_MERCHANT, no))).text());
    expect(verifyCheckMacValue(after, STAGE_MERCHANT)).toBe(true);
    expect(after).toMatchObject({ TradeStatus: "1", PaymentType: "Credit_CreditCard", auth_code: "777777", card4no: "2222" });
    expect(after.TradeNo).toBe(stage.order(no)?.tradeNo);
    expect(after.PaymentDate).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it("returns ItemName with a raw '+', so a plain form decoder breaks the signature and the documented fix verifies", async () => {
    const fields = checkoutFields(STAGE_MERCHANT, { ItemName: "A+B 套餐 x1", ReturnURL: `${receiver.origin}/return` });
    await createOrder(stage.origin, fields);
    const body = await (await postForm(`${stage.origin}/Cashier/QueryTradeInfo/V5`, queryTradeInfoRequest(STAGE_MERCHANT, fields.MerchantTradeNo as string))).text();
    expect(body).toContain("ItemName=A+B 套餐 x1");
    const naive = Object.fromEntries(new URLSearchParams(body));
    expect(naive.ItemName).toBe("A B 套餐 x1");
    expect(verifyCheckMacValue(naive, STAGE_MERCHANT)).toBe(false);
    const fixed = parseEcpayResponse(body);
    expect(fixed.ItemName).toBe("A+B 套餐 x1");
    expect(verifyCheckMacValue(fixed, STAGE_MERCHANT)).toBe(true);
  });

  it("accepts a TimeStamp within 3 minutes and refuses one 4 minutes old", async () => {
    const no = "NOSUCHORDER1";
    const now = Math.floor(Date.now() / 1000);
    const ok = parseEcpayResponse(await (await postForm(`${stage.origin}/Cashier/QueryTradeInfo/V5`, queryTradeInfoRequest(STAGE_MERCHANT, no, now + 120))).text());
    expect(ok.TradeStatus).toBe("10200047");
    expect(verifyCheckMacValue(ok, STAGE_MERCHANT)).toBe(true);
    const old = parseEcpayResponse(await (await postForm(`${stage.origin}/Cashier/QueryTradeInfo/V5`, queryTradeInfoRequest(STAGE_MERCHANT, no, now - 240))).text());
    expect(old.RtnMsg).toMatch(/TimeStamp Error/);
  });

  it("answers 10200073 to a request signed with the wrong keys", async () => {
    const request = queryTradeInfoRequest({ ...STAGE_MERCHANT, hashIv: "wrongwrongwrong1" }, "ANY1");
    const body = await (await postForm(`${stage.origin}/Cashier/QueryTradeInfo/V5`, request)).text();
    expect(parseEcpayResponse(body)).toEqual({ TradeStatus: "10200073", RtnMsg: "CheckMacValue verify fail" });
  });

  it("answers HTTP 403 once the configured rate limit is exceeded, and recovers when it is lifted", async () => {
    stage.setRateLimit({ maxRequests: 2, windowMs: 60_000 });
    try {
      const call = () => postForm(`${stage.origin}/Cashier/QueryTradeInfo/V5`, queryTradeInfoRequest(STAGE_MERCHANT, "ANY2"));
      expect((await call()).status).toBe(200);
      expect((await call()).status).toBe(200);
      expect((await call()).status).toBe(403);
    } finally {
      stage.setRateLimit(null);
    }
    expect((await postForm(`${stage.origin}/Cashier/QueryTradeInfo/V5`, queryTradeInfoRequest(STAGE_MERCHANT, "ANY3"))).status).toBe(200);
  });
});

describe("CreditDetail/DoAction and QueryTrade/V2", () => {
  it("is not available on stage, like ECPay's stage", async () => {
    const order = await paidOrder(stage, STAGE_MERCHANT);
    const result = await doAction(STAGE_MERCHANT, order, "C", 1000, stage);
    expect(result.RtnCode).not.toBe("1");
    expect(result.RtnMsg).toMatch(/stage/);
    const detail = await (await postForm(`${stage.origin}/CreditDetail/QueryTrade/V2`, sign({ MerchantID: "3002607", CreditRefundId: "1", CreditAmount: "1", CreditCheckCode: "1" }, STAGE_MERCHANT))).json();
    expect(detail.RtnValue).toBeNull();
  });

  it("closes with C, refunds part with R after the daily close, and reports each state through QueryTrade/V2", async () => {
    const order = await paidOrder(production, MERCHANT);
    const gwsr = order.card?.gwsr as string;
    expect((await creditDetail(MERCHANT, gwsr, 1000)).RtnValue).toMatchObject({ status: "已授權", amount: 1000, clsamt: 0 });
    expect(await doAction(MERCHANT, order, "C", 1000)).toMatchObject({ RtnCode: "1", MerchantTradeNo: order.merchantTradeNo, TradeNo: order.tradeNo });
    expect((await creditDetail(MERCHANT, gwsr, 1000)).RtnValue).toMatchObject({ status: "要關帳", clsamt: 1000 });
    production.runDailyClose();
    expect((await creditDetail(MERCHANT, gwsr, 1000)).RtnValue?.status).toBe("已關帳");
    expect((await doAction(MERCHANT, order, "R", 300)).RtnCode).toBe("1");
    expect((await doAction(MERCHANT, order, "R", 700)).RtnCode).toBe("1");
    const over = await doAction(MERCHANT, order, "R", 1);
    expect(over.RtnCode).not.toBe("1");
    const detail = await creditDetail(MERCHANT, gwsr, 1000);
    expect(detail.RtnValue?.clsamt).toBe(0);
    expect(detail.RtnValue?.close_data.filter((r) => r.status === "退刷").map((r) => r.amount)).toEqual([300, 700]);
  });

  it("refuses a refund before the trade is closed", async () => {
    const order = await paidOrder(production, MERCHANT);
    const result = await doAction(MERCHANT, order, "R", 100);
    expect(result.RtnCode).not.toBe("1");
    expect(result.RtnMsg).toMatch(/關帳/);
  });

  it("abandons an authorization with N and refuses to close it afterwards", async () => {
    const order = await paidOrder(production, MERCHANT);
    expect((await doAction(MERCHANT, order, "N", 1000)).RtnCode).toBe("1");
    expect((await creditDetail(MERCHANT, order.card?.gwsr as string, 1000)).RtnValue?.status).toBe("已取消");
    expect((await doAction(MERCHANT, order, "C", 1000)).RtnCode).not.toBe("1");
  });

  it("while 要關帳: refuses a full R (E then N is the way) and accepts a partial R that lowers the close amount", async () => {
    const order = await paidOrder(production, MERCHANT);
    const gwsr = order.card?.gwsr as string;
    await doAction(MERCHANT, order, "C", 1000);
    const full = await doAction(MERCHANT, order, "R", 1000);
    expect(full.RtnCode).not.toBe("1");
    expect(full.RtnMsg).toMatch(/E.*N/);
    expect((await doAction(MERCHANT, order, "R", 250)).RtnCode).toBe("1");
    expect((await creditDetail(MERCHANT, gwsr, 1000)).RtnValue).toMatchObject({ status: "要關帳", clsamt: 750 });
    expect((await doAction(MERCHANT, order, "E", 1000)).RtnCode).toBe("1");
    expect((await creditDetail(MERCHANT, gwsr, 1000)).RtnValue?.status).toBe("已授權");
    expect((await doAction(MERCHANT, order, "N", 1000)).RtnCode).toBe("1");
  });

  it("refuses a partial refund of an installment trade and accepts the full refund", async () => {
    const order = await paidOrder(production, MERCHANT, { CreditInstallment: "3,6" }, { installmentPeriod: "3" });
    expect(order.card?.installments).toBe(3);
    expect((await doAction(MERCHANT, order, "C", 1000)).RtnCode).toBe("1");
    production.runDailyClose();
    const partial = await doAction(MERCHANT, order, "R", 400);
    expect(partial.RtnCode).not.toBe("1");
    expect(partial.RtnMsg).toMatch(/全額/);
    expect((await doAction(MERCHANT, order, "R", 1000)).RtnCode).toBe("1");
  });

  it("refuses a partial refund of a redemption trade", async () => {
    const order = await paidOrder(production, MERCHANT, { Redeem: "Y" }, { useRedeem: "Y" });
    await doAction(MERCHANT, order, "C", 1000);
    production.runDailyClose();
    expect((await doAction(MERCHANT, order, "R", 10)).RtnCode).not.toBe("1");
    expect((await doAction(MERCHANT, order, "R", 1000)).RtnCode).toBe("1");
  });

  it("closes UnionPay at authorization, so R works at once and C is refused", async () => {
    const order = await paidOrder(production, MERCHANT, { UnionPay: "1" });
    expect((await creditDetail(MERCHANT, order.card?.gwsr as string, 1000)).RtnValue?.status).toBe("已關帳");
    expect((await doAction(MERCHANT, order, "C", 1000)).RtnCode).not.toBe("1");
    expect((await doAction(MERCHANT, order, "R", 100)).RtnCode).toBe("1");
  });

  it("refuses amounts above the order amount, unknown trades, ATM trades and wrong keys", async () => {
    const order = await paidOrder(production, MERCHANT);
    expect((await doAction(MERCHANT, order, "C", 1001)).RtnCode).not.toBe("1");
    expect((await doAction(MERCHANT, { ...order, tradeNo: "2401010000000000" }, "C", 1000)).RtnCode).toBe("10200047");
    const wrongKeys = await doAction({ ...MERCHANT, hashKey: "NotTheRightKey12" }, order, "C", 1000);
    expect(wrongKeys).toMatchObject({ RtnCode: "10200073", RtnMsg: "CheckMacValue Error." });
    const atm = checkoutFields(MERCHANT, { ChoosePayment: "ATM", ReturnURL: `${receiver.origin}/return` });
    await createOrder(production.origin, atm);
    const atmOrder = await production.pay(atm.MerchantTradeNo as string);
    expect((await doAction(MERCHANT, atmOrder, "R", 1000)).RtnMsg).toMatch(/不支援/);
  });

  it("refuses DoAction between 20:15 and 20:30 Taiwan time for merchants with daily auto-close, which closes authorizations", async () => {
    const order = await paidOrder(production, AUTO_CLOSE);
    try {
      clock = new Date("2025-05-05T12:20:00Z"); // 20:20 in Taiwan
      expect((await doAction(AUTO_CLOSE, order, "N", 1000)).RtnCode).not.toBe("1");
      clock = new Date("2025-05-05T12:31:00Z");
      production.runDailyClose();
      expect(production.order(order.merchantTradeNo)?.card?.status).toBe("已關帳");
      expect((await doAction(AUTO_CLOSE, order, "R", 100)).RtnCode).toBe("1");
    } finally {
      clock = null;
    }
  });

  it("QueryTrade/V2 refuses a wrong CreditCheckCode, a wrong amount and a wrong signature", async () => {
    const order = await paidOrder(production, MERCHANT);
    const gwsr = order.card?.gwsr as string;
    expect((await creditDetail(MERCHANT, gwsr, 1000, "00000000")).RtnValue).toBeNull();
    expect((await creditDetail(MERCHANT, gwsr, 999)).RtnMsg).toBe("error_nopay");
    expect((await creditDetail({ ...MERCHANT, hashIv: "BadBadBadBadBad1" }, gwsr, 1000)).RtnMsg).toBe("CheckMacValue Error.");
    expect((await creditDetail(MERCHANT, gwsr, 1000)).RtnMsg).toBe("");
  });
});

describe("standalone entry point", () => {
  it("starts from main.ts with PORT, ECPAY_ENV and ECPAY_MERCHANTS and serves checkouts", async () => {
    const merchant = { merchantId: "3300077", hashKey: "StandaloneKey123", hashIv: "StandaloneIv1234" };
    const child = spawn(process.execPath, ["--import", "tsx", "tests/emulators/ecpay/main.ts"], {
      env: { ...process.env, PORT: "0", ECPAY_ENV: "production", ECPAY_MERCHANTS: JSON.stringify([merchant]) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const origin = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match) resolve(match[1] as string);
        });
        child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
      });
      const health = await (await fetch(`${origin}/_emulator/health`)).json();
      expect(health.environment).toBe("production");
      const created = await createOrder(origin, checkoutFields(merchant));
      expect(created.pageUrl).not.toBeNull();
    } finally {
      child.kill("SIGTERM");
    }
  });
});
