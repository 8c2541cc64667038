// The reconciler over real HTTP against the ECPay emulator: notifications that never came (ATM's
// PaymentInfoURL and ReturnURL, a card's ReturnURL), ECPay's 403 throttle, two instances at once,
// a transfer landing at the ATM deadline, and authorizations near ECPay's 21-day close limit. The
// server runs without its workers; each pass runs here, on a clock moved days ahead.
import type { PaymentAttempt, PaymentSession } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { captureOverview } from "~/admin/overview.server";
import { EcpayGateway } from "~/ecpay/ecpay-gateway";
import { parseTaiwanDateTime } from "~/lib/taiwan-time";
import { reconcileOnce, type QueryPause, type ReconcileDeps, type ReconcileOptions } from "~/jobs/reconciler.server";
import { createSecretBox } from "~/lib/secrets.server";
import { atmDeadline, expireAtm, retryOnSettlementConflict, SettlementConflict, settlePaid, type PaidFacts } from "~/payments/settlement.server";
import { paymentIdToCustomField } from "~/payments/custom-field";
import { checkoutFlow, signedEcpayBody } from "../support/checkout-flow";
import { SHOP, startPaymentStack, type PaymentStack } from "../support/payment-stack";
import { TEST_ENCRYPTION_KEY } from "../support/test-env";

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

let stack: PaymentStack;
const { startAndHandOff, postEcpay } = checkoutFlow(() => stack);
/** How far the reconciler's clock is ahead of real time; only ever moves forward. */
let aheadMs = 0;
const reconcilerNow = () => new Date(Date.now() + aheadMs);
const moveClockTo = (ms: number) => {
  aheadMs = Math.max(aheadMs, ms);
};
/** Every ECPay API request the reconciler sends: [path, MerchantTradeNo]. */
const ecpayRequests: Array<[string, string]> = [];

beforeAll(async () => {
  stack = await startPaymentStack(inject("templateDatabaseUrl"), { extraEnv: { DISABLE_WORKERS: "1" } });
});

afterAll(async () => {
  await stack?.close();
});

function reconcilerDeps(): ReconcileDeps {
  const countingFetch: typeof fetch = (input, init) => {
    ecpayRequests.push([new URL(String(input)).pathname, new URLSearchParams(String(init?.body)).get("MerchantTradeNo") ?? ""]);
    return globalThis.fetch(input, init);
  };
  return {
    db: stack.prisma,
    secrets: createSecretBox({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }),
    // ECPay checks TimeStamp against its own (real) clock.
    ecpay: EcpayGateway.create({ stageOrigin: stack.stage.origin, productionOrigin: stack.production.origin, fetch: countingFetch }),
    now: reconcilerNow,
  } satisfies ReconcileDeps;
}

function reconcile(options: ReconcileOptions = {}) {
  return reconcileOnce(reconcilerDeps(), { spacingMs: 0, pause: { until: 0 }, ...options });
}

const requestsFor = (merchantTradeNo: string) => ecpayRequests.filter(([, no]) => no === merchantTradeNo).map(([path]) => path);
const outboxFor = async (paymentId: string) =>
  (await stack.prisma.outboxMessage.findMany({ where: { subjectId: paymentId }, orderBy: { createdAt: "asc" } })).map((m) => m.mutation);
const attemptOf = (merchantTradeNo: string) => stack.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo } });
const sessionOf = (id: string) => stack.prisma.paymentSession.findUniqueOrThrow({ where: { id } });

/** Runs `act` with every notification ECPay sends meanwhile lost (all resends included). */
async function withNotificationsLost<T>(act: () => Promise<T>): Promise<T> {
  stack.production.setNotificationFault({ drop: 1000 });
  try {
    const result = await act();
    await stack.production.whenNotificationsSettled();
    return result;
  } finally {
    stack.production.setNotificationFault(null);
  }
}

