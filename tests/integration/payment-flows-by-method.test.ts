// Every payment method through the real path, driven from the method registry: the Shopify
// simulator sends the session request, the buyer opens /pay and posts to the ECPay emulator, the
// emulator's signed ReturnURL comes back, the outbox tells the simulator. Paid payments are paid
// here, never inserted, so capture, void and refund start from what a real payment left behind.
// Runs on SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bilingual, resolveLocale, t, type MessageKey } from "~/i18n";
import { createSecretBox } from "~/lib/secrets.server";
import { seedShop } from "~/ops/seed-shop.server";
import { paymentIdToCustomField } from "~/payments/custom-field";
import { METHOD_HANDLES, PAYMENT_METHODS, paysByUnionPay, type MethodHandle, type RefundRule } from "~/payments/methods";
import { encodeFormBody } from "~/ecpay/form-body";
import { STAGE_MERCHANT, type CardTrade, type EcpayEmulator } from "../emulators/ecpay";
import { postForm, readAutoPostForm } from "../emulators/ecpay/testing";
import { checkoutFlow, DESKTOP_BROWSER, signedEcpayBody } from "../support/checkout-flow";
import type { FinancialRequestResult } from "../simulators/shopify";
import { PRODUCTION_MERCHANT, SHOP, openHandOff, startPaymentStack, submitToEcpay, type PaymentStack } from "../support/payment-stack";
import { TEST_ENCRYPTION_KEY } from "../support/test-env";
import { waitUntil } from "../support/wait";

let stack: PaymentStack;

beforeAll(async () => {
  stack = await startPaymentStack(inject("templateDatabaseUrl"), {
    extraEnv: { RECONCILE_INTERVAL_MS: "300", RECONCILE_GRACE_MS: "1000" },
  });
});

afterAll(async () => {
  await stack?.close();
});

const { startAndHandOff, mutationsFor, appliedMutations, waitForMutation, postEcpay } = checkoutFlow(() => stack);

const AMOUNT = 1280;
const AUTHORIZING = METHOD_HANDLES.filter((m) => PAYMENT_METHODS[m].supportsAuthorization);
const CARD = METHOD_HANDLES.filter((m) => PAYMENT_METHODS[m].ecpay.choosePayment === "Credit");
const REFUSED_REFUNDS: Partial<Record<RefundRule, MessageKey>> = {
  "contact-buyer": "refund.contactBuyer",
  "opay-back-office": "refund.opayBackOffice",
};
const zh = (key: MessageKey, vars?: Record<string, string | number>) => t(resolveLocale("zh-TW"), key, vars);
const MOBILE_BROWSER = { "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148" };

/** SQLite: a test write that meets the server's transaction may time out instead of waiting; retry it. */
async function write<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= 20 || !String(error).includes("Operation has timed out")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

const count = (list: string[], item: string) => list.filter((entry) => entry === item).length;
const session = (id: string) => stack.prisma.paymentSession.findUniqueOrThrow({ where: { id } });
const attempt = (merchantTradeNo: string) => stack.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo } });

type Flow = Awaited<ReturnType<typeof startAndHandOff>>;

/** Pay the flow's trade on ECPay (after the ATM account is in Shopify) and wait for Shopify's resolve. */
async function payAndResolve(flow: Flow, ecpay: EcpayEmulator = stack.production) {
  const method = flow.started.session.method;
  if (PAYMENT_METHODS[method].pending) await waitForMutation(flow.gid, "paymentSessionPending");
  await ecpay.pay(flow.merchantTradeNo);
  return waitForMutation(flow.gid, "paymentSessionResolve");
}

async function paidLive(method: MethodHandle, kind: "sale" | "authorization" = "sale") {
  const flow = await startAndHandOff(method, { kind });
  const resolve = await payAndResolve(flow);
  const order = stack.shopify.orderForPayment(flow.gid);
  if (!order) throw new Error(`the simulator has no order for ${flow.gid}`);
  return { ...flow, resolve, orderId: order.id };
}

const card = (merchantTradeNo: string) => stack.production.order(merchantTradeNo)?.card ?? null;

/** What ECPay will still pay the merchant for a card trade. */
function stillCharged(trade: CardTrade): number {
  if (trade.status === "已取消") return 0;
  if (trade.status === "已授權") return trade.amount;
  return trade.closedAmount - trade.refundedAmount;
}

