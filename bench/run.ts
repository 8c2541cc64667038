// The benchmark (issue 8): the built server on a fresh database, load from a separate process.
//  1. throughput: the bare route (ceiling), payment-session creation and ECPay notifications at a
//     fixed concurrency, warm-up then several interleaved rounds; ratio to the bare route.
//  2. latency at a fixed rate (200 req/s) for sessions and notifications.
//  3. the outbox draining N queued resolves into the Shopify simulator.
//  4. session latency at the same fixed rate again with 1,000,000 settled transactions stored.
// The server runs with DISABLE_WORKERS=1 for 1, 2 and 4 so the request path is measured alone
// (the outbox's cost is measured in 3); peak RSS is read for every server process.
import { randomBytes } from "node:crypto";
import { createClient } from "@libsql/client";
import pg from "pg";
import os from "node:os";
import { createSecretBox } from "../app/lib/secrets.server";
import { seedShop } from "../app/ops/seed-shop.server";
import { startShopifySimulator, type ShopifySimulator } from "../tests/simulators/shopify";
import { freePort } from "../tests/support/free-port";
import { testAppEnv, TEST_ENCRYPTION_KEY } from "../tests/support/test-env";
import type { StatementCounts } from "./report";
import { countRows, createBenchDatabase, insertHistory, insertResolves, insertTradePool, markClosed, settledAndQueued, type DbKind } from "./database";
import { runLoad } from "./load";
import { startBenchServer, type BenchServer } from "./server";
import { BENCH_MERCHANT, BENCH_METHOD, BENCH_SHOP, type Endpoint } from "./traffic";
import type { LoadResult } from "./types";
import { collectVersions, summarize, type BenchResult, type Round } from "./report";
import { measureQueryCost, type QueryCostDriver } from "./query-cost";

export interface BenchOptions {
  db: DbKind;
  postgresAdminUrl?: string;
  /** Concurrent connections for the throughput rounds. */
  connections: number;
  warmupSec: number;
  roundSec: number;
  rounds: number;
  /** The fixed request rate (req/s) of the latency measurements. */
  rate: number;
  rateSec: number;
  outboxCount: number;
  historyRows: number;
  /** Pre-created trades for notifications; must exceed what the notification runs can use. */
  tradePool: number;
  smoke: boolean;
  /** "outbox": only phase 3 (sessions through the simulator, then the drain), to measure the outbox alone. */
  only?: "outbox";
  log(line: string): void;
}

/** What `--only outbox` measures. */
export interface OutboxOnlyResult {
  outbox: BenchResult["outbox"];
  rss: Record<string, number>;
}

export const FULL: Omit<BenchOptions, "db" | "log"> = {
  connections: 20,
  warmupSec: 5,
  roundSec: 10,
  rounds: 3,
  rate: 200,
  rateSec: 20,
  outboxCount: 10_000,
  historyRows: 1_000_000,
  tradePool: 120_000,
  smoke: false,
};

export const SMOKE: Omit<BenchOptions, "db" | "log"> = {
  connections: 4,
  warmupSec: 0.5,
  roundSec: 1,
  rounds: 1,
  rate: 50,
  rateSec: 1,
  outboxCount: 60,
  historyRows: 2_000,
  tradePool: 6_000,
  smoke: true,
};

const ACCESS_TOKEN = "shpat_bench_credit";
/** Nothing listens here: the reconciler's ECPay queries (none expected) fail at once. */
const NOWHERE = "http://127.0.0.1:9";

function tag(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join("");
}

async function withDriver<T>(kind: DbKind, url: string, run: (driver: QueryCostDriver) => Promise<T>): Promise<T> {
  const sql = 'SELECT * FROM "ShopInstallation" WHERE "method" = $1 AND "shop" = $2';
  if (kind === "postgres") {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await run({ select: (shop) => client.query(sql, ["credit", shop]) });
    } finally {
      await client.end();
    }
  }
  const client = createClient({ url });
  try {
    return await run({ select: (shop) => client.execute({ sql: sql.replace(/\$\d/g, "?"), args: ["credit", shop] }) });
  } finally {
    client.close();
  }
}

async function pool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

const METRICS_TOKEN = "bench-metrics-token-0123456789abcdef";

