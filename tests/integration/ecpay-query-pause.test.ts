// ECPay answers eager callers with HTTP 403. After one, the server sends no query until the pause
// ends, whichever path met it: the buyer's return page or the merchant's "query ECPay now", and
// neither they nor the reconciler ask again before RECONCILE_RATE_LIMIT_PAUSE_MS has passed.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin-session";
import { checkoutFlow } from "../support/checkout-flow";
import { SHOP, startPaymentStack, type PaymentStack } from "../support/payment-stack";
import { waitUntil } from "../support/wait";

const PAUSE_MS = 4_000;
let stack: PaymentStack;

beforeAll(async () => {
  stack = await startPaymentStack(inject("templateDatabaseUrl"), {
    // The reconciler runs often but its grace is long, so every query here is the return page's.
    extraEnv: { RECONCILE_INTERVAL_MS: "300", RECONCILE_GRACE_MS: "3600000", RECONCILE_RATE_LIMIT_PAUSE_MS: String(PAUSE_MS) },
  });
});

afterAll(async () => {
  await stack?.close();
});

const { startAndHandOff } = checkoutFlow(() => stack);

describe("ECPay's 403 on a query", () => {
  it("pauses the buyer's return page's queries until the pause ends, then the next poll settles the payment", async () => {
    const flow = await startAndHandOff("credit");
    const status = async () => (await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } })).status;
    const forgetLastQuery = () =>
      stack.prisma.paymentAttempt.update({ where: { merchantTradeNo: flow.merchantTradeNo }, data: { lastQueriedAt: null } });
    const poll = () => fetch(`${stack.server.origin}/pay/credit/${flow.paymentId}?wait=1`, { redirect: "manual" });

    stack.production.setNotificationFault({ drop: 1_000 });
    try {
      await stack.production.pay(flow.merchantTradeNo);
      await stack.production.whenNotificationsSettled();
      stack.production.setRateLimit({ maxRequests: 0, windowMs: 60_000 });
      const throttled = await poll();
      const throttledAt = Date.now();
      expect(throttled.status).toBe(200);
      expect(await status()).not.toBe("PAID");

      // ECPay would answer now, but the pause holds: a query would settle the paid trade.
      stack.production.setRateLimit(null);
      await forgetLastQuery();
      const held = await poll();
      expect(held.status).toBe(200);
      expect(await status()).not.toBe("PAID");
      expect(Date.now() - throttledAt).toBeLessThan(PAUSE_MS);

      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS - (Date.now() - throttledAt) + 200));
      await forgetLastQuery();
      expect((await poll()).status).toBe(200);
      await waitUntil(async () => (await status()) === "PAID", { timeoutMs: 5_000, message: "settled by the poll after the pause" });
    } finally {
      stack.production.setNotificationFault(null);
      stack.production.setRateLimit(null);
    }
  });

  it("pauses the merchant's 'query ECPay now' too: the answer says until when, a click during the pause sends nothing, one after it settles the payment", async () => {
    const flow = await startAndHandOff("credit");
    const status = async () => (await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } })).status;
    const admin = adminClient(stack.server.origin, stack.prisma);
    const page = `/apps/credit/transactions/${flow.paymentId}`;
    const query = async () => {
      const response = await admin.post(page, "credit", SHOP, { intent: "query" });
      expect(response.status).toBe(200);
      return response.text();
    };

    stack.production.setNotificationFault({ drop: 1_000 });
    try {
      await stack.production.pay(flow.merchantTradeNo);
      await stack.production.whenNotificationsSettled();
      stack.production.setRateLimit({ maxRequests: 0, windowMs: 60_000 });
      const throttled = await query();
      const throttledAt = Date.now();
      expect(throttled).toContain("綠界因查詢過於頻繁回覆 HTTP 403，本服務暫停向綠界查詢至");
      expect(await status()).not.toBe("PAID");

      // ECPay would answer now, but the pause holds: a query would settle the paid trade.
      stack.production.setRateLimit(null);
      expect(await query()).toContain("綠界因查詢過於頻繁回覆 HTTP 403");
      expect(await status()).not.toBe("PAID");
      expect(Date.now() - throttledAt).toBeLessThan(PAUSE_MS);

      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS - (Date.now() - throttledAt) + 200));
      expect(await query()).toContain("已據此更新這筆交易並通知 Shopify");
      expect(await status()).toBe("PAID");
    } finally {
      stack.production.setNotificationFault(null);
      stack.production.setRateLimit(null);
    }
  });
});
