// The simulator's Payments Apps GraphQL endpoint over real HTTP: Shopify's token, idempotency and
// finality rules, the premature-resolve error, and fault injection.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PAYMENTS_MUTATION_DOCUMENTS } from "~/shopify/payments-apps-client";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startFakePaymentsApp, type FakePaymentsApp, defaultResponder } from "../simulators/shopify/fake-payments-app";

const SHOP = "graphql-test.myshopify.com";
const OTHER_SHOP = "other-shop.myshopify.com";
const TOKENS = { credit: "shpat_graphql_credit", atm: "shpat_graphql_atm" };

let app: FakePaymentsApp;
let sim: ShopifySimulator;

beforeAll(async () => {
  app = await startFakePaymentsApp();
  sim = await startShopifySimulator({ appOrigin: app.origin, requestRetries: 1, retryDelayMs: 10 });
  sim.addShop(SHOP, TOKENS);
  sim.addShop(OTHER_SHOP, { credit: "shpat_other_credit" });
});

afterEach(() => {
  sim.faults.clear();
  sim.setShopSettings(SHOP, { captureMode: "automatic", test: true });
  app.respondWith(defaultResponder(() => app.origin));
});

afterAll(async () => {
  await sim.close();
  await app.close();
});

interface GqlResponse {
  status: number;
  json: { data?: Record<string, Record<string, unknown>>; errors?: unknown };
  headers: Headers;
}

