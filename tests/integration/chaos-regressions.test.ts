// Regression tests for defects the chaos and fuzz runs found (see README "Reliability").
import { spawn } from "node:child_process";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BusyTimeoutPrismaLibSQL } from "~/lib/sqlite-adapter.server";
import { cloneDatabase, isPostgresRun, type TestDatabase } from "../support/database";
import { SHOP, startPaymentStack, type PaymentStack } from "../support/payment-stack";

/**
 * Another process holds SQLite's write lock for `ms` (a real write in an open transaction). It must
 * be another process: libsql waits for a lock synchronously, which would stall a holder in ours.
 */
function holdWriteLock(url: string, ms: number, locked: () => void): Promise<void> {
  const script = `
    import { createClient } from "@libsql/client";
    const client = createClient({ url: process.env.LOCK_URL });
    const tx = await client.transaction("write");
    await tx.execute('UPDATE "ShopInstallation" SET "updatedAt" = "updatedAt"');
    console.log("locked");
    setTimeout(async () => { await tx.commit(); client.close(); }, Number(process.env.LOCK_MS));`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, LOCK_URL: url, LOCK_MS: String(ms) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout.on("data", (chunk: Buffer) => {
    if (chunk.toString().includes("locked")) locked();
  });
  return new Promise((resolve, reject) => child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited ${code}`)))));
}

async function writeDuringLock(client: PrismaClient, url: string): Promise<unknown> {
  // A first interactive transaction makes libsql swap to a fresh connection afterwards.
  await client.$transaction(async (tx) => tx.shopInstallation.count());
  let markLocked: () => void = () => undefined;
  const isLocked = new Promise<void>((resolve) => (markLocked = resolve));
  const lock = holdWriteLock(url, 800, markLocked);
  await isLocked;
  const write = client.shopInstallation
    .create({ data: { method: "credit", shop: `lock-${Date.now()}.myshopify.com` } })
    .then(() => "written", (error: unknown) => error);
  await lock;
  return write;
}

// SQLite only: PostgreSQL has no single-writer lock (its faults are exercised by the chaos run).
describe.runIf(!isPostgresRun)("the SQLite adapter", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await cloneDatabase(inject("templateDatabaseUrl"));
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("waits for another process's write lock after a transaction instead of failing with P1008", async () => {
    const plain = new PrismaClient({ adapter: new PrismaLibSQL({ url: db.url }) });
    const fixed = new PrismaClient({ adapter: new BusyTimeoutPrismaLibSQL({ url: db.url }) });
    try {
      await plain.$queryRawUnsafe("PRAGMA busy_timeout = 10000");
      // The defect: the pragma ran on the first connection only, so this write failed at once.
      const before = await writeDuringLock(plain, db.url);
      expect(before).toMatchObject({ code: "P1008" });
      expect(await writeDuringLock(fixed, db.url)).toBe("written");
    } finally {
      await Promise.all([plain.$disconnect(), fixed.$disconnect()]);
    }
  });
});

describe("a test-mode UnionPay payment", () => {
  let stack: PaymentStack;
  beforeAll(async () => {
    stack = await startPaymentStack(inject("templateDatabaseUrl"));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("is rejected through Shopify with the reason, instead of sending the buyer to ECPay's stage, which has no UnionPay", async () => {
    const started = await stack.shopify.startPayment(SHOP, "unionpay", { test: true, kind: "sale", amount: 1500 });
    expect(started.ok).toBe(true);
    const reject = await stack.shopify.waitFor(() => stack.shopify.callsFor(started.session.gid).find((c) => c.mutations.includes("paymentSessionReject") && c.status === 200), { timeoutMs: 15_000 });
    expect(JSON.stringify(reject.variables)).toMatch(/PAYMENT_METHOD_UNSUPPORTED/);
    expect(JSON.stringify(reject.variables)).toMatch(/銀聯卡/);
    expect(JSON.stringify(reject.variables)).toMatch(/UnionPay/);
    const page = await (await fetch(started.redirectUrl!, { redirect: "manual" })).text();
    expect(page).not.toContain(stack.stage.origin);
    expect(stack.stage.orders()).toEqual([]);
    expect((await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: started.session.id } })).status).toBe("REJECTED");
    // A live UnionPay session still goes to ECPay's production gateway.
    const live = await stack.shopify.startPayment(SHOP, "unionpay", { test: false, kind: "sale", amount: 1500 });
    const livePage = await (await fetch(live.redirectUrl!, { headers: { "User-Agent": "Mozilla/5.0 Chrome/120" } })).text();
    expect(livePage).toContain(`${stack.production.origin}/Cashier/AioCheckOut/V5`);
  });
});