/** The ECPay ReturnURL body the emulator sent for a trade (CheckMacValue included). */
function sentReturn(ecpay: EcpayEmulator, merchantTradeNo: string): Record<string, string> {
  const sent = ecpay.notificationLog().find((n) => n.kind === "return" && n.merchantTradeNo === merchantTradeNo && !n.dropped);
  if (!sent) throw new Error(`ECPay sent no ReturnURL for ${merchantTradeNo}`);
  return sent.fields;
}

/**
 * After Shopify was down for a while the outbox waits out its backoff (seconds by then): bring the
 * subject's next delivery forward instead of sleeping. Nothing else about the row changes.
 */
async function deliverNow(subjectId: string) {
  await write(() =>
    stack.prisma.outboxMessage.updateMany({ where: { subjectId, status: "PENDING" }, data: { nextAttemptAt: new Date(Date.now() - 1000) } }),
  );
}

async function outboxCount(subjectId: string) {
  return stack.prisma.outboxMessage.count({ where: { subjectId } });
}

// ---------------------------------------------------------------------------------------------

describe.each(METHOD_HANDLES)("a %s sale", (method) => {
  const def = PAYMENT_METHODS[method];

  it("is paid on ECPay's production and resolved once in Shopify", async () => {
    const flow = await startAndHandOff(method);
    expect(flow.form.action).toBe(`${stack.production.origin}/Cashier/AioCheckOut/V5`);
    expect(flow.form.fields).toMatchObject({ MerchantID: PRODUCTION_MERCHANT.merchantId, ChoosePayment: def.ecpay.choosePayment, ...def.ecpay.extra });
    expect(flow.form.fields.CustomField1).toBe(paymentIdToCustomField(flow.paymentId));
    // Only the UnionPay app takes UnionPay (1); the other card apps hide it (2) so no trade closes at authorization.
    expect(flow.form.fields.UnionPay).toBe(def.ecpay.choosePayment !== "Credit" ? undefined : method === "unionpay" ? "1" : "2");
    await payAndResolve(flow);
    expect(await session(flow.paymentId)).toMatchObject({ status: "PAID" });
    expect(await attempt(flow.merchantTradeNo)).toMatchObject({ status: "PAID", stage: false, tradeAmt: AMOUNT });
    expect(stack.production.notificationLog().filter((n) => n.merchantTradeNo === flow.merchantTradeNo && n.kind === "return").at(-1)?.acknowledged).toBe(true);
    expect(count(appliedMutations(flow.gid), "paymentSessionResolve")).toBe(1);
    expect(stack.shopify.orderForPayment(flow.gid)?.financialStatus).toBe("paid");
  });

  if (paysByUnionPay(def)) {
    it("in test mode is rejected in Shopify with the reason: ECPay's stage has no UnionPay", async () => {
      const started = await stack.shopify.startPayment(SHOP, method, { test: true, amount: AMOUNT });
      const call = await waitForMutation(started.session.gid, "paymentSessionReject");
      expect(call.variables).toMatchObject({ reason: { code: "PAYMENT_METHOD_UNSUPPORTED", merchantMessage: bilingual("payment.reject.stageUnsupported") } });
    });
  } else {
    it("in test mode goes to ECPay's stage and is resolved once in Shopify", async () => {
      const flow = await startAndHandOff(method, { test: true });
      expect(flow.form.action).toBe(`${stack.stage.origin}/Cashier/AioCheckOut/V5`);
      expect(flow.form.fields.MerchantID).toBe(STAGE_MERCHANT.merchantId);
      await payAndResolve(flow, stack.stage);
      expect(await attempt(flow.merchantTradeNo)).toMatchObject({ status: "PAID", stage: true });
      expect(count(appliedMutations(flow.gid), "paymentSessionResolve")).toBe(1);
    });
  }

  it("refuses a tampered or unknown-trade notification and changes nothing on a duplicate", async () => {
    const flow = await startAndHandOff(method);
    await payAndResolve(flow);
    await waitUntil(() => stack.prisma.outboxMessage.findFirst({ where: { subjectId: flow.paymentId, mutation: "paymentSessionResolve", status: "DELIVERED" } }));
    const before = { row: await session(flow.paymentId), outbox: await outboxCount(flow.paymentId) };
    const fields = sentReturn(stack.production, flow.merchantTradeNo);
    const path = `/ecpay/${method}/return`;

    const duplicate = await postEcpay(path, encodeFormBody(fields));
    expect(duplicate.status).toBe(200);
    expect(await duplicate.text()).toBe("1|OK");

    const tampered = await postEcpay(path, encodeFormBody({ ...fields, TradeAmt: String(AMOUNT + 1) }));
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).not.toBe("1|OK");

    const { CheckMacValue: _mac, ...unsigned } = fields;
    const unknown = await postEcpay(path, signedEcpayBody({ ...unsigned, MerchantTradeNo: `ZZ${flow.merchantTradeNo.slice(2)}` }));
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).not.toBe("1|OK");

    const after = await session(flow.paymentId);
    expect(after).toMatchObject({ status: before.row.status, flag: before.row.flag, updatedAt: before.row.updatedAt });
    expect(await outboxCount(flow.paymentId)).toBe(before.outbox);
    const outcomes = (await stack.prisma.ecpayNotification.findMany({ where: { merchantTradeNo: flow.merchantTradeNo, channel: "RETURN" } })).map((n) => n.outcome);
    expect(outcomes.sort()).toEqual(["ACCEPTED", "BAD_SIGNATURE", "DUPLICATE"]);
    expect(count(appliedMutations(flow.gid), "paymentSessionResolve")).toBe(1);
  });

  it("is resolved exactly once when Shopify answers 500 and then hangs past the client timeout", async () => {
    // First delivery: 500. Second: Shopify applies the resolve but answers only after our timeout.
    stack.shopify.faults.failNext(1, { status: 500, mutation: "paymentSessionResolve" });
    stack.shopify.faults.hangNext(1, { ms: 3_000, afterProcessing: true, mutation: "paymentSessionResolve" });
    try {
      const flow = await startAndHandOff(method);
      if (def.pending) await waitForMutation(flow.gid, "paymentSessionPending");
      await stack.production.pay(flow.merchantTradeNo);
      const message = await waitUntil(
        () =>
          stack.prisma.outboxMessage.findFirst({
            where: { subjectId: flow.paymentId, mutation: "paymentSessionResolve", status: "DELIVERED" },
            include: { log: true },
          }),
        { timeoutMs: 20_000, message: "the resolve delivered" },
      );
      expect(message.log.filter((entry) => !entry.ok).length).toBeGreaterThanOrEqual(2);
      const resolves = stack.shopify.callsFor(flow.gid).filter((call) => call.mutations.includes("paymentSessionResolve"));
      expect(resolves.map((call) => call.fault)).toEqual(expect.arrayContaining(["error", "hang-after-processing"]));
      expect(count(appliedMutations(flow.gid), "paymentSessionResolve")).toBe(1);
      expect(stack.shopify.paymentSession(flow.gid)?.finalMutation).toBe("paymentSessionResolve");
    } finally {
      stack.shopify.faults.clear();
    }
  });

  it("is settled by the reconciler when ECPay's paid notification is lost", async () => {
    const flow = await startAndHandOff(method);
    if (def.pending) await waitForMutation(flow.gid, "paymentSessionPending");
    stack.production.setNotificationFault({ drop: 5 });
    try {
      await stack.production.pay(flow.merchantTradeNo);
      await stack.production.whenNotificationsSettled();
      if (def.pending) {
        // An issued ATM account is looked at again when its deadline passes (before expiring it).
        await write(() => stack.prisma.paymentSession.update({ where: { id: flow.paymentId }, data: { pendingExpiresAt: new Date(Date.now() - 1000) } }));
      }
      await waitForMutation(flow.gid, "paymentSessionResolve", 20_000);
    } finally {
      stack.production.setNotificationFault(null);
    }
    const sent = stack.production.notificationLog().filter((n) => n.merchantTradeNo === flow.merchantTradeNo && n.kind === "return");
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((n) => n.dropped)).toBe(true);
    const outcomes = (await stack.prisma.ecpayNotification.findMany({ where: { merchantTradeNo: flow.merchantTradeNo } })).map((n) => `${n.channel}:${n.outcome}`);
    expect(outcomes).toContain("QUERY:ACCEPTED");
    expect(await session(flow.paymentId)).toMatchObject({ status: "PAID" });
    expect(count(appliedMutations(flow.gid), "paymentSessionResolve")).toBe(1);
  });

  const rule = def.refund;
  const refusal = REFUSED_REFUNDS[rule];
  if (refusal) {
    it(`refuses an online refund with the localized reason (${rule})`, async () => {
      const paid = await paidLive(method);
      const refund = await stack.shopify.refund(paid.orderId);
      expect(refund.ok).toBe(true);
      const call = await waitForMutation(refund.session.gid, "refundSessionReject");
      expect(call.variables).toEqual({ id: refund.session.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: bilingual(refusal) } });
      expect(await session(paid.paymentId)).toMatchObject({ status: "PAID", refundedAmount: 0 });
      expect(stack.shopify.order(paid.orderId)?.financialStatus).toBe("paid");
    });
  } else if (rule === "full-only") {
    it("refuses a partial refund with the localized reason and refunds the whole amount", async () => {
      const paid = await paidLive(method);
      const partial = await stack.shopify.refund(paid.orderId, 200);
      const rejected = await waitForMutation(partial.session.gid, "refundSessionReject");
      expect(rejected.variables).toEqual({ id: partial.session.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: bilingual("refund.fullOnly") } });
      expect(stillCharged(card(paid.merchantTradeNo)!)).toBe(AMOUNT);

      const full = await stack.shopify.refund(paid.orderId);
      await waitForMutation(full.session.gid, "refundSessionResolve", 15_000);
      expect(await session(paid.paymentId)).toMatchObject({ status: "REFUNDED", refundedAmount: AMOUNT });
      expect(stillCharged(card(paid.merchantTradeNo)!)).toBe(0);
      expect(stack.shopify.order(paid.orderId)?.financialStatus).toBe("refunded");
    });
  } else {
    it("refunds part, then the rest", async () => {
      const paid = await paidLive(method);
      const partial = await stack.shopify.refund(paid.orderId, 200);
      await waitForMutation(partial.session.gid, "refundSessionResolve", 15_000);
      expect(await session(paid.paymentId)).toMatchObject({ status: "PARTIALLY_REFUNDED", refundedAmount: 200 });
      expect(stillCharged(card(paid.merchantTradeNo)!)).toBe(AMOUNT - 200);

      const rest = await stack.shopify.refund(paid.orderId);
      await waitForMutation(rest.session.gid, "refundSessionResolve", 15_000);
      expect(await session(paid.paymentId)).toMatchObject({ status: "REFUNDED", refundedAmount: AMOUNT });
      expect(stillCharged(card(paid.merchantTradeNo)!)).toBe(0);
      expect(stack.shopify.order(paid.orderId)?.financialStatus).toBe("refunded");
    });
  }
});

