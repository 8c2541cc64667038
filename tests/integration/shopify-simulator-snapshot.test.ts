// The simulated Shopify keeps its shops, sessions and orders across a restart (the sandbox saves a
// snapshot on Ctrl-C and restores it on the next start): a new simulator restored from a JSON
// snapshot shows the same orders and keeps Shopify's idempotency for mutations already answered.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PaymentsAppsClient } from "~/shopify/payments-apps-client";
import { startShopifySimulator, type ShopifySimulator, type StateSnapshot } from "../simulators/shopify";
import { startFakePaymentsApp, type FakePaymentsApp } from "../simulators/shopify/fake-payments-app";

const SHOP = "snapshot-test.myshopify.com";
const TOKENS = { credit: "shpat_snapshot_credit" };

let app: FakePaymentsApp;
const simulators: ShopifySimulator[] = [];

async function simulator(): Promise<{ sim: ShopifySimulator; client: PaymentsAppsClient }> {
  const sim = await startShopifySimulator({ appOrigin: app.origin, requestRetries: 0 });
  simulators.push(sim);
  return { sim, client: PaymentsAppsClient.create({ apiVersion: sim.apiVersion, originOverride: sim.paymentsApiOrigin }) };
}

beforeAll(async () => {
  app = await startFakePaymentsApp();
});

afterAll(async () => {
  await Promise.all(simulators.map((sim) => sim.close()));
  await app.close();
});

describe("Shopify simulator: snapshot and restore", () => {
  it("restores orders, their refunds and the shop's app configuration in a new simulator", async () => {
    const first = await simulator();
    const shop = first.sim.addShop(SHOP, TOKENS, { captureMode: "automatic", test: true });
    shop.configurations.credit = { externalHandle: "3002607", ready: true, configuredAt: "2026-11-20T02:00:00.000Z" };
    const started = await first.sim.startPayment(SHOP, "credit", { amount: 1000 });
    const resolved = (await first.client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: started.session.gid }))._unsafeUnwrap();
    const order = first.sim.orderForPayment(started.session.id)!;
    await first.sim.refund(order.id, 400);
    await first.client.mutate(SHOP, TOKENS.credit, "refundSessionResolve", { id: String(app.received.at(-1)!.body.gid) });
    expect(first.sim.order(order.id)!.financialStatus).toBe("partially_refunded");

    const saved = JSON.parse(JSON.stringify(first.sim.snapshot())) as StateSnapshot;
    const second = await simulator();
    second.sim.restore(saved);

    const restored = second.sim.order(order.id)!;
    expect(restored).toMatchObject({ name: order.name, paymentSessionId: started.session.id, financialStatus: "partially_refunded", refunded: 400_00 });
    expect(second.sim.shop(SHOP).configurations.credit).toMatchObject({ externalHandle: "3002607", ready: true });
    // The app's token still works, and a replayed mutation gets Shopify's cached answer.
    const replay = (await second.client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: started.session.gid }))._unsafeUnwrap();
    expect(replay).toEqual(resolved);
    // New orders continue the numbering instead of reusing a restored order's number.
    const next = await second.sim.startPayment(SHOP, "credit", { amount: 500 });
    await second.client.mutate(SHOP, TOKENS.credit, "paymentSessionResolve", { id: next.session.gid });
    expect(second.sim.orderForPayment(next.session.id)!.id).not.toBe(order.id);
    expect(second.sim.orders(SHOP)).toHaveLength(2);
  });

  it("refuses a snapshot it does not know", async () => {
    const { sim } = await simulator();
    expect(() => sim.restore({ version: 2 } as unknown as StateSnapshot)).toThrow(/snapshot version/);
  });
});
