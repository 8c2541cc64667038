// Regression tests for defects the chaos and fuzz runs found (see README "Reliability").
import { spawn } from "node:child_process";
import pg from "pg";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaClient } from "@prisma/client";
import { err, ok } from "neverthrow";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { loadServerConfig } from "~/config.server";
import type { DoActionInput, EcpayCredentials, IEcpayGateway } from "~/ecpay/types";
import type { IAccessTokens } from "~/shopify/access-token.server";
import type { IShopAdminApi } from "~/shopify/admin-api-client";
import type { IPaymentsAppsApi } from "~/shopify/payments-apps-api";
import { createPgPool } from "~/lib/pg-pool.server";
import { createSecretBox } from "~/lib/secrets.server";
import { seedShop } from "~/ops/seed-shop.server";
import type { Deps } from "~/deps.server";
import { doActionPausedUntil } from "~/payments/operations/close-window";
import { processDueOperations } from "~/payments/operations/process-operations.server";
import type { EcpayLogEntry } from "~/payments/operations/types";
import { BusyTimeoutPrismaLibSQL } from "~/lib/sqlite-adapter.server";
import { cloneDatabase, isPostgresRun, type TestDatabase } from "../support/database";
import { preparedPrismaFor } from "../support/db-client";
import { startAppServer } from "../support/app-server";
import { PRODUCTION_MERCHANT, SHOP, startPaymentStack, type PaymentStack } from "../support/payment-stack";
import { TEST_ENCRYPTION_KEY, testAppEnv } from "../support/test-env";
import { waitUntil } from "../support/wait";
import { log as serverLog } from "~/lib/log.server";

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

