// The one lease/claim mechanism (app/lib/lease.server.ts) against a real database: the outbox's
// batch claim, the operations' one-at-a-time claim and the pending close's claim. Two workers race
// on rows both have read as free; what must hold is that the database's conditional update gives
// each row to one of them. On PostgreSQL they are two clients (two server instances). On SQLite
// they share one client: libsql runs a file database on the process's own thread, so a second
// client in the same process would block the first while it waits for the write lock (separate
// server processes are what the chaos suite runs).
import { PrismaClient } from "@prisma/client";
import { prepareDatabase } from "~/db.server";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { outboxLease, OUTBOX_LEASE_MS } from "~/jobs/outbox.server";
import { claimBatch, newClaim } from "~/lib/lease.server";
import { claimPendingClose, CLOSE_LOCK_MS } from "~/payments/operations/close-lease.server";
import { claimNextOperation, OPERATION_LEASE_MS } from "~/payments/operations/operation-lease.server";
import { cloneDatabase, isPostgresRun, type TestDatabase } from "../support/database";
import { prismaFor } from "../support/db-client";
import { OneConnectionPrismaLibSQL } from "~/lib/sqlite-one-connection.server";

let db: TestDatabase;
let first: PrismaClient;
let second: PrismaClient;
const NOW = new Date("2026-12-01T04:00:00.000Z");

beforeAll(async () => {
  db = await cloneDatabase(inject("templateDatabaseUrl"));
  first = await instanceClient(db.url);
  second = isPostgresRun ? await instanceClient(db.url) : first;
});

/** A client set up as a server instance sets up its own (db.server.ts). */
async function instanceClient(url: string): Promise<PrismaClient> {
  const client = isPostgresRun ? prismaFor(url) : new PrismaClient({ adapter: new OneConnectionPrismaLibSQL({ url }) });
  await prepareDatabase(client, url);
  return client;
}

afterAll(async () => {
  await first?.$disconnect();
  if (second !== first) await second?.$disconnect();
  await db?.drop();
});

beforeEach(async () => {
  await first.outboxMessage.deleteMany();
  await first.paymentSession.deleteMany();
});

async function outboxRows(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const row = await first.outboxMessage.create({
      data: { shop: "lease.myshopify.com", method: "credit", mutation: "paymentSessionResolve", subjectId: `pay-${i}`, variables: "{}", nextAttemptAt: NOW },
    });
    ids.push(row.id);
  }
  return ids;
}

async function payment(id: string) {
  await first.paymentSession.create({
    data: {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      method: "credit",
      shop: "lease.myshopify.com",
      group: `group-${id}`,
      amount: 900,
      amountRaw: "900.00",
      currency: "TWD",
      kind: "SALE",
      test: false,
      cancelUrl: "https://shop.example/cancel",
      proposedAt: NOW,
      status: "PAID",
    },
  });
}

async function operation(id: string, paymentSessionId: string) {
  await first.operationSession.create({
    data: { id, gid: `gid://shopify/RefundSession/${id}`, type: "REFUND", paymentSessionId, shop: "lease.myshopify.com", method: "credit", amount: 100, amountRaw: "100.00", currency: "TWD", test: false, proposedAt: NOW, nextAttemptAt: NOW },
  });
}

const at = (ms: number) => new Date(NOW.getTime() + ms);

describe("the lease mechanism", () => {
  it("never lets two workers claiming the same outbox rows at once hold the same row", async () => {
    const ids = await outboxRows(30);
    const held = await Promise.all(
      [first, second, first, second].map((client, n) => claimBatch(outboxLease(client), ids, newClaim(NOW, OUTBOX_LEASE_MS, `worker-${n}`))),
    );
    const heldIds = held.flat().map((row) => row.id);
    // Every row went to exactly one claim: none twice, none lost.
    expect(new Set(heldIds).size).toBe(heldIds.length);
    expect(heldIds.sort()).toEqual([...ids].sort());
    // Each claim's rows carry its own token.
    for (const rows of held) expect(new Set(rows.map((row) => row.lockedBy)).size).toBeLessThanOrEqual(1);
  });

  it("gives an outbox row whose lease has expired to the next worker, and not before", async () => {
    const ids = await outboxRows(1);
    expect(await claimBatch(outboxLease(first), ids, newClaim(NOW, OUTBOX_LEASE_MS, "a"))).toHaveLength(1);
    expect(await claimBatch(outboxLease(second), ids, newClaim(at(OUTBOX_LEASE_MS - 1), OUTBOX_LEASE_MS, "b"))).toHaveLength(0);
    const taken = await claimBatch(outboxLease(second), ids, newClaim(at(OUTBOX_LEASE_MS + 1), OUTBOX_LEASE_MS, "b"));
    expect(taken.map((row) => row.lockedBy?.startsWith("b:"))).toEqual([true]);
  });

  it("never gives one operation to two instances claiming at the same instant", async () => {
    for (let i = 0; i < 6; i++) {
      await payment(`p${i}`);
      await operation(`op${i}`, `p${i}`);
    }
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, n) => claimNextOperation({ db: n % 2 === 0 ? first : second, now: () => NOW }, new Set())),
    );
    const got = claims.flatMap((claim) => (claim ? [claim.lease.id] : []));
    expect(got.length).toBeGreaterThan(0);
    expect(new Set(got).size).toBe(got.length);
  });

  it("takes over an operation whose holder let its lease expire, and the old holder's lease no longer matches the row", async () => {
    await payment("p1");
    await operation("op1", "p1");
    const old = await claimNextOperation({ db: first, now: () => NOW }, new Set());
    expect(old?.lease.id).toBe("op1");
    expect(await claimNextOperation({ db: second, now: () => at(OPERATION_LEASE_MS - 1) }, new Set())).toBeNull();
    const next = await claimNextOperation({ db: second, now: () => at(OPERATION_LEASE_MS + 1) }, new Set());
    expect(next?.lease.id).toBe("op1");
    // Every write of a run is conditional on its lease: the stalled run's writes now match nothing.
    expect(await first.operationSession.count({ where: old!.lease.where })).toBe(0);
    expect(await first.operationSession.count({ where: next!.lease.where })).toBe(1);
  });

  it("closes a pending card sale from one instance only, and lets another take a close whose holder died", async () => {
    await payment("p1");
    const attempt = await first.paymentAttempt.create({
      data: { merchantTradeNo: "LEASE0001", paymentSessionId: "p1", merchantId: "3383101", stage: false, status: "PAID", amount: 900, tradeNo: "2612010400001", cardState: "AUTHORIZED", closePending: true, updatedAt: at(-1_000) },
    });
    const both = await Promise.all([claimPendingClose({ db: first }, attempt, NOW), claimPendingClose({ db: second }, attempt, NOW)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    const closing = await first.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: "LEASE0001" } });
    expect(closing.cardState).toBe("CLOSING");
    expect(await claimPendingClose({ db: second }, closing, at(CLOSE_LOCK_MS - 1))).toBe(false);
    expect(await claimPendingClose({ db: second }, closing, at(CLOSE_LOCK_MS + 1))).toBe(true);
  });
});