describe("a credit-app sale the buyer paid in installments (自費分期)", () => {
  it("records the installments from the paid notification and rejects a partial refund without calling ECPay", async () => {
    const flow = await startAndHandOff("credit");
    await stack.production.pay(flow.merchantTradeNo, { installmentPeriod: "6" });
    await waitForMutation(flow.gid, "paymentSessionResolve");
    expect(await attempt(flow.merchantTradeNo)).toMatchObject({ status: "PAID", installmentStages: 6, unionPay: false });
    const orderId = stack.shopify.orderForPayment(flow.gid)!.id;
    await waitUntil(async () => (await attempt(flow.merchantTradeNo)).cardState === "CLOSE_REQUESTED");

    const partial = await stack.shopify.refund(orderId, 200);
    const rejected = await waitForMutation(partial.session.gid, "refundSessionReject");
    expect(rejected.variables).toEqual({ id: partial.session.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: bilingual("refund.fullOnly") } });
    expect(card(flow.merchantTradeNo)).toMatchObject({ installments: 6, refundedAmount: 0, closedAmount: AMOUNT });
    expect(card(flow.merchantTradeNo)?.closeData.map((record) => record.status)).toEqual(["要關帳"]);
  });
});

describe.each(AUTHORIZING)("a %s authorization", (method) => {
  it("is captured after a real authorization", async () => {
    const paid = await paidLive(method, "authorization");
    expect(paid.resolve.variables.authorizationExpiresAt).toBeTruthy();
    expect(await session(paid.paymentId)).toMatchObject({ status: "AUTHORIZED" });
    expect(card(paid.merchantTradeNo)?.status).toBe("已授權");

    const capture = await stack.shopify.capture(paid.orderId);
    expect(capture.ok).toBe(true);
    await waitForMutation(capture.session.gid, "captureSessionResolve", 15_000);
    expect(await session(paid.paymentId)).toMatchObject({ status: "PAID", capturedAmount: AMOUNT });
    expect(card(paid.merchantTradeNo)).toMatchObject({ status: "要關帳", closedAmount: AMOUNT });
    expect(stack.shopify.order(paid.orderId)?.financialStatus).toBe("paid");
  });

  it("is voided after a real authorization", async () => {
    const paid = await paidLive(method, "authorization");
    const voided = await stack.shopify.void(paid.orderId);
    expect(voided.ok).toBe(true);
    await waitForMutation(voided.session.gid, "voidSessionResolve", 15_000);
    expect(await session(paid.paymentId)).toMatchObject({ status: "VOIDED" });
    expect(card(paid.merchantTradeNo)?.status).toBe("已取消");
    expect(stack.shopify.order(paid.orderId)?.financialStatus).toBe("voided");
  });
});

