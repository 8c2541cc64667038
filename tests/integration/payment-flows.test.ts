// The payment flows over real HTTP: the Shopify simulator sends sessions to the built server, the
// buyer's form goes to the ECPay emulator, ECPay's notifications come back, and the outbox tells
// the simulator. Runs on SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { paymentIdToCustomField } from "~/payments/custom-field";
import { postForm, readAutoPostForm } from "../emulators/ecpay/testing";
import { checkoutFlow, signedEcpayBody } from "../support/checkout-flow";
import { PRODUCTION_MERCHANT, SHOP, startPaymentStack, type PaymentStack } from "../support/payment-stack";
import { waitUntil } from "../support/wait";

let stack: PaymentStack;

beforeAll(async () => {
  stack = await startPaymentStack(inject("templateDatabaseUrl"), {
    extraEnv: { RECONCILE_INTERVAL_MS: "400", RECONCILE_GRACE_MS: "1500" },
  });
});

afterAll(async () => {
  await stack?.close();
});

const { startAndHandOff, mutationsFor, waitForMutation, postEcpay } = checkoutFlow(() => stack);
const signedReturn = signedEcpayBody;

describe("payment sessions", () => {
  it("answers 200 with a redirect URL and replays the same answer for a retried id without a second row", async () => {
    const body = {
      id: "idem_Retry_1",
      gid: "gid://shopify/PaymentSession/idem_Retry_1",
      group: "grp-idem",
      amount: "500.00",
      currency: "TWD",
      test: false,
      merchant_locale: "zh-TW",
      payment_method: { type: "offsite", data: { cancel_url: "https://shop.example/checkouts/cn/abc/processing" } },
      proposed_at: new Date().toISOString(),
      kind: "sale",
    };
    const send = () =>
      fetch(`${stack.server.origin}/payments/credit/session`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Shopify-Shop-Domain": SHOP,
          "Shopify-Request-Id": crypto.randomUUID(),
          "Shopify-Api-Version": "2026-07",
        },
        body: JSON.stringify(body),
      });
    const [first, second] = await Promise.all([send(), send()]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const a = (await first.json()) as { redirect_url: string };
    const b = (await second.json()) as { redirect_url: string };
    expect(a.redirect_url).toBe(`${stack.server.origin}/pay/credit/idem_Retry_1`);
    expect(b).toEqual(a);
    expect(await stack.prisma.paymentSession.count({ where: { id: "idem_Retry_1" } })).toBe(1);
  });

  it("refuses a shop that did not install the app, malformed bodies and wrong content types with a reason", async () => {
    const headers = { "Content-Type": "application/json", "Shopify-Request-Id": "r1", "Shopify-Api-Version": "2026-07" };
    const stranger = await fetch(`${stack.server.origin}/payments/credit/session`, {
      method: "POST",
      headers: { ...headers, "Shopify-Shop-Domain": "stranger.myshopify.com" },
      body: JSON.stringify({
        id: "x1",
        gid: "gid://shopify/PaymentSession/x1",
        group: "g",
        amount: "10.00",
        currency: "TWD",
        test: false,
        payment_method: { type: "offsite", data: { cancel_url: "https://s.example/c" } },
        proposed_at: new Date().toISOString(),
        kind: "sale",
      }),
    });
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toMatch(/has not installed the credit app/);
    const malformed = await fetch(`${stack.server.origin}/payments/credit/session`, {
      method: "POST",
      headers: { ...headers, "Shopify-Shop-Domain": SHOP },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    const missing = await fetch(`${stack.server.origin}/payments/credit/session`, {
      method: "POST",
      headers: { ...headers, "Shopify-Shop-Domain": SHOP },
      body: JSON.stringify({ id: "x2" }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/gid/);
    const form = await fetch(`${stack.server.origin}/payments/credit/session`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Shopify-Shop-Domain": SHOP },
      body: "id=1",
    });
    expect(form.status).toBe(415);
    expect(await stack.prisma.paymentSession.count({ where: { id: { in: ["x1", "x2"] } } })).toBe(0);
  });

  it("accepts a fractional amount and rejects the session in Shopify with a clear message, never rounding", async () => {
    const started = await stack.shopify.startPayment(SHOP, "credit", { test: false, kind: "sale", amount: 100.5 });
    expect(started.ok).toBe(true);
    const call = await waitForMutation(started.session.gid, "paymentSessionReject");
    expect(JSON.stringify(call.variables)).toMatch(/INVALID_AMOUNT/);
    expect(JSON.stringify(call.variables)).toContain("100.50");
    const row = await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: started.session.id } });
    expect(row.status).toBe("REJECTED");
    expect(row.amount).toBeNull();
  });
});