/**
 * Mean statements per answered request of each measured endpoint, from the server's /metrics: all
 * of them (db_statements_per_request) and, of those, BEGIN/COMMIT/ROLLBACK
 * (db_transaction_statements_per_request).
 */
async function statementsPerRequest(origin: string): Promise<StatementCounts> {
  const response = await fetch(`${origin}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  const text = await response.text();
  const value = (metric: string, series: "sum" | "count", route: string) => {
    const match = new RegExp(`^${metric}_${series}\\{[^}]*route="${route}"[^}]*\\} (\\S+)$`, "m").exec(text);
    if (!match) throw new Error(`/metrics has no ${metric}_${series} for ${route}`);
    return Number(match[1]);
  };
  const mean = (metric: string, route: string) => Math.round((value(metric, "sum", route) / Math.max(1, value(metric, "count", route))) * 100) / 100;
  const of = (metric: string) => ({ session: mean(metric, "payments_session"), notification: mean(metric, "ecpay_notification") });
  return { ...of("db_statements_per_request"), transactionControl: of("db_transaction_statements_per_request") };
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const result = await runPhases({ ...options, only: undefined });
  if (!("targets" in result)) throw new Error("unreachable: the full bench returns a full result");
  return result;
}

/** Only the outbox phase: the simulator's sessions, the queued resolves, the drain. */
export async function runOutboxOnly(options: BenchOptions): Promise<OutboxOnlyResult> {
  const result = await runPhases({ ...options, only: "outbox" });
  if ("targets" in result) throw new Error("unreachable: --only outbox returns the outbox's result");
  return result;
}

async function runPhases(options: BenchOptions): Promise<BenchResult | OutboxOnlyResult> {
  const outboxOnly = options.only === "outbox";
  const { log } = options;
  const startedAt = new Date();
  // Other work on the machine skews every number: record how busy it was.
  const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const runTag = tag();
  const poolPrefix = `${runTag}T`;
  const db = await createBenchDatabase(options.db, options.postgresAdminUrl);
  let simulator: ShopifySimulator | null = null;
  let server: BenchServer | null = null;
  const rss: Record<string, number> = {};
  try {
    log(`database: ${db.kind} (${db.kind === "postgres" ? new URL(db.url).pathname.slice(1) : db.url})`);
    const box = createSecretBox({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
    await seedShop(db.prisma, box, { method: BENCH_METHOD, shop: BENCH_SHOP, accessToken: ACCESS_TOKEN, ...BENCH_MERCHANT, ready: true });
    // 0. The framework's floor: one query through Prisma, raw through Prisma, and the driver alone.
    const queryCost = await withDriver(db.kind, db.url, (driver) => measureQueryCost(db.prisma, driver, options.smoke ? 100 : 2_000));
    for (const cost of queryCost) log(`query cost: ${cost.name}: ${cost.cpuMs} ms CPU, ${cost.wallMs} ms wall`);
    let t = Date.now();
    await insertTradePool(db, poolPrefix, options.tradePool);
    log(`trade pool: ${options.tradePool} sessions + attempts in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const port = await freePort();
    simulator = await startShopifySimulator({ appOrigin: `http://127.0.0.1:${port}`, retryDelayMs: 100 });
    simulator.addShop(BENCH_SHOP, { [BENCH_METHOD]: ACCESS_TOKEN });
    const baseEnv = testAppEnv({
      DATABASE_URL: db.url,
      SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      ECPAY_STAGE_ORIGIN: NOWHERE,
      ECPAY_PRODUCTION_ORIGIN: NOWHERE,
      SHOPIFY_PAYMENTS_API_ORIGIN: simulator.paymentsApiOrigin,
    });
    const quietEnv = { ...baseEnv, DISABLE_WORKERS: "1", METRICS_TOKEN };

    server = await startBenchServer(quietEnv, port);
    const origin = server.origin;
    let poolUsed = 0;
    let sessionRun = 0;
    const sessionPrefix = `${runTag}S`;
    const answered: Record<Endpoint, number> = { bare: 0, session: 0, notification: 0 };
    const handedOut: Record<Endpoint, number> = { bare: 0, session: 0, notification: 0 };
    let failures = 0;
    const load = async (endpoint: Endpoint, durationSec: number, rate?: number): Promise<LoadResult> => {
      const result = await runLoad({
        origin,
        endpoint,
        connections: rate ? Math.max(4, Math.min(options.connections, Math.ceil(rate / 20))) : options.connections,
        durationSec,
        overallRate: rate,
        idPrefix: `${sessionPrefix}${sessionRun++}x`,
        poolPrefix,
        offset: poolUsed,
        available: options.tradePool - poolUsed,
      });
      if (endpoint === "notification") poolUsed += result.idsUsed;
      answered[endpoint] += result.ok;
      handedOut[endpoint] += result.idsUsed;
      failures += result.rejected + result.errors;
      if (result.exhausted) throw new Error(`the trade pool (${options.tradePool}) ran out: raise tradePool`);
      log(
        `  ${endpoint.padEnd(12)} ${rate ? `@${rate}/s` : `c=${result.connections}`} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.latencyMs.p50} ms  p99 ${result.latencyMs.p99} ms${result.rejected ? `  REJECTED ${result.rejected}: ${result.firstRejection}` : ""}${result.errors ? `  errors ${result.errors}` : ""}`,
      );
      return result;
    };

    const sim = simulator;
    const loadServer = server;
    const drainPhase = async (): Promise<OutboxOnlyResult> => {
      // 3. The outbox: N sessions the simulator knows (sent through our endpoint), N resolves queued
      //    while no worker runs, then one server with its workers drains them.
      log(`outbox: ${options.outboxCount} payment sessions through the Shopify simulator`);
      t = Date.now();
      const started = await pool(options.outboxCount, 16, async () => {
        const result = await sim.startPayment(BENCH_SHOP, BENCH_METHOD, { amount: 1_200 });
        if (!result.ok) throw new Error(`simulator payment failed: ${result.request.failureReason}`);
        return { id: result.session.id, gid: result.session.gid };
      });
      log(`  ${started.length} sessions in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      rss.load = await loadServer.stop();
      server = null;
      await markClosed(db);
      await db.prisma.$executeRawUnsafe(`DELETE FROM "OutboxAttempt"`);
      await db.prisma.$executeRawUnsafe(`DELETE FROM "OutboxMessage"`);
      await insertResolves(db, started);
      const queued = await countRows(db, "OutboxMessage", `"status" = 'PENDING'`);
      const drainStart = Date.now();
      const drainServer = await startBenchServer(baseEnv, port);
      server = drainServer;
      // CPU of the server and of this process (the simulator answers here) per delivery: the
      // machine is shared, so wall time alone says little about what the outbox costs.
      const cpuAtStart = { server: drainServer.cpuSeconds(), bench: process.cpuUsage() };
      const limitMs = Math.max(180_000, options.outboxCount * 30);
      let pending = queued;
      let lastLog = Date.now();
      while (pending > 0 && Date.now() - drainStart < limitMs) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        pending = await countRows(db, "OutboxMessage", `"status" = 'PENDING'`);
        if (Date.now() - lastLog >= 5_000) {
          lastLog = Date.now();
          log(`  ${((lastLog - drainStart) / 1000).toFixed(0)} s: ${pending} pending`);
        }
      }
      const drainSeconds = (Date.now() - drainStart) / 1000;
      const benchCpu = process.cpuUsage(cpuAtStart.bench);
      const cpuMsPerDelivery = {
        server: Math.round(((drainServer.cpuSeconds() - cpuAtStart.server) * 1000 * 100) / Math.max(1, queued - pending)) / 100,
        simulator: Math.round(((benchCpu.user + benchCpu.system) / 1000 / Math.max(1, queued - pending)) * 100) / 100,
      };
      rss.outbox = await drainServer.stop();
      server = null;
      const outbox = {
        queued,
        delivered: await countRows(db, "OutboxMessage", `"status" = 'DELIVERED'`),
        failed: await countRows(db, "OutboxMessage", `"status" = 'FAILED'`),
        pending,
        seconds: Math.round(drainSeconds * 100) / 100,
        perSecond: Math.round((queued - pending) / drainSeconds),
        simulatorResolves: sim.calls().filter((c) => c.applied && c.mutations.includes("paymentSessionResolve")).length,
        note: "timed from starting the server (workers on, WORKER_TICK_MS default) until no row is PENDING",
      };
      log(`  drained ${outbox.queued - pending} in ${outbox.seconds} s (${outbox.perSecond}/s), delivered ${outbox.delivered}, failed ${outbox.failed}, simulator resolves ${outbox.simulatorResolves}; CPU per delivery: server ${cpuMsPerDelivery.server} ms, simulator ${cpuMsPerDelivery.simulator} ms`);
      return { outbox, rss };
    };

    // 1. Throughput.
    if (outboxOnly) return await drainPhase();
    const endpoints: Endpoint[] = ["bare", "session", "notification"];
    log(`throughput: warm-up ${options.warmupSec} s each`);
    for (const endpoint of endpoints) await load(endpoint, options.warmupSec);
    const rounds: Round[] = [];
    for (let r = 0; r < options.rounds; r++) {
      log(`round ${r + 1}/${options.rounds} (${options.roundSec} s each)`);
      const round: Partial<Round> = {};
      for (const endpoint of endpoints) round[endpoint] = await load(endpoint, options.roundSec);
      rounds.push(round as Round);
    }

    // 2. Latency at a fixed rate (the small database: the trade pool and what phase 1 stored).
    log(`fixed rate ${options.rate} req/s: warm-up ${options.warmupSec} s, then ${options.rateSec} s`);
    await load("session", options.warmupSec, options.rate);
    const sessionAtRate = await load("session", options.rateSec, options.rate);
    await load("notification", options.warmupSec, options.rate);
    const notificationAtRate = await load("notification", options.rateSec, options.rate);

    // SQL statements per request, counted by the server at the driver (db_statements_per_request).
    const statements = await statementsPerRequest(origin);
    log(`statements per request: session ${statements.session}, notification ${statements.notification} (of which BEGIN/COMMIT: ${statements.transactionControl?.session}, ${statements.transactionControl?.notification})`);

    // Every expected answer stored a session / settled a trade; the last few handed out may have
    // been in flight when a run ended, so stored lies between answered and handed out.
    const checks = {
      sessionsAnswered: answered.session,
      sessionsHandedOut: handedOut.session,
      sessionsStored: await countRows(db, "PaymentSession", `"id" LIKE '${sessionPrefix}%'`),
      notificationsAnswered: answered.notification,
      notificationsHandedOut: handedOut.notification,
      // Counted in one statement: a notification still in flight commits its PAID attempt and its
      // queued resolve together, and two separate counts could fall on either side of it.
      ...(await settledAndQueued(db, poolPrefix)),
      failures,
    };
    log(`checks: ${JSON.stringify(checks)}`);

    const outbox = (await drainPhase()).outbox;

    // 4. The same fixed-rate session load with a large history stored.
    log(`history: inserting ${options.historyRows} paid sessions + attempts`);
    t = Date.now();
    await insertHistory(db, `${runTag}H`, options.historyRows, { onProgress: (done) => log(`  ${done}`) });
    const insertSeconds = (Date.now() - t) / 1000;
    log(`  inserted in ${insertSeconds.toFixed(1)} s`);
    server = await startBenchServer(quietEnv, port);
    await load("session", options.warmupSec, options.rate);
    const sessionAtRateWithHistory = await load("session", options.rateSec, options.rate);
    rss.history = await server.stop();
    server = null;

    const result = summarize({
      options,
      startedAt,
      finishedAt: new Date(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? "unknown",
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        os: `${os.type()} ${os.release()}`,
        loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
      },
      versions: await collectVersions(db),
      rounds,
      sessionAtRate,
      notificationAtRate,
      checks,
      outbox,
      history: {
        rows: options.historyRows,
        insertSeconds: Math.round(insertSeconds * 10) / 10,
        totalSessions: await countRows(db, "PaymentSession"),
        sessionAtRate: sessionAtRateWithHistory,
      },
      rss,
      statements,
    });
    return { ...result, queryCost };
  } finally {
    if (server) await server.stop().catch(() => 0);
    await simulator?.close();
    await db.drop();
  }
}