describe("an ATM account whose PaymentInfoURL was lost", () => {
  it("is recovered with QueryPaymentInfo and reported pending, not abandoned after a day, and a day-2 transfer with its ReturnURL lost too is settled", async () => {
    const flow = await withNotificationsLost(() => startAndHandOff("atm"));
    expect((await attemptOf(flow.merchantTradeNo)).status).toBe("CREATED");
    const account = stack.production.order(flow.merchantTradeNo)!.atm!;

    moveClockTo(25 * HOUR_MS);
    const first = await reconcile();
    expect(requestsFor(flow.merchantTradeNo)).toEqual(["/Cashier/QueryTradeInfo/V5", "/Cashier/QueryPaymentInfo"]);
    expect(first.settlements).toContainEqual({ paymentId: flow.paymentId, merchantTradeNo: flow.merchantTradeNo, outcome: "pending (ATM account recovered)" });
    const attempt = await attemptOf(flow.merchantTradeNo);
    expect(attempt).toMatchObject({ status: "ISSUED", bankCode: account.bankCode, vAccount: account.vAccount, expireDate: account.expireDate });
    const session = await sessionOf(flow.paymentId);
    expect(session.status).toBe("PENDING");
    expect(session.pendingExpiresAt?.toISOString()).toBe(atmDeadline(account.expireDate)!.toISOString());
    const pending = await stack.prisma.outboxMessage.findFirstOrThrow({ where: { subjectId: flow.paymentId, mutation: "paymentSessionPending" } });
    expect(JSON.parse(pending.variables)).toMatchObject({ reason: "BUYER_ACTION_REQUIRED", pendingExpiresAt: session.pendingExpiresAt?.toISOString() });

    // Day 2: the buyer transfers; ECPay's ReturnURL is lost as well.
    await withNotificationsLost(() => stack.production.pay(flow.merchantTradeNo));
    moveClockTo(26.5 * HOUR_MS);
    const second = await reconcile();
    expect(second.settlements).toContainEqual({ paymentId: flow.paymentId, merchantTradeNo: flow.merchantTradeNo, outcome: "paid → PAID" });
    expect((await sessionOf(flow.paymentId)).status).toBe("PAID");
    expect(await outboxFor(flow.paymentId)).toEqual(["paymentSessionPending", "paymentSessionResolve"]);
  });

  it("is expired through Shopify once its deadline passes unpaid", async () => {
    const flow = await withNotificationsLost(() => startAndHandOff("atm"));
    const deadline = atmDeadline(stack.production.order(flow.merchantTradeNo)!.atm!.expireDate)!;
    moveClockTo(deadline.getTime() - Date.now() + 60_000);
    const report = await reconcile();
    expect(report.settlements.filter((s) => s.paymentId === flow.paymentId).map((s) => s.outcome)).toEqual([
      "pending (ATM account recovered)",
      "expired",
    ]);
    expect((await attemptOf(flow.merchantTradeNo)).status).toBe("EXPIRED");
    expect((await sessionOf(flow.paymentId)).status).toBe("REJECTED");
    expect(await outboxFor(flow.paymentId)).toEqual(["paymentSessionPending", "paymentSessionReject"]);
  });
});

describe("ECPay's rate limit", () => {
  it("stops the pass at the first 403 and sends no query until the pause is over", async () => {
    const flows = [];
    for (let i = 0; i < 2; i += 1) {
      const flow = await startAndHandOff("twqr");
      await withNotificationsLost(() => stack.production.pay(flow.merchantTradeNo));
      flows.push(flow);
    }
    const pause: QueryPause = { until: 0 };
    stack.production.setRateLimit({ maxRequests: 0, windowMs: 60_000 });
    try {
      const before = ecpayRequests.length;
      const refused = await reconcile({ pause, rateLimitPauseMs: 30 * 60_000 });
      expect(ecpayRequests.length - before).toBe(1);
      expect(refused).toMatchObject({ rateLimited: true, queried: 1, settled: 0, errors: 0 });
      expect(refused.pausedUntil?.getTime()).toBe(pause.until);
      const again = await reconcile({ pause });
      expect(ecpayRequests.length - before).toBe(1);
      expect(again).toMatchObject({ rateLimited: true, queried: 0 });
    } finally {
      stack.production.setRateLimit(null);
    }
    // Past the 30-minute pause, and past the hourly re-query of an attempt days old.
    moveClockTo(aheadMs + 61 * 60_000);
    const resumed = await reconcile({ pause });
    expect(resumed.rateLimited).toBe(false);
    for (const flow of flows) expect((await sessionOf(flow.paymentId)).status).toBe("PAID");
  });
});

describe("several instances", () => {
  it("ask ECPay about an unanswered attempt once between them", async () => {
    const flow = await startAndHandOff("credit");
    await withNotificationsLost(() => stack.production.pay(flow.merchantTradeNo));
    moveClockTo(aheadMs + 10 * 60_000);
    const reports = await Promise.all([reconcile(), reconcile(), reconcile()]);
    expect(requestsFor(flow.merchantTradeNo)).toEqual(["/Cashier/QueryTradeInfo/V5"]);
    expect(reports.flatMap((r) => r.settlements).filter((s) => s.paymentId === flow.paymentId)).toHaveLength(1);
    expect(await outboxFor(flow.paymentId)).toEqual(["paymentSessionResolve"]);
  });
});