describe("paying", () => {
  it("sends a test-mode credit sale to ECPay's stage and resolves it in Shopify after 1|OK", async () => {
    const flow = await startAndHandOff("credit", { test: true });
    expect(flow.form.action).toBe(`${stack.stage.origin}/Cashier/AioCheckOut/V5`);
    expect(flow.form.fields.MerchantID).toBe("3002607");
    expect(flow.form.fields.CustomField1).toBe(paymentIdToCustomField(flow.paymentId));
    expect(flow.form.fields.ChoosePayment).toBe("Credit");
    expect(flow.form.fields.NeedExtraPaidInfo).toBe("Y");
    await stack.stage.pay(flow.merchantTradeNo);
    await waitForMutation(flow.gid, "paymentSessionResolve");
    const session = await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId }, include: { attempts: true } });
    expect(session.status).toBe("PAID");
    expect(session.attempts[0]).toMatchObject({ status: "PAID", stage: true, tradeAmt: 1280 });
    const answers = stack.stage.notificationLog().filter((n) => n.merchantTradeNo === flow.merchantTradeNo);
    expect(answers.at(-1)?.acknowledged).toBe(true);
    const notes = await stack.prisma.ecpayNotification.findMany({ where: { merchantTradeNo: flow.merchantTradeNo } });
    expect(notes.map((n) => n.outcome)).toContain("ACCEPTED");
    expect(stack.shopify.orderForPayment(flow.gid)?.financialStatus).toBe("paid");
  });

  it.each(["credit", "installments", "redeem"] as const)(
    "resolves a live %s authorization as authorized with an authorization expiry",
    async (method) => {
      const flow = await startAndHandOff(method, { kind: "authorization" });
      expect(flow.form.action).toBe(`${stack.production.origin}/Cashier/AioCheckOut/V5`);
      if (method === "installments") expect(flow.form.fields.CreditInstallment).toBe("3,6,12");
      if (method === "redeem") expect(flow.form.fields.Redeem).toBe("Y");
      await stack.production.pay(flow.merchantTradeNo);
      const call = await waitForMutation(flow.gid, "paymentSessionResolve");
      expect(call.variables.authorizationExpiresAt).toBeTruthy();
      const session = await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } });
      expect(session.status).toBe("AUTHORIZED");
    },
  );

  it.each(["unionpay", "webatm", "twqr", "wechatpay"] as const)("takes a live %s sale to paid", async (method) => {
    const flow = await startAndHandOff(method);
    if (method === "unionpay") expect(flow.form.fields.UnionPay).toBe("1");
    await stack.production.pay(flow.merchantTradeNo);
    await waitForMutation(flow.gid, "paymentSessionResolve");
    expect((await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } })).status).toBe("PAID");
  });

  it("takes ATM through pending to paid, showing the buyer the virtual account", async () => {
    const flow = await startAndHandOff("atm");
    expect(flow.form.fields.ExpireDate).toBe("2");
    expect(flow.form.fields.PaymentInfoURL).toBe(`${stack.server.origin}/ecpay/atm/payment-info`);
    const pending = await waitForMutation(flow.gid, "paymentSessionPending");
    expect(pending.variables.reason).toBe("BUYER_ACTION_REQUIRED");
    const attempt = await stack.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: flow.merchantTradeNo } });
    expect(attempt.status).toBe("ISSUED");
    expect(new Date(String(pending.variables.pendingExpiresAt)).toISOString()).toBe(
      new Date(`${attempt.expireDate!.replace(/\//g, "-")}T23:59:59+08:00`).toISOString(),
    );
    // The largest ExpireDate allowed (2) ends within Shopify's 3 days, and Shopify shows it pending.
    expect(Date.parse(String(pending.variables.pendingExpiresAt)) - Date.parse(pending.at)).toBeLessThan(3 * 86400_000);
    expect(stack.shopify.orderForPayment(flow.gid)?.financialStatus).toBe("pending");
    const page = await (await fetch(`${stack.server.origin}/pay/atm/${flow.paymentId}`)).text();
    expect(page).toContain(attempt.vAccount!);
    expect(page).toContain(attempt.bankCode!);
    await stack.production.pay(flow.merchantTradeNo);
    await waitForMutation(flow.gid, "paymentSessionResolve");
    expect((await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } })).status).toBe("PAID");
  });

  it("retries pending once with a one-day window and flags the payment when Shopify refuses ECPay's ATM deadline as out of range", async () => {
    stack.shopify.setPendingExpiryLimitDays(1.5);
    try {
      const flow = await startAndHandOff("atm");
      const accepted = await waitForMutation(flow.gid, "paymentSessionPending");
      const pendingCalls = stack.shopify.callsFor(flow.gid).filter((call) => call.mutations.includes("paymentSessionPending"));
      expect(pendingCalls).toHaveLength(2);
      expect(JSON.stringify(pendingCalls[0]!.response)).toContain("OUT_OF_RANGE_PENDING_EXPIRES_AT");
      const session = await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } });
      // Shopify's window is a day; ours keeps ECPay's deadline, so a transfer until then still settles.
      expect(Date.parse(String(accepted.variables.pendingExpiresAt)) - Date.parse(accepted.at)).toBeLessThanOrEqual(86400_000);
      expect(session.pendingExpiresAt!.toISOString()).toBe(String(pendingCalls[0]!.variables.pendingExpiresAt));
      expect(session.flag).toContain("PENDING_WINDOW_SHORTENED");
      expect(stack.shopify.orderForPayment(flow.gid)?.financialStatus).toBe("pending");
      await stack.production.pay(flow.merchantTradeNo);
      await waitForMutation(flow.gid, "paymentSessionResolve");
      expect(stack.shopify.orderForPayment(flow.gid)?.financialStatus).toBe("paid");
    } finally {
      stack.shopify.setPendingExpiryLimitDays(3);
    }
  });

  it("rejects an ATM session whose deadline passed unpaid", async () => {
    const flow = await startAndHandOff("atm");
    await waitForMutation(flow.gid, "paymentSessionPending");
    stack.production.expireAtm(flow.merchantTradeNo);
    await stack.prisma.paymentSession.update({ where: { id: flow.paymentId }, data: { pendingExpiresAt: new Date(Date.now() - 1000) } });
    const call = await waitForMutation(flow.gid, "paymentSessionReject", 15_000);
    expect(JSON.stringify(call.variables)).toMatch(/ATM/);
    const attempt = await stack.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: flow.merchantTradeNo } });
    expect(attempt.status).toBe("EXPIRED");
  });

  it("brings the buyer back through OrderResultURL to Shopify's next page", async () => {
    const flow = await startAndHandOff("credit");
    const pagePath = `/Emulator/Payment/`;
    const order = stack.production.order(flow.merchantTradeNo)!;
    const paid = await postForm(`${stack.production.origin}${pagePath}${order.tradeNo}/pay`, {
      cardNumber: "4311952222222222",
      cardExpiry: "12/40",
      cardCvv: "222",
    });
    const autoPost = readAutoPostForm(await paid.text());
    expect(autoPost?.action).toBe(`${stack.server.origin}/ecpay/credit/result`);
    await waitForMutation(flow.gid, "paymentSessionResolve");
    await waitUntil(async () => (await stack.prisma.paymentSession.findUnique({ where: { id: flow.paymentId } }))?.nextActionUrl);
    const back = await fetch(autoPost!.action, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(autoPost!.fields).toString(),
      redirect: "manual",
    });
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toContain(stack.shopify.origin);
  });
});

