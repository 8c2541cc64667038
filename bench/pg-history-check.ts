// PostgreSQL after the bench's 1,000,000-row history load (README "Benchmark", bench/PROFILE.md):
// the session path's statements EXPLAINed, the tables' vacuum/analyze state, and a new session's
// INSERT timed at the bench's fixed rate with and without a CHECKPOINT after the load.
//   npx tsx bench/pg-history-check.ts [rows]
import { randomUUID } from "node:crypto";
import pg from "pg";
import { createBenchDatabase, insertHistory } from "./database";
import { BENCH_SHOP } from "./traffic";

const rows = Number(process.argv[2] ?? 1_000_000);
const db = await createBenchDatabase("postgres");
const client = new pg.Client({ connectionString: db.url });
try {
  await client.connect();
  let t = Date.now();
  await insertHistory(db, "HX", rows);
  console.info(`history: ${rows} rows + VACUUM (ANALYZE) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const state = async (label: string) => {
    const r = await client.query(
      `SELECT relname, n_live_tup, n_dead_tup, n_ins_since_vacuum, last_vacuum IS NOT NULL AS vacuumed, last_autovacuum IS NOT NULL AS autovacuumed, last_analyze IS NOT NULL AS analyzed, last_autoanalyze IS NOT NULL AS autoanalyzed
       FROM pg_stat_user_tables WHERE relname IN ('PaymentSession', 'PaymentAttempt') ORDER BY relname`,
    );
    const bg = await client.query(`SELECT checkpoints_timed, checkpoints_req, buffers_checkpoint, buffers_backend FROM pg_stat_bgwriter`);
    const av = await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`);
    console.info(`${label}: ${JSON.stringify(r.rows)} bgwriter ${JSON.stringify(bg.rows[0])} autovacuum workers ${av.rows[0].n}`);
  };
  await state("after load");
  const explain = async (sql: string, params: unknown[]) => {
    await client.query("BEGIN");
    const r = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, params);
    await client.query("ROLLBACK");
    console.info(`${sql.slice(0, 90)}…\n  ${r.rows.map((x: Record<string, string>) => x["QUERY PLAN"]).join("\n  ")}`);
  };
  await explain(`SELECT * FROM "ShopInstallation" WHERE "method" = $1 AND "shop" = $2 LIMIT 1`, ["credit", BENCH_SHOP]);
  await explain(`SELECT * FROM "PaymentSession" WHERE "id" = $1 LIMIT 1`, ["HXp123456"]);
  const insert = `INSERT INTO "PaymentSession" ("id", "gid", "method", "shop", "group", "amount", "amountRaw", "currency", "kind", "test", "cancelUrl", "proposedAt", "status", "createdAt", "updatedAt")
    VALUES ($1, $2, 'credit', $3, $4, 1200, '1200.00', 'TWD', 'SALE', false, 'https://x/c', now(), 'RECEIVED', now(), now())`;
  await explain(insert, ["EXPLAIN1", "gid://shopify/PaymentSession/EXPLAIN1", BENCH_SHOP, randomUUID()]);

  // The bench's fixed rate: 200 inserts a second for 10 s, latencies in ms.
  // Each INSERT is issued on its own schedule; on one client they queue, so one that stalls delays
  // those behind it, as a busy pool would.
  const timed = async (label: string) => {
    const latencies: number[] = [];
    const started = Date.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 2_000; i++) {
      const due = started + i * 5;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      const id = `${label}${i}x${randomUUID().slice(0, 8)}`;
      const at = Date.now();
      pending.push(client.query(insert, [id, `gid://shopify/PaymentSession/${id}`, BENCH_SHOP, randomUUID()]).then(() => void latencies.push(Date.now() - at)));
    }
    await Promise.all(pending);
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
    console.info(`${label}: INSERT p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`);
  };
  await timed("rightAfterVacuum");
  await state("after the first timed run");
  t = Date.now();
  await client.query("CHECKPOINT");
  console.info(`CHECKPOINT in ${Date.now() - t} ms`);
  await timed("afterCheckpoint");
  await state("after the second timed run");
} finally {
  await client.end();
  await db.drop();
}
