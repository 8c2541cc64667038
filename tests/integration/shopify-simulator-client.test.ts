// PaymentsAppsClient (the production client) against the simulator over real HTTP.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PaymentsAppsClient } from "~/shopify/payments-apps-client";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { defaultResponder, startFakePaymentsApp, type FakePaymentsApp } from "../simulators/shopify/fake-payments-app";

const SHOP = "client-test.myshopify.com";
const TOKENS = { credit: "shpat_client_credit", atm: "shpat_client_atm" };
const CLIENT_TIMEOUT_MS = 2_000;

let app: FakePaymentsApp;
let sim: ShopifySimulator;
let client: PaymentsAppsClient;

beforeAll(async () => {
  app = await startFakePaymentsApp();
  sim = await startShopifySimulator({ appOrigin: app.origin, requestRetries: 0 });
  sim.addShop(SHOP, TOKENS);
  // Generous enough that a loaded CI machine never turns a normal answer into a timeout; the hang
  // test below holds the answer longer than this.
  client = PaymentsAppsClient.create({ apiVersion: sim.apiVersion, originOverride: sim.paymentsApiOrigin, timeoutMs: CLIENT_TIMEOUT_MS });
});

afterEach(() => {
  sim.faults.clear();
  app.respondWith(defaultResponder(() => app.origin));
  sim.setShopSettings(SHOP, { captureMode: "automatic" });
});

afterAll(async () => {
  await sim.close();
  await app.close();
});

async function started(method: "credit" | "atm" = "credit") {
  const result = await sim.startPayment(SHOP, method);
  expect(result.ok).toBe(true);
  return result.session;
}

describe("PaymentsAppsClient against the Shopify simulator", () => {
  it("resolves a payment session and returns Shopify's next-action URL", async () => {
    const session = await started();
    const result = await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: session.gid });
    expect(result._unsafeUnwrap()).toMatchObject({
      stateCode: "RESOLVED",
      nextActionUrl: `${sim.origin}/checkouts/cn/${session.checkoutToken}/thank-you`,
    });
    expect(sim.orderForPayment(session.id)!.financialStatus).toBe("paid");
  });

  it("gets the same response for a duplicate resolve", async () => {
    const session = await started();
    const first = await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: session.gid });
    const second = await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: session.gid });
    expect(second._unsafeUnwrap()).toEqual(first._unsafeUnwrap());
    expect(sim.callsFor(session.id).filter((c) => c.applied)).toHaveLength(1);
  });

  it("gets a final user-error for a reject after a resolve", async () => {
    const session = await started();
    await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: session.gid });
    const result = await client.mutate(SHOP, TOKENS.credit, "paymentSessionReject", {
      id: session.gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: "test" },
    });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "user-error", final: true });
    expect(sim.paymentSession(session.id)!.finalMutation).toBe("paymentSessionResolve");
  });

  it("gets a retryable user-error for a resolve sent before Shopify has the session response", async () => {
    let premature: Awaited<ReturnType<PaymentsAppsClient["mutate"]>> | null = null;
    app.respondWith(async (request) => {
      if (request.path.endsWith("/session")) {
        premature = await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: String(request.body.gid) });
      }
      return { status: 200, body: { redirect_url: `${app.origin}/pay/${String(request.body.id)}` } };
    });
    await sim.startPayment(SHOP, "credit");
    expect(premature!._unsafeUnwrapErr()).toMatchObject({ kind: "user-error", final: false });
  });

  it("marks an ATM session pending and later resolves it", async () => {
    const session = await started("atm");
    const pending = await client.mutate(SHOP, TOKENS.atm, "paymentSessionPending", {
      id: session.gid,
      pendingExpiresAt: new Date(Date.now() + 2 * 86400_000).toISOString(),
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(pending._unsafeUnwrap().stateCode).toBe("PENDING");
    const resolved = await client.mutate(SHOP, TOKENS.atm, "paymentSessionResolve", { id: session.gid });
    expect(resolved._unsafeUnwrap().stateCode).toBe("RESOLVED");
  });

  it("rejects a refund with a merchant message the admin then shows", async () => {
    const session = await started();
    await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: session.gid });
    const order = sim.orderForPayment(session.id)!;
    const refund = await sim.refund(order.id);
    const rejected = await client.mutate(SHOP, TOKENS.credit, "refundSessionReject", {
      id: refund.session.gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: "請聯絡買家安排退款" },
    });
    expect(rejected._unsafeUnwrap().stateCode).toBe("REJECTED");
    expect(sim.financialSession(refund.session.id)).toMatchObject({ status: "rejected", reject: { merchantMessage: "請聯絡買家安排退款" } });
    const page = await (await fetch(`${sim.adminUrl(SHOP)}/orders/${order.id}`)).text();
    expect(page).toContain("請聯絡買家安排退款");
    expect(sim.order(order.id)!.financialStatus).toBe("paid");
  });

  it("configures the app", async () => {
    const result = await client.mutate(SHOP, TOKENS.credit, "paymentsAppConfigure", { externalHandle: "2000132", ready: true });
    expect(result.isOk()).toBe(true);
    expect(sim.shop(SHOP).configurations.credit).toMatchObject({ externalHandle: "2000132", ready: true });
  });

  it("maps the simulator's 429 to throttled with its Retry-After", async () => {
    const session = await started();
    sim.faults.throttleNext(1, { mode: "http429", retryAfterSeconds: 2 });
    const result = await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: session.gid });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "throttled", retryAfterMs: 2000 });
  });

  it("maps a THROTTLED GraphQL error to throttled", async () => {
    const session = await started();
    sim.faults.throttleNext(1, { mode: "graphql", retryAfterSeconds: 1 });
    const result = await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: session.gid });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "throttled", retryAfterMs: 1000 });
  });

  it("maps a 500 to transient", async () => {
    const session = await started();
    sim.faults.failNext(1);
    const result = await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: session.gid });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "transient", status: 500 });
  });

  it("maps a hang past its timeout to transient", async () => {
    const session = await started();
    sim.faults.hangNext(1, { ms: CLIENT_TIMEOUT_MS + 2_000 });
    const result = await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: session.gid });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "transient", status: null });
  });

  it("maps a revoked token to unauthorized", async () => {
    sim.addShop("revoked.myshopify.com", { credit: "shpat_revoked_credit" });
    sim.revokeToken("revoked.myshopify.com", "credit");
    const result = await client.mutate("revoked.myshopify.com", "shpat_revoked_credit", "paymentsAppConfigure", { ready: false });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "unauthorized", status: 401 });
  });

  it("every client document passes the simulator's schema validation", async () => {
    const session = await started();
    await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: session.gid });
    const order = sim.orderForPayment(session.id)!;
    const refund = await sim.refund(order.id, 1);
    for (const name of ["refundSessionResolve", "captureSessionResolve", "voidSessionResolve"] as const) {
      const result = await client.mutate(SHOP, TOKENS.credit, name, { id: refund.session.gid });
      // Capture/void with a refund gid: a typed NOT_FOUND user error, never a GraphQL validation error.
      if (name === "refundSessionResolve") expect(result.isOk()).toBe(true);
      else expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "user-error", final: true, codes: [expect.stringMatching(/_SESSION_NOT_FOUND$/)] });
    }
    for (const name of ["captureSessionReject", "voidSessionReject"] as const) {
      const result = await client.mutate(SHOP, TOKENS.credit, name, { id: "gid://shopify/X/1", reason: { code: "PROCESSING_ERROR" } });
      expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "user-error", codes: [expect.stringMatching(/_SESSION_NOT_FOUND$/)] });
    }
  });
});
