// The transactions index at 100k payments: keyset pages cost the same at the end as at the start,
// every row is seen exactly once in both directions, and filters and search stay on the indexes.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { COUNT_LIMIT, listShopTransactions, listTransactions, type TransactionQuery } from "~/admin/transactions.server";
import { exportCsvChunks } from "~/admin/export.server";
import { cloneDatabase, isPostgresRun, type TestDatabase } from "../support/database";
import { prismaFor } from "../support/db-client";

const BIG = "big-shop.myshopify.com";
const SMALL = "small-shop.myshopify.com";
const ROWS = 100_000;
const T0 = Date.parse("2025-01-01T00:00:00Z");

let db: TestDatabase;
let prisma: PrismaClient;

function session(shop: string, i: number, at: number) {
  const id = `${shop.slice(0, 3)}${String(i).padStart(8, "0")}`;
  return {
    id,
    gid: `gid://shopify/PaymentSession/${id}`,
    method: "credit" as const,
    shop,
    group: id,
    amount: 100 + (i % 900),
    amountRaw: `${100 + (i % 900)}.00`,
    currency: "TWD",
    kind: "SALE" as const,
    test: i % 10 === 0,
    status: i % 7 === 0 ? ("REJECTED" as const) : ("PAID" as const),
    cancelUrl: `https://${shop}/checkouts/cn/tok${id}/processing`,
    proposedAt: new Date(at),
    createdAt: new Date(at),
  };
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await run();
  return { value, ms: performance.now() - start };
}

/**
 * The same 100k rows as session(BIG, i, …) would give, generated inside the database in one
 * statement (row-by-row inserts would take minutes). Every 3 rows share a timestamp, so ties on
 * createdAt are paged by id.
 */
function bigInsertSql(): string {
  const pg = isPostgresRun;
  const id = pg ? `'big' || lpad(i::text, 8, '0')` : `'big' || printf('%08d', i)`;
  // Prisma keeps SQLite DateTimes as ISO text with a +00:00 offset; text comparisons need exactly that.
  const at = pg ? `(to_timestamp(${T0 / 1000} + i / 3) AT TIME ZONE 'UTC')` : `strftime('%Y-%m-%dT%H:%M:%f+00:00', ${T0 / 1000} + i / 3, 'unixepoch')`;
  const kind = pg ? `'SALE'::"PaymentKind"` : `'SALE'`;
  const method = pg ? `'credit'::"PaymentMethod"` : `'credit'`;
  const status = pg ? `CAST(CASE WHEN i % 7 = 0 THEN 'REJECTED' ELSE 'PAID' END AS "PaymentStatus")` : `CASE WHEN i % 7 = 0 THEN 'REJECTED' ELSE 'PAID' END`;
  const test = pg ? `(i % 10 = 0)` : `CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END`;
  const text = (expr: string) => (pg ? `(${expr})::text` : `CAST(${expr} AS TEXT)`);
  return `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS - 1})
    INSERT INTO "PaymentSession" ("id", "gid", "method", "shop", "group", "amount", "amountRaw", "currency", "kind", "test", "status", "cancelUrl", "proposedAt", "createdAt", "updatedAt")
    SELECT ${id}, 'gid://shopify/PaymentSession/' || ${id}, ${method}, '${BIG}', ${id}, 100 + i % 900, ${text("100 + i % 900")} || '.00', 'TWD', ${kind}, ${test}, ${status},
      'https://${BIG}/checkouts/cn/tok' || ${id} || '/processing', ${at}, ${at}, ${at}
    FROM n`;
}

/**
 * One paid attempt per big-shop payment, with ECPay's PaymentType: a third ATM_TAISHIN, ten
 * ATM_ESUN spread over the range, one ATM_BOT among the oldest rows, the rest Credit_CreditCard.
 */
function bigAttemptsSql(): string {
  const pg = isPostgresRun;
  const i = pg ? `CAST(substr("id", 4) AS INTEGER)` : `CAST(substr("id", 4) AS INTEGER)`;
  const status = pg ? `CAST('PAID' AS "AttemptStatus")` : `'PAID'`;
  return `INSERT INTO "PaymentAttempt" ("merchantTradeNo", "paymentSessionId", "merchantId", "stage", "status", "amount", "paymentType", "createdAt", "updatedAt")
    SELECT 'BA' || substr("id", 4), "id", '3002607', ${pg ? "false" : "0"}, ${status}, "amount",
      CASE WHEN ${i} = 5 THEN 'ATM_BOT' WHEN ${i} % 10000 = 7 THEN 'ATM_ESUN' WHEN ${i} % 3 = 0 THEN 'ATM_TAISHIN' ELSE 'Credit_CreditCard' END,
      "createdAt", "createdAt"
    FROM "PaymentSession" WHERE "shop" = '${BIG}'`;
}

