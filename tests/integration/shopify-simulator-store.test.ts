// The simulated store's pages over real HTTP: checkout → app redirect, cancel_url, order status,
// the merchant's orders with Shopify's financial statuses, admin actions and settings.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PaymentsAppsClient } from "~/shopify/payments-apps-client";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startFakePaymentsApp, type FakePaymentsApp } from "../simulators/shopify/fake-payments-app";

const SHOP = "store-test.myshopify.com";
const TOKENS = { credit: "shpat_store_credit", atm: "shpat_store_atm", twqr: "shpat_store_twqr" };

let app: FakePaymentsApp;
let sim: ShopifySimulator;
let client: PaymentsAppsClient;
let clock = new Date("2026-11-20T02:00:00Z");

beforeAll(async () => {
  app = await startFakePaymentsApp();
  sim = await startShopifySimulator({ appOrigin: app.origin, requestRetries: 0, now: () => clock });
  sim.addShop(SHOP, TOKENS);
  client = PaymentsAppsClient.create({ apiVersion: sim.apiVersion, originOverride: sim.paymentsApiOrigin });
});

afterAll(async () => {
  await sim.close();
  await app.close();
});

async function get(path: string): Promise<{ status: number; text: string; location: string | null }> {
  const response = await fetch(sim.url(path), { redirect: "manual" });
  return { status: response.status, text: await response.text(), location: response.headers.get("location") };
}

