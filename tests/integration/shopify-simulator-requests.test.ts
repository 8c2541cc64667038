// The simulator's requests to the payments app, against a tiny fake app over real HTTP:
// body and headers exactly as documented, 2xx {redirect_url} / 201 expectations, retries.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { defaultResponder, startFakePaymentsApp, type FakePaymentsApp } from "../simulators/shopify/fake-payments-app";
import { PAYMENTS_MUTATION_DOCUMENTS } from "~/shopify/payments-apps-client";

const SHOP = "requests-test.myshopify.com";
const TOKENS = { credit: "shpat_req_credit", atm: "shpat_req_atm", unionpay: "shpat_req_unionpay" };

let app: FakePaymentsApp;
let sim: ShopifySimulator;

beforeAll(async () => {
  app = await startFakePaymentsApp();
  sim = await startShopifySimulator({
    appOrigin: app.origin,
    apiVersion: "2026-07",
    requestRetries: 2,
    retryDelayMs: 10,
    requestTimeoutMs: 300,
  });
  sim.addShop(SHOP, TOKENS);
});

afterEach(() => {
  app.respondWith(defaultResponder(() => app.origin));
  sim.setShopSettings(SHOP, { captureMode: "automatic", test: true });
});

afterAll(async () => {
  await sim.close();
  await app.close();
});

async function resolveVia(token: string, gid: string): Promise<void> {
  const response = await fetch(sim.graphqlUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query: PAYMENTS_MUTATION_DOCUMENTS.paymentSessionResolve, variables: { id: gid } }),
  });
  expect(response.status).toBe(200);
}