beforeAll(async () => {
  db = await cloneDatabase(inject("templateDatabaseUrl"));
  prisma = prismaFor(db.url);
  await prisma.$executeRawUnsafe(bigInsertSql());
  // The generated rows are exactly what the Prisma path would have written.
  const sample = await prisma.paymentSession.findUniqueOrThrow({ where: { id: "big00000070" } });
  const expected = session(BIG, 70, T0 + Math.floor(70 / 3) * 1000);
  expect({ ...sample, updatedAt: undefined, capturedAmount: undefined, refundedAmount: undefined }).toMatchObject({ ...expected, status: "REJECTED", test: true });
  await prisma.$executeRawUnsafe(bigAttemptsSql());
  await prisma.paymentSession.createMany({ data: Array.from({ length: 230 }, (_, i) => session(SMALL, i, T0 + Math.floor(i / 4) * 1000)) });
  await prisma.paymentAttempt.create({
    data: { merchantTradeNo: "BIGATTEMPT00000042", paymentSessionId: "big00000042", merchantId: "3002607", stage: false, status: "PAID", amount: 142, tradeNo: "2501010000424242" },
  });
}, 600_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

async function walk(shop: string, query: TransactionQuery, pageSize: number) {
  const forward: string[] = [];
  let page = await listTransactions(prisma, shop, "credit", query, pageSize);
  const pages = [page];
  forward.push(...page.rows.map((r) => r.id));
  while (page.next) {
    page = await listTransactions(prisma, shop, "credit", { ...query, after: page.next }, pageSize);
    pages.push(page);
    forward.push(...page.rows.map((r) => r.id));
  }
  const backward: string[] = [...page.rows.map((r) => r.id)].reverse();
  while (page.previous) {
    page = await listTransactions(prisma, shop, "credit", { ...query, before: page.previous }, pageSize);
    backward.push(...[...page.rows.map((r) => r.id)].reverse());
  }
  return { forward, backward: backward.reverse(), pages };
}

describe("keyset pagination", () => {
  it("visits every row exactly once, newest first, forwards and backwards", async () => {
    const { forward, backward, pages } = await walk(SMALL, {}, 50);
    expect(forward).toHaveLength(230);
    expect(new Set(forward).size).toBe(230);
    const expected = Array.from({ length: 230 }, (_, i) => session(SMALL, i, T0 + Math.floor(i / 4) * 1000))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((s) => s.id);
    expect(forward).toEqual(expected);
    expect(backward).toEqual(expected);
    expect(pages[0]!.previous).toBeNull();
    expect(pages[pages.length - 1]!.next).toBeNull();
  });

  it("serves the first and the last page of 100k rows in about the same, small time", async () => {
    const first = await timed(() => listTransactions(prisma, BIG, "credit", {}));
    expect(first.value.rows).toHaveLength(50);
    expect(first.value.rows[0]!.id).toBe(`big${String(ROWS - 1).padStart(8, "0")}`);
    // A cursor just before the oldest rows: the last page.
    const oldest = session(BIG, 40, T0 + Math.floor(40 / 3) * 1000);
    const cursor = Buffer.from(`${oldest.createdAt.toISOString()}|${oldest.id}`).toString("base64url");
    const last = await timed(() => listTransactions(prisma, BIG, "credit", { after: cursor }));
    expect(last.value.rows.map((r) => r.id)).toEqual(Array.from({ length: 40 }, (_, i) => `big${String(39 - i).padStart(8, "0")}`));
    expect(last.value.next).toBeNull();
    expect(first.ms).toBeLessThan(500);
    expect(last.ms).toBeLessThan(500);
  });

  it("keeps filtered pages and searches fast", async () => {
    const filtered = await timed(() => listTransactions(prisma, BIG, "credit", { status: "failed", test: "test" }));
    expect(filtered.value.rows.length).toBe(50);
    expect(filtered.value.rows.every((r) => r.status === "failed" && r.test)).toBe(true);
    expect(filtered.ms).toBeLessThan(1_000);
    for (const q of ["big00000042", "BIGATTEMPT00000042", "2501010000424242"]) {
      const found = await timed(() => listTransactions(prisma, BIG, "credit", { q }));
      expect(found.value.rows.map((r) => r.id)).toEqual(["big00000042"]);
      expect(found.ms).toBeLessThan(300);
    }
    const elsewhere = await listTransactions(prisma, SMALL, "credit", { q: "big00000042" });
    expect(elsewhere.rows).toEqual([]);
  });

  it("finds part of an id in any case among the newest payments as fast as a page, and a whole id at any age", async () => {
    // big00099990..99999 are the newest rows: MerchantTradeNo BA00099990…, checkout token tokbig00099990….
    for (const q of ["IG0009999", "ba0009999", "okBIG0009999"]) {
      const found = await timed(() => listTransactions(prisma, BIG, "credit", { q }));
      expect(found.value.rows.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, k) => `big${String(99_999 - k).padStart(8, "0")}`));
      expect(found.value.searchedSince).not.toBeNull();
      expect(found.ms).toBeLessThan(500);
    }
    // Part of an old payment's TradeNo is outside the searched window; its whole TradeNo is not.
    expect((await listTransactions(prisma, BIG, "credit", { q: "0000424242" })).rows).toEqual([]);
    expect((await listTransactions(prisma, BIG, "credit", { q: "2501010000424242" })).rows.map((r) => r.id)).toEqual(["big00000042"]);
    const none = await timed(() => listTransactions(prisma, BIG, "credit", { q: "zzzzzz" }));
    expect(none.value.rows).toEqual([]);
    expect(none.ms).toBeLessThan(500);
  });

  it("filters by the PaymentType ECPay reported, common or rare, well under a second", async () => {
    const common = await timed(() => listTransactions(prisma, BIG, "credit", { paymentType: "ATM_TAISHIN" }));
    expect(common.value.rows).toHaveLength(50);
    expect(common.value.rows.every((r) => r.paymentType === "ATM_TAISHIN")).toBe(true);
    const rare = await timed(() => listTransactions(prisma, BIG, "credit", { paymentType: "ATM_ESUN" }));
    expect(rare.value.rows.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, k) => `big${String((9 - k) * 10_000 + 7).padStart(8, "0")}`));
    // The single match is among the oldest rows: the walk cannot stop early.
    const single = await timed(() => listTransactions(prisma, BIG, "credit", { paymentType: "ATM_BOT" }));
    expect(single.value.rows.map((r) => r.id)).toEqual(["big00000005"]);
    const none = await timed(() => listTransactions(prisma, BIG, "credit", { paymentType: "WeiXin_OPAY" }));
    expect(none.value.rows).toEqual([]);
    console.info(`paymentType filter: common ${common.ms.toFixed(0)} ms, rare ${rare.ms.toFixed(0)} ms, single ${single.ms.toFixed(0)} ms, none ${none.ms.toFixed(0)} ms`);
    for (const run of [common, rare, single, none]) expect(run.ms).toBeLessThan(1_000);
  });

  it("lists the shop across its apps and counts up to 10,000+ as fast as a page", async () => {
    const oldest = session(BIG, 40, T0 + Math.floor(40 / 3) * 1000);
    const cursor = Buffer.from(`${oldest.createdAt.toISOString()}|${oldest.id}`).toString("base64url");
    const runs = [
      // Every app of the shop, on (shop, createdAt, id); two apps, one branch each on (shop, method, createdAt).
      await timed(() => listShopTransactions(prisma, BIG, {})),
      await timed(() => listShopTransactions(prisma, BIG, { after: cursor })),
      await timed(() => listShopTransactions(prisma, BIG, { apps: ["credit", "atm"] })),
      await timed(() => listShopTransactions(prisma, BIG, { apps: ["credit", "atm"], after: cursor })),
      await timed(() => listShopTransactions(prisma, BIG, { apps: ["credit", "atm"], status: "failed", test: "test" })),
    ];
    expect(runs[0]!.value.rows[0]!.id).toBe(`big${String(ROWS - 1).padStart(8, "0")}`);
    expect(runs[2]!.value.rows.map((r) => r.id)).toEqual(runs[0]!.value.rows.map((r) => r.id));
    expect(runs[1]!.value.rows).toHaveLength(40);
    expect(runs[3]!.value.rows.map((r) => r.id)).toEqual(runs[1]!.value.rows.map((r) => r.id));
    // Past the limit the count stops: the page says "10,000+".
    for (const run of [runs[0]!, runs[2]!]) expect(run.value.count).toBe(COUNT_LIMIT + 1);
    // 1 in 70 rows is a failed test payment: 1,429 of them, counted exactly.
    expect(runs[4]!.value.count).toBe(1_429);
    expect((await listShopTransactions(prisma, SMALL, {})).count).toBe(230);
    console.info(`shop-wide list: ${runs.map((r) => r.ms.toFixed(0)).join(", ")} ms`);
    for (const run of runs) expect(run.ms).toBeLessThan(1_000);
  });

  it("exports all 100k rows of a day page by page, and none of the day before", async () => {
    const count = async (from: string, to: string) => {
      let rows = 0;
      let chunks = 0;
      const ids = new Set<string>();
      for await (const chunk of exportCsvChunks(prisma, { shop: BIG, methods: ["credit"], from, to }, 1_000)) {
        chunks += 1;
        for (const line of chunk.split("\r\n").slice(0, -1)) {
          rows += 1;
          ids.add(line.split(",")[4]!);
        }
      }
      return { rows: rows - 1, chunks, distinct: ids.size - 1 };
    };
    // The rows span 2025-01-01 00:00Z..09:15Z: all on 2025-01-01 in Taiwan time.
    const day = await count("2025-01-01", "2025-01-01");
    expect(day.rows).toBe(ROWS);
    expect(day.distinct).toBe(ROWS);
    expect(day.chunks).toBe(1 + ROWS / 1_000);
    expect((await count("2024-12-31", "2024-12-31")).rows).toBe(0);
  });
});