async function post(path: string, form: Record<string, string>): Promise<{ status: number; location: string | null }> {
  const response = await fetch(sim.url(path), {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  await response.text();
  return { status: response.status, location: response.headers.get("location") };
}

async function checkoutThroughPages(amount?: string): Promise<string> {
  const created = await post(`/store/${SHOP}/checkouts`, amount ? { amount } : {});
  expect(created.status).toBe(303);
  const match = /^\/checkouts\/cn\/([^/?]+)$/.exec(created.location ?? "");
  expect(match).not.toBeNull();
  return match![1]!;
}

function statusOf(html: string): string | null {
  return /data-testid="financial-status" data-status="([a-z_]+)"/.exec(html)?.[1] ?? null;
}

describe("Shopify simulator: store pages", () => {
  it("shows the cart and a checkout listing the installed payment methods", async () => {
    const store = await get(`/store/${SHOP}`);
    expect(store.status).toBe(200);
    expect(store.text).toContain('data-testid="cart-total"');
    expect(store.text).toContain("NT$2,380");
    const token = await checkoutThroughPages();
    const page = await get(`/checkouts/cn/${token}`);
    expect(page.text).toContain('id="method-credit"');
    expect(page.text).toContain('id="method-atm"');
    expect(page.text).toContain('id="method-twqr"');
    expect(page.text).not.toContain('id="method-wechatpay"');
    expect(page.text).toContain("馬上付款 Pay now");
  });

  it("sends the buyer to the app's redirect_url, and the cancel_url back to the checkout to choose again", async () => {
    const token = await checkoutThroughPages("1500");
    const paid = await post(`/checkouts/cn/${token}/pay`, { method: "credit" });
    const first = sim.paymentSessions(SHOP).at(-1)!;
    expect(paid.status).toBe(303);
    expect(paid.location).toBe(`${app.origin}/pay/${first.id}`);
    expect(first.amount).toBe(1500_00);

    const cancelled = await get(new URL(first.cancelUrl).pathname);
    expect(cancelled.location).toBe(`/checkouts/cn/${token}?cancelled=1`);
    const again = await get(cancelled.location!);
    expect(again.text).toContain('id="checkout-notice"');

    await post(`/checkouts/cn/${token}/pay`, { method: "atm" });
    const second = sim.paymentSessions(SHOP).at(-1)!;
    expect(second.method).toBe("atm");
    expect(second.group).toBe(first.group);
    expect(second.id).not.toBe(first.id);
  });

  it("shows the order status page nextAction points at, and the order as paid in the admin", async () => {
    const token = await checkoutThroughPages();
    await post(`/checkouts/cn/${token}/pay`, { method: "credit" });
    const session = sim.paymentSessions(SHOP).at(-1)!;
    const resolved = (await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: session.gid }))._unsafeUnwrap();
    const thankYou = await get(new URL(resolved.nextActionUrl!).pathname);
    const order = sim.orderForPayment(session.id)!;
    expect(thankYou.text).toContain(`data-testid="order-name">${order.name}<`);
    expect(statusOf(thankYou.text)).toBe("paid");
    expect((await get(`/checkouts/cn/${token}`)).location).toBe(`/checkouts/cn/${token}/thank-you`);

    const list = await get(`/admin/${SHOP}/orders`);
    expect(list.text).toContain(`data-testid="order-row-${order.id}"`);
    expect(list.text).toContain("已付款 Paid");
  });

  it("refunds part of an order from the admin and shows 部分金額已退款, then 已退款", async () => {
    const started = await sim.startPayment(SHOP, "credit", { amount: 1000 });
    await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: started.session.gid });
    const order = sim.orderForPayment(started.session.id)!;

    const partial = await post(`/admin/${SHOP}/orders/${order.id}/refund`, { amount: "400" });
    expect(partial.location).toContain(`/admin/${SHOP}/orders/${order.id}?notice=`);
    const request = app.received.at(-1)!;
    expect(request.path).toBe("/payments/credit/refund");
    expect(request.body).toMatchObject({ amount: "400.00", payment_id: started.session.id });
    const awaiting = await get(`/admin/${SHOP}/orders/${order.id}`);
    expect(awaiting.text).toContain('data-testid="transaction-refund"');
    expect(awaiting.text).toContain('data-state="awaiting"');

    await client.mutate(SHOP, TOKENS.credit, "refundSessionResolve", { id: String(request.body.gid) });
    expect(statusOf((await get(`/admin/${SHOP}/orders/${order.id}`)).text)).toBe("partially_refunded");

    await post(`/admin/${SHOP}/orders/${order.id}/refund`, { amount: "600" });
    await client.mutate(SHOP, TOKENS.credit, "refundSessionResolve", { id: String(app.received.at(-1)!.body.gid) });
    const done = await get(`/admin/${SHOP}/orders/${order.id}`);
    expect(statusOf(done.text)).toBe("refunded");
    expect(done.text).toContain("已退款 Refunded");
    expect(done.text).not.toContain('id="refund-button"');
  });

  it("refuses a refund larger than what is left, with a notice", async () => {
    const started = await sim.startPayment(SHOP, "credit", { amount: 100 });
    await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: started.session.gid });
    const order = sim.orderForPayment(started.session.id)!;
    const before = app.received.length;
    const response = await post(`/admin/${SHOP}/orders/${order.id}/refund`, { amount: "101" });
    expect(decodeURIComponent(response.location ?? "")).toContain("Refund amount must be between 0 and 100");
    expect(app.received.length).toBe(before);
  });

  it("switches to manual capture in settings, then captures and voids from the admin", async () => {
    const saved = await post(`/admin/${SHOP}/settings`, { captureMode: "manual", test: "true" });
    expect(saved.location).toBe(`/admin/${SHOP}/settings?saved=1`);
    expect((await get(`/admin/${SHOP}/settings`)).text).toMatch(/id="capture-manual" checked/);

    const authorized = await sim.startPayment(SHOP, "credit", { amount: 700 });
    expect(authorized.request.body.kind).toBe("authorization");
    await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: authorized.session.gid });
    const order = sim.orderForPayment(authorized.session.id)!;
    const page = await get(`/admin/${SHOP}/orders/${order.id}`);
    expect(statusOf(page.text)).toBe("authorized");
    expect(page.text).toContain('id="capture-button"');

    await post(`/admin/${SHOP}/orders/${order.id}/capture`, { amount: "700" });
    const capture = app.received.at(-1)!;
    expect(capture.path).toBe("/payments/credit/capture");
    await client.mutate(SHOP, TOKENS.credit, "captureSessionResolve", { id: String(capture.body.gid) });
    expect(sim.order(order.id)!.financialStatus).toBe("paid");

    const second = await sim.startPayment(SHOP, "credit", { amount: 50 });
    await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: second.session.gid });
    const secondOrder = sim.orderForPayment(second.session.id)!;
    await post(`/admin/${SHOP}/orders/${secondOrder.id}/void`, {});
    const voidRequest = app.received.at(-1)!;
    await client.mutate(SHOP, TOKENS.credit, "voidSessionResolve", { id: String(voidRequest.body.gid) });
    expect(statusOf((await get(`/admin/${SHOP}/orders/${secondOrder.id}`)).text)).toBe("voided");

    await post(`/admin/${SHOP}/settings`, { captureMode: "automatic" });
    expect(sim.shop(SHOP).settings).toEqual({ captureMode: "automatic", test: false });
  });

  it("shows 已過期 for a pending payment rejected at its deadline and for an uncaptured authorization past expiry", async () => {
    sim.setShopSettings(SHOP, { captureMode: "automatic" });
    const atm = await sim.startPayment(SHOP, "atm", { amount: 300 });
    const deadline = new Date(clock.getTime() + 2 * 86400_000);
    await client.mutate(SHOP, TOKENS.atm, "paymentSessionPending", {
      id: atm.session.gid,
      pendingExpiresAt: deadline.toISOString(),
      reason: "BUYER_ACTION_REQUIRED",
    });
    expect(sim.orderForPayment(atm.session.id)!.financialStatus).toBe("pending");
    clock = new Date(deadline.getTime() + 60_000);
    await client.mutate(SHOP, TOKENS.atm, "paymentSessionReject", { id: atm.session.gid, reason: { code: "PROCESSING_ERROR" } });
    expect(sim.orderForPayment(atm.session.id)!.financialStatus).toBe("expired");

    const otherAtm = await sim.startPayment(SHOP, "atm", { amount: 300 });
    await client.mutate(SHOP, TOKENS.atm, "paymentSessionPending", {
      id: otherAtm.session.gid,
      pendingExpiresAt: new Date(clock.getTime() + 86400_000).toISOString(),
      reason: "BUYER_ACTION_REQUIRED",
    });
    await client.mutate(SHOP, TOKENS.atm, "paymentSessionReject", { id: otherAtm.session.gid, reason: { code: "PROCESSING_ERROR" } });
    expect(sim.orderForPayment(otherAtm.session.id)!.financialStatus).toBe("failed");

    sim.setShopSettings(SHOP, { captureMode: "manual" });
    const card = await sim.startPayment(SHOP, "credit", { amount: 300 });
    await client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", {
      id: card.session.gid,
      authorizationExpiresAt: new Date(clock.getTime() + 3600_000).toISOString(),
    });
    expect(sim.orderForPayment(card.session.id)!.financialStatus).toBe("authorized");
    clock = new Date(clock.getTime() + 2 * 3600_000);
    const page = await get(`/admin/${SHOP}/orders/${sim.orderForPayment(card.session.id)!.id}`);
    expect(statusOf(page.text)).toBe("expired");
    expect(page.text).toContain("已過期 Expired");
    expect(page.text).not.toContain('id="capture-button"');
  });

  it("cancels an order with refund from the admin and shows 已取消", async () => {
    sim.setShopSettings(SHOP, { captureMode: "automatic" });
    const started = await sim.startPayment(SHOP, "twqr", { amount: 250 });
    await client.mutate(SHOP, TOKENS.twqr, "paymentSessionResolve", { id: started.session.gid });
    const order = sim.orderForPayment(started.session.id)!;
    await post(`/admin/${SHOP}/orders/${order.id}/cancel`, {});
    const refund = app.received.at(-1)!;
    expect(refund.path).toBe("/payments/twqr/refund");
    expect(refund.body.amount).toBe("250.00");
    await client.mutate(SHOP, TOKENS.twqr, "refundSessionReject", {
      id: String(refund.body.gid),
      reason: { code: "PROCESSING_ERROR", merchantMessage: "請至歐付寶商戶後台退款" },
    });
    const page = await get(`/admin/${SHOP}/orders/${order.id}`);
    expect(page.text).toContain('data-testid="cancelled-badge"');
    expect(page.text).toContain("請至歐付寶商戶後台退款");
    expect(statusOf(page.text)).toBe("paid");
  });
});
