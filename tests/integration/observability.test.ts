// What an operator sees, over real HTTP against the built server: one JSON log line per payment
// event with its ids and outcome, refusals with their reason, /metrics in Prometheus' text format
// behind a bearer token with counters and gauges that move under a real payment, and no secret or
// payer data in any of it.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { checkoutFlow, signedEcpayBody } from "../support/checkout-flow";
import { PRODUCTION_MERCHANT, startPaymentStack, tokenFor, type PaymentStack } from "../support/payment-stack";
import { waitUntil } from "../support/wait";

const METRICS_TOKEN = "metrics-token-for-the-observability-test";
let stack: PaymentStack;

beforeAll(async () => {
  stack = await startPaymentStack(inject("templateDatabaseUrl"), { extraEnv: { METRICS_TOKEN, INSTANCE_ID: "obs-1" } });
});

afterAll(async () => {
  await stack?.close();
});

const { startAndHandOff, waitForMutation, postEcpay } = checkoutFlow(() => stack);

interface LogLine {
  level: string;
  instance: string;
  requestId?: string;
  event?: string;
  [field: string]: unknown;
}

function logLines(): LogLine[] {
  return stack.server.output.flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as LogLine;
      return typeof parsed === "object" && parsed !== null ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

const eventsAbout = (ids: string[]) => logLines().filter((l) => l.event && ids.some((id) => l.paymentId === id || l.operationId === id));

/** Prometheus text exposition → samples (prom-client ships no parser: this reads the format's sample lines). */
function parseMetrics(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

async function scrape() {
  const response = await fetch(`${stack.server.origin}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain;.*version=0\.0\.4/);
  return parseMetrics(await response.text());
}

const sum = (samples: ReturnType<typeof parseMetrics>, name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

describe("structured logs", () => {
  it("follow one payment from session to refund with one line per event, each with its ids and the instance", async () => {
    const flow = await startAndHandOff("credit", { amount: 2380 });
    await stack.production.pay(flow.merchantTradeNo);
    await waitForMutation(flow.gid, "paymentSessionResolve");
    // Shopify holds the resolve before our worker has written its line (after the delivery is
    // recorded): the refund is sent once the line is there, so the order below is the real one.
    await waitUntil(() => eventsAbout([flow.paymentId]).some((l) => l.event === "shopify.delivered"), { timeoutMs: 15_000 });
    const order = await waitUntil(() => stack.shopify.orderForPayment(flow.paymentId));
    const refund = await stack.shopify.refund(order.id, 300);
    expect(refund.ok).toBe(true);
    const operationId = refund.session.id;
    await waitUntil(() => eventsAbout([operationId]).some((l) => l.event === "shopify.delivered"), { timeoutMs: 15_000 });

    const events = eventsAbout([flow.paymentId, operationId]);
    expect(events.map((l) => `${l.event}${l.mutation ? ` ${String(l.mutation)}` : ""}`)).toEqual([
      "session.stored",
      "attempt.created",
      "ecpay.message.accepted",
      "shopify.delivered paymentSessionResolve",
      "operation.received",
      "operation.succeeded",
      "shopify.delivered refundSessionResolve",
    ]);
    for (const line of events) {
      expect(line.instance).toBe("obs-1");
      expect(line.method).toBe("credit");
    }
    const byEvent = Object.fromEntries(events.map((l) => [l.event, l]));
    expect(byEvent["session.stored"]).toMatchObject({ level: "info", shop: "ecpay-demo.myshopify.com", paymentId: flow.paymentId, requestId: expect.any(String) });
    expect(byEvent["attempt.created"]).toMatchObject({ merchantTradeNo: flow.merchantTradeNo });
    expect(byEvent["ecpay.message.accepted"]).toMatchObject({ merchantTradeNo: flow.merchantTradeNo, channel: "RETURN", outcome: "ACCEPTED" });
    expect(byEvent["operation.succeeded"]).toMatchObject({ operation: "refund", amount: 300, paymentId: flow.paymentId });
  });

  it("log a refused ECPay message with its reason, at warn level", async () => {
    const flow = await startAndHandOff("credit");
    const tampered = signedEcpayBody({
      MerchantID: PRODUCTION_MERCHANT.merchantId,
      MerchantTradeNo: flow.merchantTradeNo,
      RtnCode: "1",
      RtnMsg: "paid",
      TradeNo: "2412020000000001",
      TradeAmt: "1280",
      PaymentType: "Credit_CreditCard",
      PaymentDate: "2026/12/02 12:00:00",
      TradeDate: "2026/12/02 11:59:00",
      SimulatePaid: "0",
      CustomField1: "x",
    }).replace(/CheckMacValue=[0-9A-F]{4}/, "CheckMacValue=0000");
    expect((await postEcpay("/ecpay/credit/return", tampered)).status).toBe(400);
    const refused = await waitUntil(() => logLines().find((l) => l.event === "ecpay.message.refused" && l.merchantTradeNo === flow.merchantTradeNo));
    expect(refused).toMatchObject({ level: "warn", channel: "RETURN", outcome: "BAD_SIGNATURE", reason: expect.stringMatching(/CheckMacValue/) });
  });

  it("never carry a secret, a token or a buyer's details, and no per-request library noise", () => {
    const text = stack.server.output.join("\n");
    for (const secret of [PRODUCTION_MERCHANT.hashKey, PRODUCTION_MERCHANT.hashIv, PRODUCTION_MERCHANT.creditCheckCode, tokenFor("credit"), stack.env.ENCRYPTION_KEY!]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/@example\.|"email"|"phone/);
    expect(text).not.toMatch(/Authenticating admin request/);
  });
});

describe("/metrics", () => {
  it("refuses a request without the bearer token, or with a wrong one", async () => {
    expect((await fetch(`${stack.server.origin}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${stack.server.origin}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN.replace(/.$/, "X")}` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toMatch(/http_requests_total/);
  });

  it("serves Prometheus' text format whose counters and gauges move under a real payment, every sample with the instance", async () => {
    const before = await scrape();
    for (const sample of before) expect(sample.labels.instance, sample.name).toBe("obs-1");
    const flow = await startAndHandOff("credit", { amount: 990 });
    await stack.production.pay(flow.merchantTradeNo);
    await waitForMutation(flow.gid, "paymentSessionResolve");
    const after = await waitUntil(async () => {
      const samples = await scrape();
      return sum(samples, "shopify_mutations_total", { mutation: "paymentSessionResolve", outcome: "delivered" }) >
        sum(before, "shopify_mutations_total", { mutation: "paymentSessionResolve", outcome: "delivered" })
        ? samples
        : null;
    });
    expect(sum(after, "http_requests_total", { route: "payments_session", status: "200" })).toBeGreaterThan(sum(before, "http_requests_total", { route: "payments_session", status: "200" }));
    expect(sum(after, "ecpay_messages_total", { channel: "RETURN", outcome: "ACCEPTED" })).toBeGreaterThan(sum(before, "ecpay_messages_total", { channel: "RETURN", outcome: "ACCEPTED" }));
    expect(sum(after, "http_request_duration_seconds_count", { route: "ecpay_notification" })).toBeGreaterThan(0);
    for (const gauge of ["outbox_backlog", "outbox_oldest_undelivered_age_seconds", "operations_pending", "reconciler_lag_seconds", "ecpay_queries_paused", "database_pool_connections", "process_resident_memory_bytes", "nodejs_eventloop_lag_seconds"]) {
      expect(after.some((s) => s.name === gauge), gauge).toBe(true);
    }
    expect(sum(after, "ecpay_queries_paused")).toBe(0);
  });
});