describe("a refund ECPay carried out but the server could not record", () => {
  it("is recorded on the next run, never sent to ECPay again (the long PostgreSQL chaos run lost connections right there)", async () => {
    const db = await cloneDatabase(inject("templateDatabaseUrl"));
    const prisma = await preparedPrismaFor(db.url);
    try {
      const box = createSecretBox({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
      await seedShop(prisma, box, { method: "credit", shop: SHOP, accessToken: "shpat_t", ...PRODUCTION_MERCHANT, ready: true });
      await prisma.paymentSession.create({
        data: {
          id: "payLost1",
          gid: "gid://shopify/PaymentSession/payLost1",
          method: "credit",
          shop: SHOP,
          group: "g-lost",
          amount: 1000,
          amountRaw: "1000.00",
          currency: "TWD",
          kind: "SALE",
          test: false,
          status: "PAID",
          capturedAmount: 1000,
          cancelUrl: `https://${SHOP}/checkouts/cn/x/processing`,
          proposedAt: new Date(),
          attempts: { create: { merchantTradeNo: "LOST0000000000000001", merchantId: PRODUCTION_MERCHANT.merchantId, stage: false, status: "PAID", amount: 1000, tradeAmt: 1000, tradeNo: "2611250000000001", gwsr: "12043783", cardState: "CLOSED" } },
        },
      });
      await prisma.operationSession.create({
        data: { id: "refLost1", gid: "gid://shopify/RefundSession/refLost1", type: "REFUND", paymentSessionId: "payLost1", shop: SHOP, method: "credit", amount: 400, amountRaw: "400.00", currency: "TWD", test: false, proposedAt: new Date() },
      });

      const doAction = vi.fn(async (_credentials: EcpayCredentials, _input: DoActionInput) => ok({ rtnCode: "1", rtnMsg: "成功", fields: {} }));
      const gateway = {
        createCheckout: vi.fn(),
        verifyCallback: vi.fn(),
        queryTradeInfo: vi.fn(),
        queryPaymentInfo: vi.fn(),
        // Unreadable card state: the run plans from what we recorded (the trade is closed).
        queryCreditDetail: vi.fn(async () => err({ kind: "not-allowed" as const, message: "CreditCheckCode Error" })),
        doAction,
      } satisfies IEcpayGateway;
      // The connection drops once, exactly when the run records the refund (its transaction).
      let drops = 1;
      const flaky = new Proxy(prisma, {
        get(target, property) {
          if (property === "$transaction" && drops > 0) {
            return async () => {
              drops -= 1;
              throw new Error("Client has encountered a connection error and is not queryable");
            };
          }
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      // Due now, and never inside ECPay's daily 20:15–20:30 close window (DoAction pauses then).
      let clock = Date.now() + 1_000;
      clock = doActionPausedUntil(new Date(clock + 120_000))?.getTime() ?? clock;
      const deps = {
        db: flaky,
        secrets: box,
        ecpay: gateway,
        shopify: { mutate: vi.fn() } satisfies IPaymentsAppsApi,
        tokens: { offlineToken: vi.fn() } satisfies IAccessTokens,
        shopAdmin: { shopName: vi.fn() } satisfies IShopAdminApi,
        config: loadServerConfig(testAppEnv()),
        now: () => new Date(clock),
      } satisfies Deps;
      const silence = vi.spyOn(serverLog(), "error").mockImplementation(() => undefined);

      expect(await processDueOperations(deps)).toMatchObject({ retried: 1 });
      expect(doAction).toHaveBeenCalledTimes(1);
      clock += 60_000;
      expect(await processDueOperations(deps)).toMatchObject({ succeeded: 1 });
      silence.mockRestore();

      expect(doAction).toHaveBeenCalledTimes(1);
      const op = await prisma.operationSession.findUniqueOrThrow({ where: { id: "refLost1" } });
      expect(op.status).toBe("SUCCEEDED");
      const log = JSON.parse(op.ecpayLog ?? "[]") as EcpayLogEntry[];
      expect(log.filter((entry) => entry.call === "DoAction").map((entry) => entry.call === "DoAction" && `${entry.action}:${entry.outcome}`)).toEqual(["R:ok"]);
      const payment = await prisma.paymentSession.findUniqueOrThrow({ where: { id: "payLost1" } });
      expect([payment.status, payment.refundedAmount]).toEqual(["PARTIALLY_REFUNDED", 400]);
      expect(await prisma.outboxMessage.count({ where: { subjectId: "refLost1", mutation: "refundSessionResolve" } })).toBe(1);
    } finally {
      await prisma.$disconnect();
      await db.drop();
    }
  });
});

// PostgreSQL only: what a failover or restart does to the connections the server holds.
describe.runIf(isPostgresRun)("the PostgreSQL pool", () => {
  it("survives the server ending a connection the app has checked out (an unhandled 'error' event killed the process)", async () => {
    const db = await cloneDatabase(inject("templateDatabaseUrl"));
    const pool = createPgPool(db.url, 2);
    const silence = vi.spyOn(serverLog(), "error").mockImplementation(() => undefined);
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
      await admin.end();
      // Without a listener this 'error' event is unhandled: vitest fails the run, node exits.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(silence).toHaveBeenCalledWith(expect.stringMatching(/database connection lost: terminating connection/));
      client.release(true);
      expect((await pool.query<{ one: number }>("SELECT 1 AS one")).rows[0]!.one).toBe(1);
    } finally {
      silence.mockRestore();
      await pool.end();
      await db.drop();
    }
  });

  it("answers 503 with Retry-After, not a 500, when the database ends the connection of a request (the long run saw 33 such 500s)", async () => {
    const db = await cloneDatabase(inject("templateDatabaseUrl"));
    const server = await startAppServer(testAppEnv({ DATABASE_URL: db.url, DISABLE_WORKERS: "1" }));
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    // pg_stat_activity is a snapshot per transaction: watch from outside the locker's transaction.
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    const waiting = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    const page = `${server.origin}/pay/credit/gid0000000000000000000001`;
    try {
      // The server's query waits for a lock; then its connection is terminated, as in a restart.
      await locker.query("BEGIN");
      await locker.query('LOCK TABLE "PaymentSession" IN ACCESS EXCLUSIVE MODE');
      const answer = fetch(page);
      await waitUntil(async () => (await watcher.query(waiting)).rows.length > 0, { message: "the server's query waits for the lock" });
      await watcher.query(`SELECT pg_terminate_backend(pid) FROM (${waiting}) AS w`);
      const response = await answer;
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(server.output.join("\n")).toMatch(/"event":"database.unavailable","reason":"GET buyer_hand_off: /);
      await locker.query("ROLLBACK");
      // With the database back, the same request is answered as usual (no such payment).
      expect((await fetch(page)).status).toBe(404);
    } finally {
      await Promise.all([locker.end(), watcher.end()]);
      await server.stop();
      await db.drop();
    }
  });
});
