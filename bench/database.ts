// The bench's own database (a temp SQLite file, or `bench_<random>` on a PostgreSQL server),
// migrated like production, and the raw-SQL bulk loads that fill it quickly: one statement per
// chunk of rows generated inside the database (recursive CTE / generate_series), never one
// Prisma call per row.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PrismaClient } from "@prisma/client";
import pg from "pg";
import { migrate } from "../tests/support/database";
import { preparedPrismaFor } from "../tests/support/db-client";
import { BENCH_AMOUNT, BENCH_MERCHANT, BENCH_METHOD, BENCH_SHOP } from "./traffic";

export type DbKind = "sqlite" | "postgres";

export interface BenchDatabase {
  kind: DbKind;
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

export const DEFAULT_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(kind: DbKind, adminUrl = DEFAULT_POSTGRES_ADMIN_URL): Promise<BenchDatabase> {
  const id = randomBytes(5).toString("hex");
  if (kind === "postgres") {
    const name = `bench_${id}`;
    await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    const url = u.toString();
    try {
      migrate(url);
    } catch (error) {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      throw error;
    }
    const prisma = await preparedPrismaFor(url);
    return {
      kind,
      url,
      prisma,
      async drop() {
        await prisma.$disconnect();
        await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      },
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "ecpay-bench-"));
  const url = `file:${path.join(dir, "bench.sqlite")}`;
  migrate(url);
  const prisma = await preparedPrismaFor(url);
  return {
    kind,
    url,
    prisma,
    async drop() {
      await prisma.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SQL fragments that differ between the two providers (Prisma's own storage formats). */
function dialect(kind: DbKind) {
  const sqlite = kind === "sqlite";
  return {
    /** `count` consecutive integers from `start` as rows of column i: a prefix (WITH …) and a FROM source. */
    series(start: number, count: number) {
      return sqlite
        ? {
            with: `WITH RECURSIVE s(i) AS (SELECT ${start} UNION ALL SELECT i + 1 FROM s WHERE i < ${start + count - 1}) `,
            from: "s",
          }
        : { with: "", from: `generate_series(${start}, ${start + count - 1}) AS s(i)` };
    },
    /** A timestamp `secondsAgo` (an SQL expression) before now, stored as Prisma stores DateTime. */
    ago(secondsAgo: string) {
      return sqlite
        ? `strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || (${secondsAgo}) || ' seconds')`
        : `((now() AT TIME ZONE 'UTC') - (${secondsAgo}) * interval '1 second')`;
    },
    bool(value: boolean) {
      return sqlite ? (value ? "1" : "0") : value ? "true" : "false";
    },
    enumValue(value: string, type: string) {
      return sqlite ? `'${value}'` : `'${value}'::"${type}"`;
    },
    text(expr: string) {
      return `CAST(${expr} AS TEXT)`;
    },
  };
}

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;

interface SessionRows {
  prefix: string;
  start: number;
  count: number;
  status: "REDIRECTED" | "PAID";
  /** Spread createdAt over this many seconds before now (historic data) or 0. */
  spreadSeconds: number;
}

async function insertSessions(db: BenchDatabase, rows: SessionRows): Promise<void> {
  const d = dialect(db.kind);
  const { with: withClause, from } = d.series(rows.start, rows.count);
  const id = `'${rows.prefix}p' || ${d.text("i")}`;
  const group = `'${rows.prefix}g' || ${d.text("i")}`;
  const at = d.ago(rows.spreadSeconds > 0 ? `i % ${rows.spreadSeconds}` : "0");
  const paid = rows.status === "PAID";
  await db.prisma.$executeRawUnsafe(
    `${withClause}INSERT INTO "PaymentSession" ("id", "gid", "method", "shop", "group", "amount", "amountRaw", "currency", "kind", "test", "cancelUrl", "merchantLocale", "customerEmail", "proposedAt", "status", "capturedAmount", "settledGroup", "createdAt", "updatedAt")
     SELECT ${id}, 'gid://shopify/PaymentSession/' || ${id}, ${d.enumValue(BENCH_METHOD, "PaymentMethod")}, '${BENCH_SHOP}', ${group}, ${BENCH_AMOUNT}, '${BENCH_AMOUNT}.00', 'TWD',
            ${d.enumValue("SALE", "PaymentKind")}, ${d.bool(false)}, 'https://${BENCH_SHOP}/checkouts/cn/' || ${id} || '/processing', 'zh-TW',
            'buyer' || ${d.text(`i % 5000`)} || '@example.com', ${at}, ${d.enumValue(rows.status, "PaymentStatus")},
            ${paid ? BENCH_AMOUNT : 0}, ${paid ? `'${BENCH_SHOP} ' || ${group}` : "NULL"}, ${at}, ${at}
     FROM ${from}`,
  );
  await db.prisma.$executeRawUnsafe(
    `${withClause}INSERT INTO "PaymentAttempt" ("merchantTradeNo", "paymentSessionId", "merchantId", "stage", "status", "amount", "tradeNo", "paymentType", "tradeAmt", "chargeFee", "paymentDate", "rtnCode", "rtnMsg", "cardState", "createdAt", "updatedAt")
     SELECT '${rows.prefix}' || ${d.text("i")}, ${id}, '${BENCH_MERCHANT.merchantId}', ${d.bool(false)}, ${d.enumValue(paid ? "PAID" : "CREATED", "AttemptStatus")}, ${BENCH_AMOUNT},
            ${paid ? `'2611' || ${d.text("i")}, 'Credit_CreditCard', ${BENCH_AMOUNT}, '33', '2026/11/25 12:00:05', '1', '交易成功', 'CLOSED'` : "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"},
            ${at}, ${at}
     FROM ${from}`,
  );
}

/**
 * Payment sessions the buyer was sent to ECPay for (REDIRECTED + one CREATED attempt each), so each
 * benchmark notification settles a different trade: pool trade i is MerchantTradeNo `${prefix}${i}`.
 */
export async function insertTradePool(db: BenchDatabase, prefix: string, count: number, chunk = 50_000): Promise<void> {
  for (let start = 0; start < count; start += chunk) {
    await insertSessions(db, { prefix, start, count: Math.min(chunk, count - start), status: "REDIRECTED", spreadSeconds: 0 });
  }
}

/** Settled history: `count` paid sessions with their paid attempts, spread over the past year. */
export async function insertHistory(
  db: BenchDatabase,
  prefix: string,
  count: number,
  options: { chunk?: number; onProgress?: (done: number) => void } = {},
): Promise<void> {
  const chunk = options.chunk ?? 100_000;
  for (let start = 0; start < count; start += chunk) {
    await insertSessions(db, { prefix, start, count: Math.min(chunk, count - start), status: "PAID", spreadSeconds: 365 * 24 * 3600 });
    options.onProgress?.(Math.min(start + chunk, count));
  }
  // A year of history has long been vacuumed; a bulk load of 1M rows has not, and PostgreSQL's
  // autovacuum would otherwise run against the measurement that follows.
  await db.prisma.$executeRawUnsafe(db.kind === "postgres" ? "VACUUM (ANALYZE)" : "ANALYZE");
  await settleAfterBulkLoad(db);
}

/**
 * Let the database finish the bulk load's own work before anything is timed. The load and VACUUM
 * leave most of both tables' pages dirty in PostgreSQL's buffers; without a CHECKPOINT here the
 * checkpointer writes them out during the 20 s that follow (bench/PROFILE.md: INSERT p99 172 ms
 * right after VACUUM, 29 ms after a CHECKPOINT). An autovacuum worker still on these tables would
 * do the same, so wait until none runs. SQLite: fold the WAL back into the database file.
 */
export async function settleAfterBulkLoad(db: BenchDatabase, timeoutMs = 120_000): Promise<void> {
  if (db.kind === "sqlite") {
    await db.prisma.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
    return;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await db.prisma.$queryRawUnsafe<{ n: number | bigint }[]>(
      `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND datname = current_database()`,
    );
    if (Number(rows[0]?.n ?? 0) === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await db.prisma.$executeRawUnsafe("CHECKPOINT");
}

/** Queue one paymentSessionResolve per session, as settlePaid would, due now (multi-row INSERTs). */
export async function insertResolves(db: BenchDatabase, sessions: { id: string; gid: string }[], batch = 500): Promise<void> {
  const d = dialect(db.kind);
  const now = d.ago("0");
  for (let start = 0; start < sessions.length; start += batch) {
    const values = sessions
      .slice(start, start + batch)
      .map(
        (s) =>
          `(${quote(`bo${s.id}`)}, '${BENCH_SHOP}', ${d.enumValue(BENCH_METHOD, "PaymentMethod")}, 'paymentSessionResolve', ${quote(s.id)}, ${quote(JSON.stringify({ id: s.gid }))}, ${d.enumValue("PENDING", "OutboxStatus")}, 0, ${now}, ${now})`,
      )
      .join(",\n");
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "OutboxMessage" ("id", "shop", "method", "mutation", "subjectId", "variables", "status", "attempts", "nextAttemptAt", "createdAt") VALUES ${values}`,
    );
  }
}

export async function countRows(db: BenchDatabase, table: string, where = "1 = 1"): Promise<number> {
  const rows = await db.prisma.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS n FROM "${table}" WHERE ${where}`);
  return Number(rows[0]?.n ?? 0);
}

/** Paid pool trades and queued resolves, read in one statement so both see the same commits. */
export async function settledAndQueued(db: BenchDatabase, poolPrefix: string): Promise<{ tradesSettled: number; resolvesQueued: number }> {
  const rows = await db.prisma.$queryRawUnsafe<{ settled: number | bigint; queued: number | bigint }[]>(
    `SELECT (SELECT COUNT(*) FROM "PaymentAttempt" WHERE "merchantTradeNo" LIKE '${poolPrefix}%' AND "status" = 'PAID') AS settled, ` +
      `(SELECT COUNT(*) FROM "OutboxMessage" WHERE "mutation" = 'paymentSessionResolve') AS queued`,
  );
  return { tradesSettled: Number(rows[0]?.settled ?? 0), resolvesQueued: Number(rows[0]?.queued ?? 0) };
}

/**
 * Mark the benchmark's paid card sales as closed (DoAction C done) so the outbox measurement does
 * not also time the close worker calling an ECPay that is not there.
 */
export async function markClosed(db: BenchDatabase): Promise<void> {
  const d = dialect(db.kind);
  await db.prisma.$executeRawUnsafe(
    `UPDATE "PaymentAttempt" SET "closePending" = ${d.bool(false)}, "cardState" = 'CLOSED' WHERE "closePending" = ${d.bool(true)}`,
  );
}