async function gql(token: string | null, query: string, variables: Record<string, unknown>): Promise<GqlResponse> {
  const response = await fetch(sim.graphqlUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { "X-Shopify-Access-Token": token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, json: (await response.json()) as GqlResponse["json"], headers: response.headers };
}

const resolve = (token: string, id: string, extra: Record<string, unknown> = {}) =>
  gql(token, PAYMENTS_MUTATION_DOCUMENTS.paymentSessionResolve, { id, ...extra });
const reject = (token: string, id: string, code = "PROCESSING_ERROR", merchantMessage?: string) =>
  gql(token, PAYMENTS_MUTATION_DOCUMENTS.paymentSessionReject, { id, reason: { code, merchantMessage } });

async function startedSession(method: "credit" | "atm" = "credit") {
  const started = await sim.startPayment(SHOP, method);
  expect(started.ok).toBe(true);
  return started.session;
}

describe("Shopify simulator: Payments Apps GraphQL", () => {
  it("answers 401 to a missing or unknown access token and records the call", async () => {
    const session = await startedSession();
    const missing = await resolve("", session.gid);
    expect(missing.status).toBe(401);
    const unknown = await resolve("shpat_nobody", session.gid);
    expect(unknown.status).toBe(401);
    expect(sim.paymentSession(session.id)!.state.code).toBe("REDIRECTING");
    expect(sim.calls().filter((c) => c.status === 401).length).toBeGreaterThanOrEqual(2);
  });

  it("does not let another shop's or another app's token touch a session", async () => {
    const session = await startedSession("credit");
    const otherShop = await resolve("shpat_other_credit", session.gid);
    expect(otherShop.json.data!.paymentSessionResolve!.userErrors).toEqual([{ field: ["id"], message: "Payment session doesn't exist." }]);
    const otherApp = await resolve(TOKENS.atm, session.gid);
    expect(otherApp.json.data!.paymentSessionResolve!.paymentSession).toBeNull();
    expect(sim.paymentSession(session.id)!.finalMutation).toBeNull();
  });

  it("resolves a session once and replays the same response to a repeated resolve", async () => {
    const session = await startedSession();
    const first = await resolve(TOKENS.credit, session.gid);
    const second = await resolve(TOKENS.credit, session.gid);
    expect(first.status).toBe(200);
    expect(second.json.data).toEqual(first.json.data);
    const payload = first.json.data!.paymentSessionResolve!;
    expect(payload.userErrors).toEqual([]);
    expect(payload.paymentSession).toMatchObject({
      id: session.gid,
      state: { __typename: "PaymentSessionStateResolved", code: "RESOLVED" },
      nextAction: { action: "REDIRECT", context: { redirectUrl: `${sim.origin}/checkouts/cn/${session.checkoutToken}/thank-you` } },
    });
    expect(sim.callsFor(session.id).map((c) => c.applied)).toEqual([true, false]);
    expect(sim.orderForPayment(session.id)).toMatchObject({ financialStatus: "paid", total: session.amount });
  });

  it("refuses a reject after a resolve with a user error and keeps the session resolved", async () => {
    const session = await startedSession();
    await resolve(TOKENS.credit, session.gid);
    const rejected = await reject(TOKENS.credit, session.gid);
    expect(rejected.json.data!.paymentSessionReject).toEqual({
      paymentSession: null,
      userErrors: [{ field: ["id"], message: "Payment session has already been resolved." }],
    });
    expect(sim.paymentSession(session.id)).toMatchObject({ finalMutation: "paymentSessionResolve", state: { code: "RESOLVED" } });
  });

  it("sends the buyer back to the checkout after a reject and refuses a later resolve", async () => {
    const session = await startedSession();
    const rejected = await reject(TOKENS.credit, session.gid, "CANCELLED_PAYMENT", "買家取消");
    expect(rejected.json.data!.paymentSessionReject!.paymentSession).toMatchObject({
      state: { __typename: "PaymentSessionStateRejected", code: "REJECTED", reason: "CANCELLED_PAYMENT", merchantMessage: "買家取消" },
      nextAction: { context: { redirectUrl: `${sim.origin}/checkouts/cn/${session.checkoutToken}?payment_failed=${session.id}` } },
    });
    const resolved = await resolve(TOKENS.credit, session.gid);
    expect(resolved.json.data!.paymentSessionResolve!.userErrors).toEqual([{ field: ["id"], message: "Payment session has already been rejected." }]);
    expect(sim.orderForPayment(session.id)).toBeUndefined();
  });

  it("rejects an unknown rejection reason code as GraphQL does, without changing the session", async () => {
    const session = await startedSession();
    const response = await reject(TOKENS.credit, session.gid, "NOT_A_REASON");
    expect(response.json.errors).toEqual([expect.objectContaining({ message: expect.stringContaining("NOT_A_REASON") })]);
    expect(sim.paymentSession(session.id)!.finalMutation).toBeNull();
  });

  it("answers the start_payment_session user error to a resolve sent before the app answered the session request", async () => {
    let premature: GqlResponse | null = null;
    app.respondWith(async (request) => {
      if (request.path.endsWith("/session")) premature = await resolve(TOKENS.credit, String(request.body.gid));
      return { status: 200, body: { redirect_url: `${app.origin}/pay/${String(request.body.id)}` } };
    });
    const started = await sim.startPayment(SHOP, "credit");
    expect(premature!.json.data!.paymentSessionResolve!.userErrors).toEqual([
      { field: ["id"], message: expect.stringContaining("the response to start_payment_session request has not been received.") },
    ]);
    // Once Shopify has the 2xx, the same resolve succeeds.
    const later = await resolve(TOKENS.credit, started.session.gid);
    expect(later.json.data!.paymentSessionResolve!.userErrors).toEqual([]);
  });

  it("requires pendingExpiresAt within 3 days and a reason for pending, then lets the pending payment resolve", async () => {
    const session = await startedSession("atm");
    const missing = await gql(TOKENS.atm, PAYMENTS_MUTATION_DOCUMENTS.paymentSessionPending, { id: session.gid, reason: "BUYER_ACTION_REQUIRED" });
    expect(missing.json.errors).toBeDefined();
    const noReason = await gql(TOKENS.atm, PAYMENTS_MUTATION_DOCUMENTS.paymentSessionPending, {
      id: session.gid,
      pendingExpiresAt: new Date(Date.now() + 86400_000).toISOString(),
    });
    expect(noReason.json.errors).toBeDefined();
    const past = await gql(TOKENS.atm, PAYMENTS_MUTATION_DOCUMENTS.paymentSessionPending, {
      id: session.gid,
      pendingExpiresAt: new Date(Date.now() - 1000).toISOString(),
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(past.json.data!.paymentSessionPending!.userErrors).toEqual([
      { field: ["pendingExpiresAt"], message: "Pending expiry date can't be a time in the past.", code: "EXPIRED_PENDING_EXPIRES_AT" },
    ]);
    expect(sim.orderForPayment(session.id)).toBeUndefined();
    const tooFar = await gql(TOKENS.atm, PAYMENTS_MUTATION_DOCUMENTS.paymentSessionPending, {
      id: session.gid,
      pendingExpiresAt: new Date(Date.now() + 3 * 86400_000 + 60_000).toISOString(),
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(tooFar.json.data!.paymentSessionPending!.userErrors).toEqual([
      { field: ["pendingExpiresAt"], message: "Pending expiry date has exceeded the default pending expiry limit.", code: "OUT_OF_RANGE_PENDING_EXPIRES_AT" },
    ]);
    expect(sim.orderForPayment(session.id)).toBeUndefined();

    const deadline = new Date(Date.now() + 2 * 86400_000).toISOString();
    const pending = await gql(TOKENS.atm, PAYMENTS_MUTATION_DOCUMENTS.paymentSessionPending, {
      id: session.gid,
      pendingExpiresAt: deadline,
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(pending.json.data!.paymentSessionPending!.paymentSession).toMatchObject({
      state: { __typename: "PaymentSessionStatePending", code: "PENDING", reason: "BUYER_ACTION_REQUIRED" },
      pendingExpiresAt: deadline,
      nextAction: { context: { redirectUrl: `${sim.origin}/checkouts/cn/${session.checkoutToken}/thank-you` } },
    });
    expect(sim.orderForPayment(session.id)!.financialStatus).toBe("pending");

    await resolve(TOKENS.atm, session.gid);
    expect(sim.orderForPayment(session.id)!.financialStatus).toBe("paid");
    const pendingAgain = await gql(TOKENS.atm, PAYMENTS_MUTATION_DOCUMENTS.paymentSessionPending, {
      id: session.gid,
      pendingExpiresAt: deadline,
      reason: "BUYER_ACTION_REQUIRED",
    });
    // The earlier identical pending call is replayed from the idempotency cache.
    expect(pendingAgain.json.data).toEqual(pending.json.data);
  });

  it("refuses pending after the session was finalized", async () => {
    const session = await startedSession("atm");
    await reject(TOKENS.atm, session.gid);
    const pending = await gql(TOKENS.atm, PAYMENTS_MUTATION_DOCUMENTS.paymentSessionPending, {
      id: session.gid,
      pendingExpiresAt: new Date(Date.now() + 86400_000).toISOString(),
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(pending.json.data!.paymentSessionPending!.userErrors).toEqual([
      { field: ["id"], message: "Payment session has already been rejected.", code: "PENDING_INVALID_STATE" },
    ]);
  });

  it("keeps authorizationExpiresAt when an authorization resolves and shows it as authorized", async () => {
    sim.setShopSettings(SHOP, { captureMode: "manual" });
    const session = await startedSession("credit");
    expect(session.kind).toBe("authorization");
    const expires = new Date(Date.now() + 20 * 86400_000).toISOString();
    const response = await resolve(TOKENS.credit, session.gid, { authorizationExpiresAt: expires });
    expect(response.json.data!.paymentSessionResolve!.paymentSession).toMatchObject({ authorizationExpiresAt: expires });
    expect(sim.orderForPayment(session.id)).toMatchObject({ financialStatus: "authorized", capturable: session.amount });
  });

  it("fails validation when a document selects a field the type does not have", async () => {
    const session = await startedSession();
    const query = `mutation R($id: ID!) { paymentSessionResolve(id: $id) { userErrors { field message code } } }`;
    const response = await gql(TOKENS.credit, query, { id: session.gid });
    expect(response.json.errors).toEqual([{ message: "Field 'code' doesn't exist on type 'UserError'", extensions: { code: "undefinedField" } }]);
    expect(sim.paymentSession(session.id)!.finalMutation).toBeNull();
  });

  it("stores paymentsAppConfigure per shop and app", async () => {
    const response = await gql(TOKENS.atm, PAYMENTS_MUTATION_DOCUMENTS.paymentsAppConfigure, { externalHandle: "3002607", ready: true });
    expect(response.json.data!.paymentsAppConfigure).toEqual({
      paymentsAppConfiguration: { externalHandle: "3002607", ready: true },
      userErrors: [],
    });
    expect(sim.shop(SHOP).configurations.atm).toMatchObject({ externalHandle: "3002607", ready: true });
    expect(sim.shop(SHOP).configurations.credit).toBeUndefined();
    expect(sim.shop(OTHER_SHOP).configurations.atm).toBeUndefined();
  });

  it("applies idempotency and finality to refund sessions and reports unknown ones", async () => {
    const session = await startedSession();
    await resolve(TOKENS.credit, session.gid);
    const order = sim.orderForPayment(session.id)!;
    const refund = await sim.refund(order.id, 500);
    expect(refund.ok).toBe(true);
    const first = await gql(TOKENS.credit, PAYMENTS_MUTATION_DOCUMENTS.refundSessionResolve, { id: refund.session.gid });
    const again = await gql(TOKENS.credit, PAYMENTS_MUTATION_DOCUMENTS.refundSessionResolve, { id: refund.session.gid });
    expect(again.json.data).toEqual(first.json.data);
    expect(first.json.data!.refundSessionResolve!.refundSession).toEqual({
      id: refund.session.gid,
      state: { __typename: "RefundSessionStateResolved", code: "RESOLVED" },
    });
    const late = await gql(TOKENS.credit, PAYMENTS_MUTATION_DOCUMENTS.refundSessionReject, {
      id: refund.session.gid,
      reason: { code: "PROCESSING_ERROR" },
    });
    expect(late.json.data!.refundSessionReject!.userErrors).toEqual([
      { field: ["id"], message: "Refund session has already been resolved.", code: "REFUND_SESSION_INVALID_STATE" },
    ]);
    const unknown = await gql(TOKENS.credit, PAYMENTS_MUTATION_DOCUMENTS.refundSessionResolve, { id: "gid://shopify/RefundSession/nope" });
    expect(unknown.json.data!.refundSessionResolve!.userErrors).toEqual([
      { field: ["id"], message: "Refund session not found.", code: "REFUND_SESSION_NOT_FOUND" },
    ]);
    expect(sim.order(order.id)).toMatchObject({ financialStatus: "partially_refunded", refunded: 500_00 });
  });

  describe("fault injection", () => {
    it("fails the next call with 500 without applying it", async () => {
      const session = await startedSession();
      sim.faults.failNext(1);
      const failed = await resolve(TOKENS.credit, session.gid);
      expect(failed.status).toBe(500);
      expect(sim.paymentSession(session.id)!.finalMutation).toBeNull();
      const retried = await resolve(TOKENS.credit, session.gid);
      expect(retried.status).toBe(200);
      expect(sim.paymentSession(session.id)!.finalMutation).toBe("paymentSessionResolve");
    });

    it("can apply the mutation and still answer 500, so a retry must get the replayed response", async () => {
      const session = await startedSession();
      sim.faults.failNext(1, { afterProcessing: true });
      const failed = await resolve(TOKENS.credit, session.gid);
      expect(failed.status).toBe(500);
      expect(sim.paymentSession(session.id)!.finalMutation).toBe("paymentSessionResolve");
      const retried = await resolve(TOKENS.credit, session.gid);
      expect(retried.json.data!.paymentSessionResolve!.userErrors).toEqual([]);
      expect(sim.callsFor(session.gid).map((c) => [c.status, c.fault, c.applied])).toEqual([
        [500, "error-after-processing", true],
        [200, null, false],
      ]);
    });

    it("answers 429 with Retry-After, or a THROTTLED GraphQL error", async () => {
      const session = await startedSession();
      sim.faults.throttleNext(1, { mode: "http429", retryAfterSeconds: 3 });
      const http = await resolve(TOKENS.credit, session.gid);
      expect(http.status).toBe(429);
      expect(http.headers.get("retry-after")).toBe("3");
      sim.faults.throttleNext(1, { mode: "graphql" });
      const graph = await resolve(TOKENS.credit, session.gid);
      expect(graph.status).toBe(200);
      expect(graph.json.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "THROTTLED" }) })]);
      expect(sim.paymentSession(session.id)!.finalMutation).toBeNull();
    });

    it("hangs a call past the caller's timeout", async () => {
      const session = await startedSession();
      sim.faults.hangNext(1, { ms: 5_000 });
      const started = Date.now();
      await expect(
        fetch(sim.graphqlUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKENS.credit },
          body: JSON.stringify({ query: PAYMENTS_MUTATION_DOCUMENTS.paymentSessionResolve, variables: { id: session.gid } }),
          signal: AbortSignal.timeout(200),
        }),
      ).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(sim.paymentSession(session.id)!.finalMutation).toBeNull();
    });

    it("targets a fault at one mutation name only", async () => {
      const session = await startedSession();
      sim.faults.failNext(1, { mutation: "paymentSessionReject" });
      const resolved = await resolve(TOKENS.credit, session.gid);
      expect(resolved.status).toBe(200);
    });
  });
});