describe("Shopify simulator: requests to the payments app", () => {
  it("posts the payment session with the documented body and headers", async () => {
    const checkout = sim.createCheckout(SHOP, { amount: 1234 });
    const before = app.received.length;
    const result = await sim.startPayment(SHOP, "credit", { checkoutToken: checkout.token });
    expect(result.ok).toBe(true);
    const request = app.received[before]!;
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/payments/credit/session");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["shopify-shop-domain"]).toBe(SHOP);
    expect(request.headers["shopify-api-version"]).toBe("2026-07");
    expect(request.headers["shopify-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const body = request.body;
    expect(Object.keys(body).sort()).toEqual(
      ["id", "gid", "group", "session_id", "amount", "currency", "test", "merchant_locale", "payment_method", "proposed_at", "customer", "kind"].sort(),
    );
    expect(body.id).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(body.gid).toBe(`gid://shopify/PaymentSession/${String(body.id)}`);
    expect(body).toMatchObject({
      amount: "1234.00",
      currency: "TWD",
      test: true,
      merchant_locale: "zh-TW",
      kind: "sale",
      group: checkout.group,
      session_id: checkout.sessionId,
      payment_method: { type: "offsite", data: { cancel_url: `${sim.origin}/checkouts/cn/${checkout.token}/processing` } },
    });
    expect(Date.parse(String(body.proposed_at))).not.toBeNaN();
    const customer = body.customer as Record<string, Record<string, string> | string>;
    expect(customer.email).toBe("buyer@example.com");
    expect(customer.locale).toBe("zh-TW");
    expect(customer.billing_address).toMatchObject({ country_code: "TW", city: "臺北市" });
    expect(customer.shipping_address).toMatchObject({ country_code: "TW" });
    expect(result.redirectUrl).toBe(`${app.origin}/pay/${String(body.id)}`);
    expect(sim.paymentSession(String(body.id))!.startResponseReceived).toBe(true);
  });

  it("asks for an authorization under manual capture only where the method supports it, and sends the test flag", async () => {
    sim.setShopSettings(SHOP, { captureMode: "manual", test: false });
    const credit = await sim.startPayment(SHOP, "credit");
    const atm = await sim.startPayment(SHOP, "atm");
    const unionpay = await sim.startPayment(SHOP, "unionpay");
    expect(credit.request.body).toMatchObject({ kind: "authorization", test: false });
    expect(atm.request.body).toMatchObject({ kind: "sale", test: false });
    expect(unionpay.request.body).toMatchObject({ kind: "sale" });
  });

  it("retries a failed payment session request with the same id until the app answers 2xx", async () => {
    app.respondWith((request, attempt) =>
      attempt < 3 ? { status: 503, body: { error: "busy" } } : { status: 200, body: { redirect_url: `${app.origin}/pay/${String(request.body.id)}` } },
    );
    const result = await sim.startPayment(SHOP, "credit");
    expect(result.ok).toBe(true);
    expect(result.request.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    const bodies = app.received.filter((r) => r.body.id === result.session.id);
    expect(bodies).toHaveLength(3);
    expect(new Set(bodies.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(new Set(result.request.attempts.map((a) => a.requestId)).size).toBe(3);
  });

  it("gives up after the configured retries and shows the buyer a notice at checkout", async () => {
    app.respondWith(() => ({ status: 500 }));
    const result = await sim.startPayment(SHOP, "credit");
    expect(result.ok).toBe(false);
    expect(result.request.attempts).toHaveLength(3);
    expect(result.session.startOutcome).toBe("failed");
    expect(result.checkout.notice).toContain("try again");
    const page = await (await fetch(sim.url(`/checkouts/cn/${result.checkout.token}`))).text();
    expect(page).toContain('id="checkout-notice"');
  });

  it("treats a slow answer as a failure and retries it", async () => {
    app.respondWith((request, attempt) =>
      attempt === 1
        ? { status: 200, body: { redirect_url: `${app.origin}/late` }, delayMs: 1_000 }
        : { status: 200, body: { redirect_url: `${app.origin}/pay/${String(request.body.id)}` } },
    );
    const result = await sim.startPayment(SHOP, "credit");
    expect(result.ok).toBe(true);
    expect(result.request.attempts[0]!.error).toBe("timed out after 300 ms");
    expect(result.redirectUrl).toBe(`${app.origin}/pay/${result.session.id}`);
  });

  it("does not accept a 2xx without a usable redirect_url", async () => {
    app.respondWith(() => ({ status: 200, body: { url: "https://elsewhere" } }));
    const missing = await sim.startPayment(SHOP, "credit");
    expect(missing.ok).toBe(false);
    expect(missing.request.failureReason).toBe("response has no redirect_url");
    app.respondWith(() => ({ status: 200, body: { redirect_url: `https://pay.example/${"x".repeat(8200)}` } }));
    const tooLong = await sim.startPayment(SHOP, "credit");
    expect(tooLong.request.failureReason).toBe("redirect_url is 8192 bytes or longer");
  });

  it("sends refund, capture and void requests with the documented bodies and expects 201", async () => {
    sim.setShopSettings(SHOP, { captureMode: "manual" });
    const started = await sim.startPayment(SHOP, "credit", { amount: 2000 });
    await resolveVia(TOKENS.credit, started.session.gid);
    const order = sim.orderForPayment(started.session.id)!;
    expect(order.financialStatus).toBe("authorized");

    const capture = await sim.capture(order.id);
    expect(capture.ok).toBe(true);
    expect(capture.request.url).toBe(`${app.origin}/payments/credit/capture`);
    expect(capture.request.body).toEqual({
      id: capture.session.id,
      gid: `gid://shopify/CaptureSession/${capture.session.id}`,
      payment_id: started.session.id,
      amount: "2000.00",
      currency: "TWD",
      test: true,
      merchant_locale: "zh-TW",
      proposed_at: expect.any(String),
    });
    expect(capture.request.headers).toMatchObject({ "Shopify-Shop-Domain": SHOP, "Shopify-Api-Version": "2026-07" });
    expect(capture.session.status).toBe("awaiting");

    const second = await sim.startPayment(SHOP, "credit", { amount: 300 });
    await resolveVia(TOKENS.credit, second.session.gid);
    const voided = await sim.void(sim.orderForPayment(second.session.id)!.id);
    expect(voided.request.url).toBe(`${app.origin}/payments/credit/void`);
    expect(voided.request.body).toEqual({
      id: voided.session.id,
      gid: `gid://shopify/VoidSession/${voided.session.id}`,
      payment_id: second.session.id,
      test: true,
      merchant_locale: "zh-TW",
      proposed_at: expect.any(String),
    });
  });

  it("retries a refund the app answers with 200 instead of 201, and marks it failed when retries run out", async () => {
    const started = await sim.startPayment(SHOP, "credit", { amount: 800 });
    await resolveVia(TOKENS.credit, started.session.gid);
    const order = sim.orderForPayment(started.session.id)!;
    app.respondWith((_request, attempt) => (attempt === 1 ? { status: 200, body: {} } : { status: 201 }));
    const refund = await sim.refund(order.id, 300);
    expect(refund.ok).toBe(true);
    expect(refund.request.attempts.map((a) => [a.status, a.error])).toEqual([
      [200, "expected HTTP 201, got 200"],
      [201, null],
    ]);
    expect(refund.request.body).toMatchObject({ amount: "300.00", currency: "TWD", payment_id: started.session.id });

    app.respondWith(() => ({ status: 500 }));
    const failed = await sim.refund(order.id, 100);
    expect(failed.ok).toBe(false);
    expect(failed.session.status).toBe("delivery-failed");
    expect(failed.request.attempts).toHaveLength(3);
  });

  it("cancels an authorized order by voiding it and a paid one by refunding the rest", async () => {
    sim.setShopSettings(SHOP, { captureMode: "manual" });
    const authorized = await sim.startPayment(SHOP, "credit", { amount: 100 });
    await resolveVia(TOKENS.credit, authorized.session.gid);
    const voiding = await sim.cancelOrder(sim.orderForPayment(authorized.session.id)!.id);
    expect(voiding!.session.kind).toBe("void");

    sim.setShopSettings(SHOP, { captureMode: "automatic" });
    const paid = await sim.startPayment(SHOP, "credit", { amount: 900 });
    await resolveVia(TOKENS.credit, paid.session.gid);
    const paidOrder = sim.orderForPayment(paid.session.id)!;
    await sim.refund(paidOrder.id, 200);
    const refunding = await sim.cancelOrder(paidOrder.id);
    expect(refunding!.session).toMatchObject({ kind: "refund", amount: 700_00 });
    expect(sim.order(paidOrder.id)!.cancelled).toBe(true);
  });
});