describe("ECPay notifications", () => {
  it("change nothing when duplicated: one resolve, the resend is logged as a duplicate", async () => {
    stack.production.setNotificationFault({ duplicate: true });
    try {
      const flow = await startAndHandOff("credit");
      await stack.production.pay(flow.merchantTradeNo);
      await waitForMutation(flow.gid, "paymentSessionResolve");
      await stack.production.whenNotificationsSettled();
      const outcomes = (await stack.prisma.ecpayNotification.findMany({ where: { merchantTradeNo: flow.merchantTradeNo } })).map((n) => n.outcome);
      expect(outcomes).toContain("ACCEPTED");
      expect(outcomes).toContain("DUPLICATE");
      expect(mutationsFor(flow.gid).filter((m) => m === "paymentSessionResolve").length).toBeGreaterThanOrEqual(1);
      expect(await stack.prisma.outboxMessage.count({ where: { subjectId: flow.paymentId } })).toBe(1);
    } finally {
      stack.production.setNotificationFault(null);
    }
  });

  it("refuse a tampered, unknown, wrong-amount or replayed message without 1|OK and without resolving", async () => {
    const flow = await startAndHandOff("credit");
    const base = {
      MerchantID: PRODUCTION_MERCHANT.merchantId,
      MerchantTradeNo: flow.merchantTradeNo,
      StoreID: "",
      RtnCode: "1",
      RtnMsg: "交易成功",
      TradeNo: "2611251234567890",
      TradeAmt: "1280",
      PaymentDate: "2026/11/25 12:00:00",
      PaymentType: "Credit_CreditCard",
      PaymentTypeChargeFee: "35",
      TradeDate: "2026/11/25 11:59:00",
      SimulatePaid: "0",
      CustomField1: paymentIdToCustomField(flow.paymentId),
      CustomField2: "",
      CustomField3: "",
      CustomField4: "",
    };
    const tampered = signedReturn(base).replace("TradeAmt=1280", "TradeAmt=1281");
    const bad = await postEcpay("/ecpay/credit/return", tampered);
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toBe("1|OK");

    const unknown = await postEcpay("/ecpay/credit/return", signedReturn({ ...base, MerchantTradeNo: "NOPE1234567890" }));
    expect(unknown.status).toBe(404);

    const wrongAmount = await postEcpay("/ecpay/credit/return", signedReturn({ ...base, TradeAmt: "1" }));
    expect(wrongAmount.status).toBe(400);

    const replayed = await postEcpay("/ecpay/atm/return", signedReturn(base));
    expect(replayed.status).toBe(400);
    expect(await replayed.text()).toMatch(/credit app/);

    const otherMerchant = await postEcpay("/ecpay/credit/return", signedReturn({ ...base, MerchantID: "3002607" }));
    expect(otherMerchant.status).toBe(400);

    const session = await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } });
    expect(session.status).toBe("REDIRECTED");
    expect(session.flag).toBe("AMOUNT_MISMATCH");
    expect(mutationsFor(flow.gid)).toEqual([]);
    const outcomes = (await stack.prisma.ecpayNotification.findMany({ where: { merchantTradeNo: flow.merchantTradeNo } })).map((n) => n.outcome);
    expect(outcomes).toEqual(expect.arrayContaining(["BAD_SIGNATURE", "AMOUNT_MISMATCH", "WRONG_APP", "MERCHANT_MISMATCH"]));
  });

  it("accept an ATM account notice that arrives after the payment without undoing it", async () => {
    const flow = await startAndHandOff("atm");
    await waitForMutation(flow.gid, "paymentSessionPending");
    await stack.production.pay(flow.merchantTradeNo);
    await waitForMutation(flow.gid, "paymentSessionResolve");
    const attempt = await stack.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: flow.merchantTradeNo } });
    const late = await postEcpay(
      "/ecpay/atm/payment-info",
      signedReturn({
        MerchantID: PRODUCTION_MERCHANT.merchantId,
        MerchantTradeNo: flow.merchantTradeNo,
        StoreID: "",
        RtnCode: "2",
        RtnMsg: "Get VirtualAccount Succeeded",
        TradeNo: attempt.tradeNo!,
        TradeAmt: "1280",
        PaymentType: "ATM_TAISHIN",
        TradeDate: "2026/11/25 12:00:00",
        BankCode: "812",
        vAccount: "9103522175887271",
        ExpireDate: "2026/11/27",
        CustomField1: paymentIdToCustomField(flow.paymentId),
        CustomField2: "",
        CustomField3: "",
        CustomField4: "",
      }),
    );
    expect(late.status).toBe(200);
    expect(await late.text()).toBe("1|OK");
    expect((await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } })).status).toBe("PAID");
    expect(mutationsFor(flow.gid).filter((m) => m === "paymentSessionPending")).toHaveLength(1);
  });

  it("never treats a simulated payment as money in production", async () => {
    const flow = await startAndHandOff("credit");
    await stack.production.pay(flow.merchantTradeNo, { simulatePaid: true });
    await stack.production.whenNotificationsSettled();
    const session = await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } });
    expect(session.status).toBe("REDIRECTED");
    expect(session.flag).toBe("SIMULATED_PAYMENT_IN_PRODUCTION");
    expect(mutationsFor(flow.gid)).toEqual([]);
  });

  it("are recovered by the reconciler when ECPay's notification is lost", async () => {
    stack.production.setNotificationFault({ drop: 5 });
    try {
      const flow = await startAndHandOff("twqr");
      await stack.production.pay(flow.merchantTradeNo);
      await waitForMutation(flow.gid, "paymentSessionResolve", 20_000);
      const outcomes = (await stack.prisma.ecpayNotification.findMany({ where: { merchantTradeNo: flow.merchantTradeNo } })).map((n) => `${n.channel}:${n.outcome}`);
      expect(outcomes).toContain("QUERY:ACCEPTED");
    } finally {
      stack.production.setNotificationFault(null);
    }
  });
});

