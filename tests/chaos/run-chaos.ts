// The chaos run (npm run chaos, and the bounded CI version in tests/integration/chaos.test.ts):
// N checkouts across all eight methods and both capture modes, with captures, voids and refunds,
// through a load balancer to one or two server instances, while instances are killed with
// SIGKILL (at random and at the worst named moments), ECPay's notifications are dropped,
// duplicated, delayed and reordered, Shopify fails 20% of calls, and the database is locked or
// has its connections cut. Then the invariants (invariants.ts) are checked and a report written.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PrismaClient } from "@prisma/client";
import { EcpayGateway } from "~/ecpay/ecpay-gateway";
import { PUBLIC_STAGE_MERCHANT } from "~/ecpay/public-stage-merchant";
import { createSecretBox } from "~/lib/secrets.server";
import { BusyTimeoutPrismaLibSQL } from "~/lib/sqlite-adapter.server";
import { seedShop } from "~/ops/seed-shop.server";
import { METHOD_HANDLES } from "~/payments/methods";
import { startEcpayEmulator, type EcpayEmulator, type NotificationFaultRule } from "../emulators/ecpay";
import { startShopifySimulator } from "../simulators/shopify";
import { cloneDatabase } from "../support/database";
import { preparedPrismaFor } from "../support/db-client";
import { freePort } from "../support/free-port";
import { PRODUCTION_MERCHANT, SHOP, tokenFor } from "../support/payment-stack";
import { TEST_ENCRYPTION_KEY, testAppEnv } from "../support/test-env";
import { createDbFaults, isPostgresUrl, type DbFaultStats } from "./db-faults";
import { ServerFleet, type FleetStats } from "./fleet";
import { checkInvariants, type InvariantResult, type ShopifyCall } from "./invariants";
import { startProxy, type Fault } from "./proxy";
import { createRng, sleep, type Rng } from "./rng";
import { driveCheckout, planCheckout, type CheckoutRecord } from "./scenario";

export interface ChaosOptions {
  checkouts: number;
  seed: number;
  /** A migrated template database (SQLite file: URL or PostgreSQL URL) to clone. */
  templateUrl: string;
  /** Server instances behind the balancer (default: 2 on PostgreSQL, 1 on SQLite). */
  instances?: number;
  concurrency?: number;
  /** Random kill -9 of an instance every this many ms (± 50 %); 0 disables. */
  killEveryMs?: number;
  /** Probability of a self-kill at each named point (CHAOS_KILL_POINTS). */
  killPointProbability?: number;
  /** Share of Shopify calls that fail (500 / timeout / throttle). */
  shopifyFaultRate?: number;
  /** A database fault every this many ms (± 50 %); 0 disables. */
  dbFaultEveryMs?: number;
  log?: (line: string) => void;
  /** Keep the database and write the servers' output here (debugging a failed run). */
  debugDir?: string;
}

export interface ChaosReport {
  ok: boolean;
  startedAt: string;
  durationMs: number;
  database: "sqlite" | "postgres";
  instances: number;
  seed: number;
  checkouts: Record<string, number>;
  operations: Record<string, number>;
  faults: {
    server: Omit<FleetStats, "selfKillSubjects">;
    notifications: Record<string, number>;
    shopify: Record<string, number>;
    database: DbFaultStats;
  };
  serverErrors: { status5xx: number; examples: string[] };
  /** Per phase of a checkout: median and 95th percentile in ms. */
  timings: Record<string, { p50: number; p95: number; max: number }>;
  invariants: InvariantResult[];
  /** Checkouts whose driver saw something unexpected (details; the invariants decide pass/fail). */
  driverNotes: string[];
}

const KILL_POINTS = ["session-stored", "notification-recorded", "outbox-claimed", "outbox-delivered", "operation-done-at-ecpay"];
const SHOPIFY_TIMEOUT_MS = 1_500;

function pickShopifyFault(rng: Rng, rate: number): Fault {
  if (!rng.chance(rate)) return { kind: "pass" };
  const roll = rng.next();
  if (roll < 0.3) return { kind: "error", status: 500, after: false };
  if (roll < 0.5) return { kind: "error", status: 500, after: true };
  if (roll < 0.65) return { kind: "hang", ms: SHOPIFY_TIMEOUT_MS + 1_000, after: false };
  if (roll < 0.8) return { kind: "hang", ms: SHOPIFY_TIMEOUT_MS + 1_000, after: true };
  return { kind: "throttle", retryAfterSeconds: 1 };
}

