// The outbox delivers concurrently against the built server and the Shopify simulator: never more
// calls in flight than OUTBOX_CONCURRENCY_PER_TOKEN per app token and OUTBOX_CONCURRENCY_PER_SHOP
// per shop, Shopify's throttling honoured per token (its leaky bucket, a 429's Retry-After), and
// every queued resolve applied at Shopify exactly once and marked delivered once.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { MethodHandle } from "~/payments/methods";
import type { GraphqlTraffic } from "../simulators/shopify";
import { SHOP, startPaymentStack, type PaymentStack } from "../support/payment-stack";
import { waitUntil } from "../support/wait";

const PER_TOKEN = 3;
const PER_SHOP = 4;
let stack: PaymentStack;

beforeAll(async () => {
  stack = await startPaymentStack(inject("templateDatabaseUrl"), {
    extraEnv: { OUTBOX_CONCURRENCY_PER_TOKEN: String(PER_TOKEN), OUTBOX_CONCURRENCY_PER_SHOP: String(PER_SHOP), OUTBOX_BATCH_SIZE: "40" },
  });
});

afterAll(async () => {
  stack?.shopify.setThrottling(null);
  stack?.shopify.setLatency(0);
  await stack?.close();
});

/** `count` payment sessions per method that the simulator and the app both know, then one queued resolve each. */
async function queueResolves(counts: Partial<Record<MethodHandle, number>>): Promise<{ id: string; gid: string }[]> {
  const sessions: { id: string; gid: string; method: MethodHandle }[] = [];
  for (const [method, count] of Object.entries(counts) as [MethodHandle, number][]) {
    for (let i = 0; i < count; i++) {
      const result = await stack.shopify.startPayment(SHOP, method, { amount: 1_200 });
      if (!result.ok) throw new Error(`payment session failed: ${result.request.failureReason}`);
      sessions.push({ id: result.session.id, gid: result.session.gid, method });
    }
  }
  // All at once, so the worker finds a backlog to spread over its slots.
  await stack.prisma.outboxMessage.createMany({
    data: sessions.map((s) => ({ shop: SHOP, method: s.method, mutation: "paymentSessionResolve", subjectId: s.id, variables: JSON.stringify({ id: s.gid }) })),
  });
  return sessions;
}

async function expectDeliveredExactlyOnce(sessions: { id: string; gid: string }[]) {
  const ids = sessions.map((s) => s.id);
  await waitUntil(async () => (await stack.prisma.outboxMessage.count({ where: { subjectId: { in: ids }, status: "DELIVERED" } })) === ids.length, {
    timeoutMs: 30_000,
    message: "every resolve delivered",
  });
  const messages = await stack.prisma.outboxMessage.findMany({ where: { subjectId: { in: ids } }, include: { log: true } });
  for (const message of messages) expect(message.log.filter((l) => l.ok), message.subjectId).toHaveLength(1);
  for (const session of sessions) {
    const applied = stack.shopify.callsFor(session.gid).filter((c) => c.applied && c.mutations.includes("paymentSessionResolve"));
    expect(applied, session.id).toHaveLength(1);
    expect(stack.shopify.paymentSession(session.gid)?.state.code).toBe("RESOLVED");
  }
  // Shopify's nextAction URL (the order's page) is stored for the buyer's waiting page, for every payment.
  const stored = await stack.prisma.paymentSession.findMany({ where: { id: { in: ids } }, select: { nextActionUrl: true } });
  expect(stored.filter((s) => s.nextActionUrl?.startsWith("http"))).toHaveLength(ids.length);
}

/** Calls of `token` the simulator received after `fromMs` and before `toMs`. */
const callsBetween = (calls: GraphqlTraffic[], token: string, fromMs: number, toMs: number) =>
  calls.filter((c) => c.token === token && c.receivedAtMs > fromMs && c.receivedAtMs < toMs);

describe("the outbox under Shopify's throttling", () => {
  it("keeps to the per-token and per-shop bounds, paces each token by its bucket, and delivers every resolve exactly once", async () => {
    stack.shopify.setLatency(30);
    // 10 calls' burst per app, then 10 calls a second: 35 resolves per app cannot go through unthrottled.
    stack.shopify.setThrottling({ maximumAvailable: 100, restoreRate: 100, cost: 10 });
    const before = stack.shopify.traffic().calls.length;
    const sessions = await queueResolves({ credit: 35, atm: 35 });
    await expectDeliveredExactlyOnce(sessions);

    const traffic = stack.shopify.traffic();
    const calls = traffic.calls.slice(before);
    for (const method of ["credit", "atm"]) expect(traffic.maxInFlightPerToken[`${SHOP} ${method}`], method).toBeLessThanOrEqual(PER_TOKEN);
    expect(traffic.maxInFlightPerShop[SHOP]).toBeLessThanOrEqual(PER_SHOP);
    // Concurrent, not one call after another: the shop's bound was reached.
    expect(traffic.maxInFlightPerShop[SHOP]).toBe(PER_SHOP);
    // Delivery took the bucket's pace (25 calls beyond the burst at 10/s each app), not the latency's.
    const span = Math.max(...calls.map((c) => c.answeredAtMs)) - Math.min(...calls.map((c) => c.receivedAtMs));
    expect(span).toBeGreaterThan(2_000);
    // A token Shopify throttled is not called again for at least a second (the outbox's floor):
    // calls already in flight may still arrive just after the answer, none later.
    const throttled = calls.filter((c) => c.throttled);
    for (const answer of throttled) expect(callsBetween(calls, answer.token, answer.answeredAtMs + 50, answer.answeredAtMs + 950)).toEqual([]);
    // Paced by the budget Shopify reports after each call, the worker rarely runs into THROTTLED at all.
    expect(throttled.length).toBeLessThanOrEqual(2 * PER_TOKEN);
    stack.shopify.setThrottling(null);
  }, 60_000);

  it("pauses only the token a 429 names, for its Retry-After, while the shop's other app goes on", async () => {
    stack.shopify.setLatency(40);
    const before = stack.shopify.traffic().calls.length;
    stack.shopify.faults.throttleNext(1, { mode: "http429", retryAfterSeconds: 2 });
    const sessions = await queueResolves({ credit: 30, atm: 30 });
    await expectDeliveredExactlyOnce(sessions);

    const calls = stack.shopify.traffic().calls.slice(before);
    const answer = calls.find((c) => c.status === 429);
    expect(answer?.retryAfterSeconds).toBe(2);
    const other = answer!.token === `${SHOP} credit` ? `${SHOP} atm` : `${SHOP} credit`;
    expect(callsBetween(calls, answer!.token, answer!.answeredAtMs + 50, answer!.answeredAtMs + 1_950)).toEqual([]);
    expect(callsBetween(calls, other, answer!.answeredAtMs + 50, answer!.answeredAtMs + 1_950).length).toBeGreaterThan(0);
    // And once the pause is over the throttled token's rows go out (all delivered above).
    expect(callsBetween(calls, answer!.token, answer!.answeredAtMs + 1_950, Number.MAX_SAFE_INTEGER).length).toBeGreaterThan(0);
  }, 60_000);
});