describe.each(CARD)("a declined %s card (signed ReturnURL with RtnCode ≠ 1)", (method) => {
  it("is acknowledged without telling Shopify, and the buyer retries on a fresh trade", async () => {
    const flow = await startAndHandOff(method);
    const order = stack.production.order(flow.merchantTradeNo)!;
    const declined = signedEcpayBody({
      MerchantID: PRODUCTION_MERCHANT.merchantId,
      MerchantTradeNo: flow.merchantTradeNo,
      StoreID: "",
      RtnCode: "10100058",
      RtnMsg: "拒絕交易",
      TradeNo: order.tradeNo,
      TradeAmt: String(AMOUNT),
      PaymentDate: "",
      PaymentType: "Credit_CreditCard",
      PaymentTypeChargeFee: "0",
      TradeDate: order.tradeDate,
      SimulatePaid: "0",
      CustomField1: paymentIdToCustomField(flow.paymentId),
      CustomField2: "",
      CustomField3: "",
      CustomField4: "",
    });
    const answer = await postEcpay(`/ecpay/${method}/return`, declined);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe("1|OK");
    expect(await attempt(flow.merchantTradeNo)).toMatchObject({ status: "FAILED", rtnCode: "10100058" });
    // The buyer can try again: the session is not rejected and Shopify hears nothing.
    expect(await session(flow.paymentId)).toMatchObject({ status: "REDIRECTED" });
    expect(stack.shopify.callsFor(flow.gid)).toEqual([]);

    if (PAYMENT_METHODS[method].orderResultUrlSupported) {
      const page = await postEcpay(`/ecpay/${method}/result`, declined);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`href="/pay/${method}/${flow.paymentId}"`);
    }

    const retry = await openHandOff(flow.started.redirectUrl!, { headers: DESKTOP_BROWSER });
    expect(retry.fields.MerchantTradeNo).not.toBe(flow.merchantTradeNo);
    expect((await submitToEcpay(retry)).status).toBe(302);
    await stack.production.pay(retry.fields.MerchantTradeNo!);
    await waitForMutation(flow.gid, "paymentSessionResolve");
    expect(mutationsFor(flow.gid)).toEqual(["paymentSessionResolve"]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("payment session requests", () => {
  const UNBOUND_SHOP = "unbound-shop.myshopify.com";

  beforeAll(async () => {
    // Installed the ATM app, never bound an ECPay account; no other app.
    const box = createSecretBox({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
    await write(() => seedShop(stack.prisma, box, { method: "atm", shop: UNBOUND_SHOP, accessToken: "shpat_unbound_atm", ready: false }));
  });

  const post = (method: MethodHandle, shop: string) => {
    const id = `req${Math.random().toString(36).slice(2, 12)}`;
    return fetch(`${stack.server.origin}/payments/${method}/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Shopify-Shop-Domain": shop, "Shopify-Request-Id": id, "Shopify-Api-Version": stack.shopify.apiVersion },
      body: JSON.stringify({
        id,
        gid: `gid://shopify/PaymentSession/${id}`,
        group: `grp-${id}`,
        amount: "500.00",
        currency: "TWD",
        test: false,
        payment_method: { type: "offsite", data: { cancel_url: "https://shop.example/checkouts/cn/x/processing" } },
        proposed_at: new Date().toISOString(),
        kind: "sale",
      }),
    });
  };

  it("refuse an unknown shop, a shop without this method's app and a shop that bound no ECPay account, each with its own reason", async () => {
    const unknown = await post("atm", "nobody-here.myshopify.com");
    const otherApp = await post("credit", UNBOUND_SHOP);
    const unbound = await post("atm", UNBOUND_SHOP);
    expect([unknown.status, otherApp.status, unbound.status]).toEqual([403, 403, 403]);
    expect(await unknown.text()).toBe(bilingual("session.refuse.unknownShop", { shop: "nobody-here.myshopify.com", method: "atm" }));
    expect(await otherApp.text()).toBe(bilingual("session.refuse.notInstalled", { shop: UNBOUND_SHOP, method: "credit" }));
    expect(await unbound.text()).toBe(bilingual("session.refuse.notBound", { shop: UNBOUND_SHOP, method: "atm" }));
    expect(await stack.prisma.paymentSession.count({ where: { shop: { in: [UNBOUND_SHOP, "nobody-here.myshopify.com"] } } })).toBe(0);
  });

  it("accept a non-TWD checkout and reject it in Shopify with the merchant's reason", async () => {
    const checkout = stack.shopify.createCheckout(SHOP, { amount: 42, currency: "USD" });
    const started = await stack.shopify.startPayment(SHOP, "credit", { checkoutToken: checkout.token });
    expect(started.ok).toBe(true);
    expect(started.request.attempts.at(-1)?.status).toBe(200);
    const call = await waitForMutation(started.session.gid, "paymentSessionReject");
    expect(call.variables).toEqual({
      id: started.session.gid,
      reason: { code: "INVALID_CURRENCY", merchantMessage: bilingual("payment.reject.currency", { currency: "USD" }) },
    });
    expect(await session(started.session.id)).toMatchObject({ status: "REJECTED", amount: null });
  });
});

describe("the buyer's pages", () => {
  it("tell a WebATM buyer on a phone that it needs a desktop with a card reader, without starting a trade", async () => {
    const started = await stack.shopify.startPayment(SHOP, "webatm", { amount: AMOUNT });
    const page = await fetch(started.redirectUrl!, { headers: MOBILE_BROWSER });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('id="webatm-desktop-only"');
    expect(html).toContain(zh("buyer.webatmDesktop"));
    expect(html).not.toContain("<form");
    expect(await stack.prisma.paymentAttempt.count({ where: { paymentSessionId: started.session.id } })).toBe(0);
  });

  it("start a new ECPay trade on a second visit, in a page that cannot be framed and submits without JavaScript", async () => {
    const started = await stack.shopify.startPayment(SHOP, "credit", { amount: AMOUNT });
    const first = await fetch(started.redirectUrl!, { headers: DESKTOP_BROWSER });
    expect(first.headers.get("x-frame-options")).toBe("DENY");
    expect(first.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const html = await first.text();
    // A visible submit button inside the form: a buyer without JavaScript presses it.
    expect(html).toMatch(/<form[^>]*method="post"[^>]*>[\s\S]*<button type="submit">[^<]+<\/button>[\s\S]*<\/form>/);
    const again = await openHandOff(started.redirectUrl!, { headers: DESKTOP_BROWSER });
    const tradeNos = (await stack.prisma.paymentAttempt.findMany({ where: { paymentSessionId: started.session.id } })).map((a) => a.merchantTradeNo);
    expect(tradeNos).toHaveLength(2);
    expect(new Set(tradeNos).size).toBe(2);
    expect(tradeNos).toContain(again.fields.MerchantTradeNo);
  });

  it("keep the buyer back from ECPay on a polling page while Shopify has not answered, then send them to Shopify's next page", async () => {
    stack.shopify.faults.failNext(1_000, { status: 503, mutation: "paymentSessionResolve" });
    const flow = await startAndHandOff("credit");
    let autoPost: ReturnType<typeof readAutoPostForm> = null;
    try {
      const order = stack.production.order(flow.merchantTradeNo)!;
      const paid = await postForm(`${stack.production.origin}/Emulator/Payment/${order.tradeNo}/pay`, {
        cardNumber: "4311952222222222",
        cardExpiry: "12/40",
        cardCvv: "222",
      });
      autoPost = readAutoPostForm(await paid.text());
      expect(autoPost?.action).toBe(`${stack.server.origin}/ecpay/credit/result`);
      await waitUntil(async () => (await session(flow.paymentId)).status === "PAID");
      const back = await postEcpay("/ecpay/credit/result", new URLSearchParams(autoPost!.fields).toString());
      expect(back.status).toBe(200);
      const waiting = await back.text();
      const refresh = /<meta http-equiv="refresh" content="(\d+);url=([^"]+)">/.exec(waiting);
      expect(refresh?.[2]).toBe(`/pay/credit/${flow.paymentId}?wait=1`);
      const poll = await fetch(`${stack.server.origin}${refresh![2]}`, { redirect: "manual" });
      expect(poll.status).toBe(200);
      expect(await poll.text()).toContain('id="waiting"');
      expect(mutationsFor(flow.gid)).toEqual([]);
    } finally {
      stack.shopify.faults.clear();
    }
    await waitForMutation(flow.gid, "paymentSessionResolve", 15_000);
    const nextAction = await waitUntil(async () => (await session(flow.paymentId)).nextActionUrl);
    const polled = await fetch(`${stack.server.origin}/pay/credit/${flow.paymentId}?wait=1`, { redirect: "manual" });
    expect(polled.status).toBe(303);
    expect(polled.headers.get("location")).toBe(nextAction);
    const again = await postEcpay("/ecpay/credit/result", new URLSearchParams(autoPost!.fields).toString());
    expect(again.status).toBe(200); // fetch follows the 303 to Shopify's page
    expect(again.url).toBe(nextAction);
  });
});

// ---------------------------------------------------------------------------------------------
// kill -9 of the server in the middle of a flow: each ends in exactly one correct outcome.

describe("a restart in the middle", () => {
  it("of a capture, after ECPay captured and before Shopify heard: captured once", async () => {
    const paid = await paidLive("credit", "authorization");
    stack.shopify.faults.failNext(1_000, { status: 503, mutation: "captureSessionResolve" });
    try {
      const capture = await stack.shopify.capture(paid.orderId);
      await waitUntil(async () => (await stack.prisma.operationSession.findUnique({ where: { id: capture.session.id } }))?.status === "SUCCEEDED", {
        timeoutMs: 15_000,
      });
      await stack.server.restart();
      stack.shopify.faults.clear();
      await deliverNow(capture.session.id);
      await waitForMutation(capture.session.gid, "captureSessionResolve", 15_000);
      expect(count(appliedMutations(capture.session.gid), "captureSessionResolve")).toBe(1);
    } finally {
      stack.shopify.faults.clear();
    }
    expect(card(paid.merchantTradeNo)).toMatchObject({ status: "要關帳", closedAmount: AMOUNT });
    expect(await session(paid.paymentId)).toMatchObject({ status: "PAID", capturedAmount: AMOUNT });
  });

  it("of a refund, right after Shopify had our 201 and again after ECPay refunded: each refunded once", async () => {
    const paid = await paidLive("credit");
    await waitUntil(async () => (await attempt(paid.merchantTradeNo)).cardState === "CLOSE_REQUESTED");
    const partial = await stack.shopify.refund(paid.orderId, 300);
    expect(partial.ok).toBe(true);
    await stack.server.restart();
    // A claim by the killed process holds the operation for its lease (2 minutes): move the lease
    // back instead of waiting it out.
    await write(() =>
      stack.prisma.operationSession.updateMany({ where: { id: partial.session.id, lockedUntil: { not: null } }, data: { lockedUntil: new Date(Date.now() - 1000) } }),
    );
    await waitForMutation(partial.session.gid, "refundSessionResolve", 20_000);
    expect(await session(paid.paymentId)).toMatchObject({ status: "PARTIALLY_REFUNDED", refundedAmount: 300 });
    expect(stillCharged(card(paid.merchantTradeNo)!)).toBe(AMOUNT - 300);

    stack.shopify.faults.failNext(1_000, { status: 503, mutation: "refundSessionResolve" });
    let rest: Awaited<ReturnType<typeof stack.shopify.refund>>;
    try {
      rest = await stack.shopify.refund(paid.orderId);
      await waitUntil(async () => (await stack.prisma.operationSession.findUnique({ where: { id: rest.session.id } }))?.status === "SUCCEEDED", {
        timeoutMs: 15_000,
      });
      await stack.server.restart();
    } finally {
      stack.shopify.faults.clear();
    }
    await deliverNow(rest.session.id);
    await waitForMutation(rest.session.gid, "refundSessionResolve", 15_000);
    for (const refund of [partial, rest]) expect(count(appliedMutations(refund.session.gid), "refundSessionResolve")).toBe(1);
    expect(await session(paid.paymentId)).toMatchObject({ status: "REFUNDED", refundedAmount: AMOUNT });
    expect(stillCharged(card(paid.merchantTradeNo)!)).toBe(0);
    expect(await stack.prisma.operationSession.count({ where: { paymentSessionId: paid.paymentId } })).toBe(2);
  });

  /**
   * Start an operation on a server that kills itself (SIGKILL) right after ECPay carried out a
   * DoAction and before it is recorded (the chaos point), then restart it as usual.
   */
  async function dyingOnceEcpayActed(start: () => Promise<FinancialRequestResult>): Promise<FinancialRequestResult> {
    await stack.server.restart({ CHAOS_KILL_POINTS: "operation-done-at-ecpay=1" });
    const operation = await start();
    expect(operation.ok).toBe(true);
    await waitUntil(() => stack.server.output.some((line) => line.startsWith("chaos: SIGKILL at operation-done-at-ecpay") && line.includes(operation.session.id)), {
      timeoutMs: 15_000,
      message: "the server killed at operation-done-at-ecpay",
    });
    await stack.server.restart();
    // The killed process's claim holds the operation for its lease (2 minutes): move it back.
    await write(() =>
      stack.prisma.operationSession.updateMany({ where: { id: operation.session.id, lockedUntil: { not: null } }, data: { lockedUntil: new Date(Date.now() - 1000) } }),
    );
    return operation;
  }

  it("of a capture, after ECPay captured and before we recorded it: captured once, never twice", async () => {
    const paid = await paidLive("credit", "authorization");
    const capture = await dyingOnceEcpayActed(() => stack.shopify.capture(paid.orderId));
    await waitForMutation(capture.session.gid, "captureSessionResolve", 15_000);
    expect(mutationsFor(capture.session.gid)).toEqual(["captureSessionResolve"]);
    expect(card(paid.merchantTradeNo)).toMatchObject({ status: "要關帳", closedAmount: AMOUNT });
    expect(await session(paid.paymentId)).toMatchObject({ status: "PAID", capturedAmount: AMOUNT });
  });

  it("of a partial refund, after ECPay's first step and before we recorded it: refunded once", async () => {
    const paid = await paidLive("credit");
    await waitUntil(async () => (await attempt(paid.merchantTradeNo)).cardState === "CLOSE_REQUESTED");
    const refund = await dyingOnceEcpayActed(() => stack.shopify.refund(paid.orderId, 400));
    await waitForMutation(refund.session.gid, "refundSessionResolve", 15_000);
    expect(mutationsFor(refund.session.gid)).toEqual(["refundSessionResolve"]);
    expect(stillCharged(card(paid.merchantTradeNo)!)).toBe(AMOUNT - 400);
    expect(await session(paid.paymentId)).toMatchObject({ status: "PARTIALLY_REFUNDED", refundedAmount: 400 });
  });

  it("of an ATM payment, once while pending and once between the paid notification and Shopify: resolved once", async () => {
    const flow = await startAndHandOff("atm");
    await waitForMutation(flow.gid, "paymentSessionPending");
    await stack.server.restart();
    stack.shopify.faults.failNext(1_000, { status: 503, mutation: "paymentSessionResolve" });
    try {
      await stack.production.pay(flow.merchantTradeNo);
      await waitUntil(async () => (await session(flow.paymentId)).status === "PAID");
      await stack.server.restart();
    } finally {
      stack.shopify.faults.clear();
    }
    await deliverNow(flow.paymentId);
    await waitForMutation(flow.gid, "paymentSessionResolve", 15_000);
    expect(count(appliedMutations(flow.gid), "paymentSessionPending")).toBe(1);
    expect(count(appliedMutations(flow.gid), "paymentSessionResolve")).toBe(1);
    expect(stack.shopify.orderForPayment(flow.gid)?.financialStatus).toBe("paid");
  });

  it("leave Shopify with no double resolutions anywhere in this file", () => {
    expect(stack.shopify.anomalies()).toEqual([]);
  });
});