describe("a transfer landing at the ATM deadline", () => {
  it("and the expiry never both reach Shopify: exactly one of them commits", async () => {
    const flow = await startAndHandOff("atm");
    await stack.production.whenNotificationsSettled();
    // Both read the same rows, as two instances would in the same instant.
    const session: PaymentSession = await sessionOf(flow.paymentId);
    const attempt: PaymentAttempt = await attemptOf(flow.merchantTradeNo);
    expect([session.status, attempt.status]).toEqual(["PENDING", "ISSUED"]);
    const facts: PaidFacts = {
      tradeNo: attempt.tradeNo!,
      tradeAmt: attempt.amount,
      paymentType: "ATM_TAISHIN",
      paymentDate: null,
      chargeFee: "10",
      simulatePaid: false,
      gwsr: null,
      rtnCode: "1",
      rtnMsg: "交易成功",
      installmentStages: null,
      redeemedAmount: null,
    };
    const results = await Promise.allSettled([
      stack.prisma.$transaction((tx) => expireAtm(tx, session, attempt)),
      stack.prisma.$transaction((tx) => settlePaid(tx, { attempt, session, facts, now: new Date() })),
    ]);
    const won = results.filter((r) => r.status === "fulfilled" && (r.value === true || r.value === "ACCEPTED"));
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(SettlementConflict);
    const outbox = (await outboxFor(flow.paymentId)).filter((m) => m !== "paymentSessionPending");
    expect(outbox).toHaveLength(1);

    // The transfer is real money: decided again from what committed, it is kept and flagged, never a second answer to Shopify.
    const outcome = await retryOnSettlementConflict(() =>
      stack.prisma.$transaction(async (tx) =>
        settlePaid(tx, {
          attempt: await tx.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: flow.merchantTradeNo } }),
          session: await tx.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } }),
          facts,
          now: new Date(),
        }),
      ),
    );
    expect(["LATE_PAYMENT", "DUPLICATE"]).toContain(outcome);
    expect((await outboxFor(flow.paymentId)).filter((m) => m !== "paymentSessionPending")).toEqual(outbox);
  });
});

describe("card authorizations", () => {
  it("settled late by the reconciler expire 20 days after ECPay's PaymentDate, not after the settlement", async () => {
    const flow = await startAndHandOff("credit", { kind: "authorization" });
    await withNotificationsLost(() => stack.production.pay(flow.merchantTradeNo));
    const paymentDate = stack.production.order(flow.merchantTradeNo)!.paymentDate!;
    moveClockTo(aheadMs + 3 * HOUR_MS);
    await reconcile();
    const expected = new Date(parseTaiwanDateTime(paymentDate)!.getTime() + 20 * DAY_MS).toISOString();
    const session = await sessionOf(flow.paymentId);
    expect(session.status).toBe("AUTHORIZED");
    expect(session.authorizationExpiresAt?.toISOString()).toBe(expected);
    const resolve = await stack.prisma.outboxMessage.findFirstOrThrow({ where: { subjectId: flow.paymentId, mutation: "paymentSessionResolve" } });
    expect(JSON.parse(resolve.variables)).toMatchObject({ authorizationExpiresAt: expected });
  });

  it("19 days old are flagged AUTHORIZATION_EXPIRING even when already flagged, listed in the capture advice, and unflagged once captured", async () => {
    const now = reconcilerNow();
    const authorization = async (id: string, ageDays: number, flag: string | null) =>
      stack.prisma.paymentSession.create({
        data: {
          id,
          gid: `gid://shopify/PaymentSession/${id}`,
          method: "credit",
          shop: SHOP,
          group: `group-${id}`,
          amount: 900,
          amountRaw: "900.00",
          currency: "TWD",
          kind: "AUTHORIZATION",
          test: false,
          cancelUrl: "https://shop.example/cancel",
          proposedAt: new Date(now.getTime() - ageDays * DAY_MS),
          createdAt: new Date(now.getTime() - ageDays * DAY_MS),
          status: "AUTHORIZED",
          authorizationExpiresAt: new Date(now.getTime() + (20 - ageDays) * DAY_MS),
          flag,
        },
      });
    await authorization("authOld19", 19, "DUPLICATE_PAYMENT");
    await authorization("authYoung10", 10, null);

    const report = await reconcile();
    expect(report.authorizationsFlagged).toBeGreaterThanOrEqual(1);
    expect((await sessionOf("authOld19")).flag).toBe("AUTHORIZATION_EXPIRING,DUPLICATE_PAYMENT");
    expect((await sessionOf("authYoung10")).flag).toBeNull();
    const advice = await captureOverview(reconcilerDeps(), "credit", SHOP);
    // Counted to the expiry Shopify was told (20 days from payment): one day left, not ECPay's 21 − 19.
    expect(advice.nearLimit).toContainEqual(expect.objectContaining({ id: "authOld19", daysLeft: 1 }));

    await stack.prisma.paymentSession.update({ where: { id: "authOld19" }, data: { status: "PAID" } });
    await reconcile();
    expect((await sessionOf("authOld19")).flag).toBe("DUPLICATE_PAYMENT");
  });
});