function pickNotificationFault(rng: Rng): NotificationFaultRule | null {
  const roll = rng.next();
  if (roll < 0.4) return null;
  if (roll < 0.6) return { duplicate: true };
  if (roll < 0.75) return { drop: 1 + rng.int(3) };
  if (roll < 0.9) return { delayMs: 300 + rng.int(2_200) };
  return { duplicate: true, delayMs: 200 + rng.int(1_000) };
}

const MUTATION_NAME = /\b((?:payment|refund|capture|void)Session(?:Resolve|Reject|Pending)|paymentsAppConfigure)\b/g;

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const rng = createRng(options.seed);
  const faultRng = createRng(options.seed ^ 0x5eed);
  const startedAt = new Date();
  const postgres = isPostgresUrl(options.templateUrl);
  const instanceCount = options.instances ?? (postgres ? 2 : 1);
  const db = await cloneDatabase(options.templateUrl);
  // SQLite: the same busy-timeout adapter as the server, so the driver's writes wait for a lock.
  const prisma: PrismaClient = postgres ? await preparedPrismaFor(db.url) : new PrismaClient({ adapter: new BusyTimeoutPrismaLibSQL({ url: db.url }) });
  const cleanups: Array<() => Promise<unknown>> = [async () => (options.debugDir ? log(`chaos: database kept: ${db.url}`) : db.drop()), async () => prisma.$disconnect()];
  try {
    // ---- the world: ECPay, Shopify (behind the fault proxy), the balancer, the instances
    const ports = await Promise.all(Array.from({ length: instanceCount }, () => freePort()));
    let fleet: ServerFleet | null = null;
    const appStatus5xx: string[] = [];
    const balancer = await startProxy({
      upstreams: () => fleet?.liveOrigins() ?? [],
      onExchange: (exchange) => {
        if (exchange.upstreamStatus !== null && exchange.upstreamStatus >= 500 && exchange.upstreamStatus !== 503) {
          appStatus5xx.push(`${exchange.upstreamStatus} ${exchange.request.method} ${exchange.request.path}: ${(exchange.upstreamBody ?? "").slice(0, 200)}`);
        }
      },
    });
    cleanups.unshift(() => balancer.close());
    const notifications = { notifyRetryIntervalMs: 250, notifyMaxAttempts: 80, notifyTimeoutMs: 5_000 };
    const stage = await startEcpayEmulator({ environment: "stage", ...notifications });
    const production = await startEcpayEmulator({ environment: "production", merchants: [PRODUCTION_MERCHANT], ...notifications });
    cleanups.unshift(async () => Promise.all([stage.close(), production.close()]));
    const shopify = await startShopifySimulator({ appOrigin: balancer.origin, requestRetries: 40, retryDelayMs: 500, requestTimeoutMs: 8_000 });
    cleanups.unshift(() => shopify.close());
    shopify.addShop(SHOP, Object.fromEntries(METHOD_HANDLES.map((m) => [m, tokenFor(m)])));

    let shopifyFaultRate = options.shopifyFaultRate ?? 0.2;
    const calls: ShopifyCall[] = [];
    const shopifyCounts: Record<string, number> = { calls: 0, passed: 0, error500: 0, error500AfterProcessing: 0, timeout: 0, timeoutAfterProcessing: 0, throttled: 0 };
    const shopifyProxy = await startProxy({
      upstreams: () => [shopify.origin],
      decide: (request) => (request.path.includes("/graphql.json") ? pickShopifyFault(faultRng, shopifyFaultRate) : { kind: "pass" }),
      onExchange: (exchange) => {
        if (!exchange.request.path.includes("/graphql.json")) return;
        const text = exchange.request.body.toString("utf8");
        let id: string | null = null;
        try {
          const parsed = JSON.parse(text) as { variables?: { id?: unknown } };
          id = typeof parsed.variables?.id === "string" ? parsed.variables.id : null;
        } catch {
          id = null;
        }
        const fault = exchange.fault;
        shopifyCounts.calls! += 1;
        const key =
          fault.kind === "pass" ? "passed" : fault.kind === "error" ? (fault.after ? "error500AfterProcessing" : "error500") : fault.kind === "hang" ? (fault.after ? "timeoutAfterProcessing" : "timeout") : "throttled";
        shopifyCounts[key] = (shopifyCounts[key] ?? 0) + 1;
        calls.push({
          mutations: [...new Set([...text.matchAll(MUTATION_NAME)].map((m) => m[1]!))],
          id,
          fault: fault.kind,
          forwarded: exchange.forwarded,
          cleanSuccess: fault.kind === "pass" && exchange.status === 200 && !(exchange.upstreamBody ?? "").includes('"userErrors":[{'),
          startedAt: exchange.startedAt,
          endedAt: exchange.endedAt,
        });
      },
    });
    cleanups.unshift(() => shopifyProxy.close());

    const box = createSecretBox({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
    for (const method of METHOD_HANDLES) {
      await seedShop(prisma, box, {
        method,
        shop: SHOP,
        accessToken: tokenFor(method),
        merchantId: PRODUCTION_MERCHANT.merchantId,
        hashKey: PRODUCTION_MERCHANT.hashKey,
        hashIv: PRODUCTION_MERCHANT.hashIv,
        creditCheckCode: PRODUCTION_MERCHANT.creditCheckCode,
        ready: true,
      });
    }
    // About 4 + N/50 self-kills in a run: each costs a restart (several seconds on a busy machine).
    const probability = options.killPointProbability ?? Math.min(0.02, (4 + options.checkouts / 50) / (6 * options.checkouts));
    const env = testAppEnv({
      DATABASE_URL: db.url,
      SHOPIFY_APP_URL: balancer.origin,
      ECPAY_STAGE_ORIGIN: stage.origin,
      ECPAY_PRODUCTION_ORIGIN: production.origin,
      SHOPIFY_PAYMENTS_API_ORIGIN: shopifyProxy.origin,
      WORKER_TICK_MS: "150",
      OUTBOX_BACKOFF_BASE_MS: "100",
      SHOPIFY_API_TIMEOUT_MS: String(SHOPIFY_TIMEOUT_MS),
      RECONCILE_INTERVAL_MS: "500",
      RECONCILE_GRACE_MS: "6000",
      DATABASE_POOL_SIZE: "5",
      ...(probability > 0 ? { CHAOS_KILL_POINTS: KILL_POINTS.map((p) => `${p}=${probability}`).join(",") } : {}),
    });
    fleet = new ServerFleet(env, ports);
    const activeFleet = fleet;
    cleanups.unshift(() => activeFleet.stop());
    await fleet.start();
    log(`chaos: ${instanceCount} instance(s) on ${postgres ? "PostgreSQL" : "SQLite"}, ${options.checkouts} checkouts, seed ${options.seed}`);

    // ---- the chaos loops
    let chaosOn = true;
    const loops: Promise<void>[] = [];
    const every = (meanMs: number, action: () => Promise<void> | void) => {
      if (meanMs <= 0) return;
      loops.push(
        (async () => {
          while (chaosOn) {
            await sleep(meanMs * (0.5 + faultRng.next()));
            if (chaosOn) await action();
          }
        })(),
      );
    };
    every(options.killEveryMs ?? (options.checkouts > 300 ? 40_000 : 25_000), () => activeFleet.kill(faultRng.int(instanceCount)));
    const held = new Set<EcpayEmulator>();
    const notificationCounts: Record<string, number> = { rulesApplied: 0 };
    every(700, () => {
      for (const emulator of [stage, production]) {
        if (held.has(emulator)) continue;
        const rule = pickNotificationFault(faultRng);
        emulator.setNotificationFault(rule);
        notificationCounts.rulesApplied! += 1;
      }
    });
    const dbFaults = createDbFaults(db.url, prisma);
    every(options.dbFaultEveryMs ?? 5_000, () => dbFaults.inject(postgres ? faultRng.pick(["restart", "lock"] as const) : "lock", 300 + faultRng.int(1_200)));

    // ---- the checkouts
    const records: CheckoutRecord[] = [];
    const plans = Array.from({ length: options.checkouts }, (_, i) => planCheckout(rng, i));
    const ctx = {
      shopify,
      stage,
      production,
      waitMs: 180_000,
      async expireAtmDeadline(paymentId: string) {
        for (let i = 0; i < 50; i += 1) {
          try {
            await prisma.paymentSession.update({ where: { id: paymentId }, data: { pendingExpiresAt: new Date(Date.now() - 60_000) } });
            return;
          } catch {
            await sleep(200);
          }
        }
      },
      async withNotificationDelay<T>(emulator: EcpayEmulator, ms: number, run: () => Promise<T>) {
        held.add(emulator);
        emulator.setNotificationFault({ delayMs: ms });
        try {
          return await run();
        } finally {
          emulator.setNotificationFault(null);
          held.delete(emulator);
        }
      },
    };
    let next = 0;
    let finished = 0;
    const concurrency = options.concurrency ?? 8;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < plans.length) {
          const plan = plans[next++]!;
          try {
            records.push(await driveCheckout(ctx, plan));
          } catch (error) {
            records.push({ plan, paymentId: null, gid: null, merchantTradeNos: [], stage: "start-failed", shopifyFinal: null, operations: [], errors: [String(error)], timings: {} });
          }
          finished += 1;
          if (finished % Math.max(1, Math.floor(plans.length / 10)) === 0) {
            log(`chaos: ${finished}/${plans.length} checkouts, ${activeFleet.stats.externalKills} kills + ${Object.values(activeFleet.stats.selfKills).reduce((a, b) => a + b, 0)} self-kills`);
          }
        }
      }),
    );

    // ---- quiesce: stop injecting, let every retry finish
    chaosOn = false;
    await Promise.all(loops);
    shopifyFaultRate = 0;
    stage.setNotificationFault(null);
    production.setNotificationFault(null);
    await fleet.whenAllReady();
    log("chaos: faults off, waiting for the system to settle");
    const settleDeadline = Date.now() + 180_000;
    for (;;) {
      await Promise.all([stage.whenNotificationsSettled(), production.whenNotificationsSettled()]);
      const [outboxLeft, operationsLeft, closesLeft] = await Promise.all([
        prisma.outboxMessage.count({ where: { status: "PENDING" } }),
        prisma.operationSession.count({ where: { status: "RECEIVED" } }),
        prisma.paymentAttempt.count({ where: { closePending: true } }),
      ]);
      if (outboxLeft + operationsLeft + closesLeft === 0) break;
      if (Date.now() > settleDeadline) {
        log(`chaos: still busy after 3 minutes: outbox ${outboxLeft}, operations ${operationsLeft}, closes ${closesLeft}`);
        break;
      }
      await sleep(500);
    }

    // ---- invariants
    const gateway = EcpayGateway.create({ stageOrigin: stage.origin, productionOrigin: production.origin });
    const invariants = await checkInvariants({
      prisma,
      records,
      stage,
      production,
      shopify,
      calls,
      gateway,
      credentials: {
        production: { merchantId: PRODUCTION_MERCHANT.merchantId, hashKey: PRODUCTION_MERCHANT.hashKey, hashIv: PRODUCTION_MERCHANT.hashIv, environment: "production" },
        stage: { ...PUBLIC_STAGE_MERCHANT, environment: "stage" },
      },
    });
    const crashes: InvariantResult = {
      name: "no-unexplained-server-exits",
      checked: fleet.stats.restarts,
      violations: fleet.stats.crashes,
      examples: fleet.output.filter((line) => line.startsWith("fleet:")).slice(0, 10),
    };
    invariants.push(crashes);

    // ---- counts
    const count = (pred: (r: CheckoutRecord) => boolean) => records.filter(pred).length;
    const methodCounts = Object.fromEntries(METHOD_HANDLES.map((m) => [`method:${m}`, count((r) => r.plan.method === m)]));
    const allNotifications = [...stage.notificationLog(), ...production.notificationLog()];
    const reordered = countReorderedAtm(allNotifications);
    const operations: Record<string, number> = {};
    for (const record of records) {
      for (const op of record.operations) {
        const key = `${op.step.type}:${op.shopifyStatus}`;
        operations[key] = (operations[key] ?? 0) + 1;
      }
    }
    const { selfKillSubjects: _subjects, ...serverStats } = fleet.stats;
    if (options.debugDir) {
      mkdirSync(options.debugDir, { recursive: true });
      writeFileSync(path.join(options.debugDir, "server.log"), `${fleet.output.join("\n")}\n`);
      writeFileSync(path.join(options.debugDir, "shopify-calls.json"), JSON.stringify(calls, null, 1));
    }
    const report: ChaosReport = {
      ok: invariants.every((i) => i.violations === 0),
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      database: postgres ? "postgres" : "sqlite",
      instances: instanceCount,
      seed: options.seed,
      checkouts: {
        planned: plans.length,
        sessionsStored: await prisma.paymentSession.count(),
        shopifyGaveUpStarting: count((r) => r.stage === "start-failed"),
        handOffFailed: count((r) => r.stage === "handoff-failed"),
        sale: count((r) => r.plan.kind === "sale"),
        authorization: count((r) => r.plan.kind === "authorization"),
        testMode: count((r) => r.plan.test),
        paidAndResolved: count((r) => r.plan.outcome === "pay" && r.shopifyFinal === "paymentSessionResolve"),
        cancelledAtEcpay: count((r) => r.plan.outcome === "cancel"),
        abandoned: count((r) => r.plan.outcome === "abandon"),
        atmExpiredAndRejected: count((r) => r.plan.outcome === "atm-expire" && r.shopifyFinal === "paymentSessionReject"),
        ...methodCounts,
      },
      operations,
      faults: {
        server: serverStats,
        notifications: {
          ...notificationCounts,
          posts: allNotifications.filter((n) => !n.dropped).length,
          dropped: allNotifications.filter((n) => n.dropped).length,
          duplicated: allNotifications.filter((n) => n.duplicate).length,
          acknowledged: allNotifications.filter((n) => n.acknowledged).length,
          unanswered: allNotifications.filter((n) => !n.dropped && n.status === null).length,
          atmReordered: reordered,
        },
        shopify: shopifyCounts,
        database: dbFaults.stats,
      },
      serverErrors: { status5xx: appStatus5xx.length, examples: appStatus5xx.slice(0, 10) },
      timings: percentiles(records),
      invariants,
      driverNotes: records.filter((r) => r.errors.length > 0).slice(0, 20).map((r) => `#${r.plan.index} ${r.plan.method} ${r.paymentId ?? ""}: ${r.errors.join("; ")}`),
    };
    return report;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