describe("checkout groups", () => {
  it("never resolve two tabs of one checkout: the second payment is rejected and flagged for refund", async () => {
    const first = await startAndHandOff("credit");
    const checkoutToken = first.started.checkout.token;
    const second = await startAndHandOff("credit", { checkoutToken });
    expect(second.started.session.group).toBe(first.started.session.group);
    await stack.production.pay(first.merchantTradeNo);
    await waitForMutation(first.gid, "paymentSessionResolve");
    await stack.production.pay(second.merchantTradeNo);
    await waitForMutation(second.gid, "paymentSessionReject");
    const row = await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: second.paymentId } });
    expect(row.flag).toBe("DUPLICATE_PAYMENT");
    expect(mutationsFor(second.gid)).not.toContain("paymentSessionResolve");
  });

  it("let a buyer who cancelled on ECPay's page pay with another method", async () => {
    const credit = await startAndHandOff("credit");
    const order = stack.production.order(credit.merchantTradeNo)!;
    await postForm(`${stack.production.origin}/Emulator/Payment/${order.tradeNo}/cancel`, {});
    const atm = await startAndHandOff("atm", { checkoutToken: credit.started.checkout.token });
    await waitForMutation(atm.gid, "paymentSessionPending");
    await stack.production.pay(atm.merchantTradeNo);
    await waitForMutation(atm.gid, "paymentSessionResolve");
    expect(mutationsFor(credit.gid)).toEqual([]);
  });
});