describe("payment flags", () => {
  it("are added beside the ones a payment already carries, never in their place", async () => {
    const flow = await startAndHandOff("credit");
    await stack.production.pay(flow.merchantTradeNo, { simulatePaid: true });
    await stack.production.whenNotificationsSettled();
    expect((await sessionOf(flow.paymentId)).flag).toBe("SIMULATED_PAYMENT_IN_PRODUCTION");
    const order = stack.production.order(flow.merchantTradeNo)!;
    const wrongAmount = await postEcpay(
      "/ecpay/credit/return",
      signedEcpayBody({
        MerchantID: order.merchantId,
        MerchantTradeNo: flow.merchantTradeNo,
        StoreID: "",
        RtnCode: "1",
        RtnMsg: "交易成功",
        TradeNo: order.tradeNo,
        TradeAmt: "1",
        PaymentDate: order.paymentDate!,
        PaymentType: "Credit_CreditCard",
        PaymentTypeChargeFee: "1",
        TradeDate: order.tradeDate,
        SimulatePaid: "0",
        CustomField1: paymentIdToCustomField(flow.paymentId),
        CustomField2: "",
        CustomField3: "",
        CustomField4: "",
      }),
    );
    expect(wrongAmount.status).toBe(400);
    expect((await sessionOf(flow.paymentId)).flag).toBe("AMOUNT_MISMATCH,SIMULATED_PAYMENT_IN_PRODUCTION");
  });
});

describe("junk attempts", () => {
  it("of one session never delay another session's lost notification: each session's newest attempt is asked about first", async () => {
    // Everything already waiting is out of the way, so the pass holds only this test's attempts.
    await stack.prisma.paymentAttempt.updateMany({ where: { status: { in: ["CREATED", "ISSUED"] } }, data: { lastQueriedAt: new Date(Date.now() + 365 * DAY_MS) } });
    const reloaded = await startAndHandOff("credit");
    const session = await stack.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: reloaded.merchantTradeNo } });
    // 30 reloads of the payment page, all older than the real payment: oldest-first would ask about them first.
    const junk = Array.from({ length: 30 }, (_, i) => `JUNK${Date.now().toString(36)}${String(i).padStart(2, "0")}`.slice(0, 20));
    await stack.prisma.paymentAttempt.createMany({
      data: junk.map((merchantTradeNo, i) => ({
        merchantTradeNo,
        paymentSessionId: session.paymentSessionId,
        merchantId: session.merchantId,
        stage: session.stage,
        amount: session.amount,
        createdAt: new Date(Date.now() - 2 * HOUR_MS + i * 1_000),
      })),
    });
    const real = await startAndHandOff("credit");
    await withNotificationsLost(() => stack.production.pay(real.merchantTradeNo));
    moveClockTo(aheadMs + 11 * 60_000);

    const report = await reconcile({ limit: 5 });
    // (The clock is days ahead by now, so the junk asked about is also given up as abandoned.)
    expect(report.settlements.filter((s) => s.outcome.startsWith("paid")).map((s) => [s.paymentId, s.outcome])).toEqual([[real.paymentId, "paid → PAID"]]);
    expect(requestsFor(real.merchantTradeNo)).toEqual(["/Cashier/QueryTradeInfo/V5"]);
    // The reloaded session's newest attempt was asked about; its junk only with the budget left.
    expect(requestsFor(reloaded.merchantTradeNo)).toEqual(["/Cashier/QueryTradeInfo/V5"]);
    expect(report.queried).toBe(5);
    expect((await sessionOf(real.paymentId)).status).toBe("PAID");
  });
});