function percentiles(records: CheckoutRecord[]): ChaosReport["timings"] {
  const phases = new Map<string, number[]>();
  for (const record of records) {
    for (const [phase, ms] of Object.entries(record.timings)) phases.set(phase, [...(phases.get(phase) ?? []), ms]);
  }
  const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return Object.fromEntries(
    [...phases].map(([phase, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return [phase, { p50: at(sorted, 0.5), p95: at(sorted, 0.95), max: sorted[sorted.length - 1]! }];
    }),
  );
}

/** ATM trades whose paid ReturnURL reached us before the account's PaymentInfoURL. */
function countReorderedAtm(entries: ReturnType<EcpayEmulator["notificationLog"]>): number {
  const first = new Map<string, { info?: string; paid?: string }>();
  for (const entry of entries) {
    if (entry.dropped) continue;
    const slot = first.get(entry.merchantTradeNo) ?? {};
    if (entry.kind === "payment-info") slot.info ??= entry.sentAt;
    else slot.paid ??= entry.sentAt;
    first.set(entry.merchantTradeNo, slot);
  }
  return [...first.values()].filter((s) => s.info && s.paid && s.paid < s.info).length;
}

export function writeReport(report: object, dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

export function summarize(report: ChaosReport): string {
  const lines = [
    `chaos ${report.ok ? "PASSED" : "FAILED"}: ${report.database}, ${report.instances} instance(s), seed ${report.seed}, ${(report.durationMs / 1000).toFixed(0)} s`,
    `checkouts: ${Object.entries(report.checkouts).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `operations: ${Object.entries(report.operations).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `server: kill -9 ${report.faults.server.externalKills}, self-kills ${JSON.stringify(report.faults.server.selfKills)}, restarts ${report.faults.server.restarts}, crashes ${report.faults.server.crashes}`,
    `ECPay notifications: ${Object.entries(report.faults.notifications).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `Shopify calls: ${Object.entries(report.faults.shopify).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `database faults: ${Object.entries(report.faults.database).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `server 5xx answers: ${report.serverErrors.status5xx}`,
    `timings (ms): ${Object.entries(report.timings).map(([k, v]) => `${k} p50 ${v.p50} p95 ${v.p95} max ${v.max}`).join(", ")}`,
    ...report.invariants.map((i) => `${i.violations === 0 ? "ok  " : "FAIL"} ${i.name}: ${i.checked} checked, ${i.violations} violations${i.examples.length ? `\n       ${i.examples.join("\n       ")}` : ""}`),
  ];
  return lines.join("\n");
}