describe("Shopify failures and restarts", () => {
  it("deliver the resolve later when Shopify answers 500", async () => {
    stack.shopify.faults.failNext(3, { status: 500 });
    const flow = await startAndHandOff("credit");
    await stack.production.pay(flow.merchantTradeNo);
    await waitForMutation(flow.gid, "paymentSessionResolve", 30_000);
    const message = await waitUntil(() =>
      stack.prisma.outboxMessage.findFirst({ where: { subjectId: flow.paymentId, status: "DELIVERED" }, include: { log: true } }),
    );
    expect(message.log.filter((l) => !l.ok).length).toBeGreaterThanOrEqual(1);
  });

  it("survive a kill -9 between storing a paid notification and telling Shopify", async () => {
    stack.shopify.faults.failNext(1000, { status: 503 });
    const flow = await startAndHandOff("credit");
    await stack.production.pay(flow.merchantTradeNo);
    await waitUntil(async () => (await stack.prisma.paymentSession.findUnique({ where: { id: flow.paymentId } }))?.status === "PAID");
    await stack.server.restart();
    stack.shopify.faults.clear();
    await waitForMutation(flow.gid, "paymentSessionResolve", 30_000);
  });

  it("finish a payment started before a kill -9", async () => {
    const flow = await startAndHandOff("webatm");
    await stack.server.restart();
    await stack.production.pay(flow.merchantTradeNo);
    await waitForMutation(flow.gid, "paymentSessionResolve");
  });
});
