// What a bench run produced, judged against issue 8's targets, as JSON and as a Markdown table.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { BenchDatabase } from "./database";
import type { BenchOptions } from "./run";
import type { QueryCost } from "./query-cost";
import type { Endpoint } from "./traffic";
import type { LoadResult } from "./types";

export type Round = Record<Endpoint, LoadResult>;

export interface Target {
  name: string;
  goal: string;
  value: string;
  met: boolean;
}

export interface Versions {
  node: string;
  database: string;
  prisma: string;
  remix: string;
  express: string;
  autocannon: string;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  os: string;
  /** 1, 5 and 15-minute load averages when the run started and ended. */
  loadAverage: { atStart: number[]; atEnd: number[] };
}

interface Summary {
  rps: number;
  p50: number;
  p99: number;
}

export interface OutboxResult {
  queued: number;
  delivered: number;
  failed: number;
  pending: number;
  seconds: number;
  perSecond: number;
  simulatorResolves: number;
  /** Server and simulator CPU per delivered row (ms): what the outbox costs, whatever else ran on the machine. */
  cpuMsPerDelivery?: { server: number; simulator: number };
  note: string;
}

export interface BenchResult {
  date: string;
  db: BenchDatabase["kind"];
  smoke: boolean;
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  versions: Versions;
  settings: Omit<BenchOptions, "log" | "postgresAdminUrl">;
  workers: string;
  throughput: {
    rounds: Round[];
    /** Median over the rounds. */
    median: Record<Endpoint, Summary>;
    /** Median requests/s relative to the bare route's, same run. */
    ratio: { session: number; notification: number };
  };
  fixedRate: { rate: number; session: LoadResult; notification: LoadResult };
  checks: Record<string, number>;
  outbox: OutboxResult;
  history: {
    rows: number;
    insertSeconds: number;
    totalSessions: number;
    sessionAtRate: LoadResult;
    p99Baseline: number;
    p99: number;
    /** p99 with the history / p99 without it. */
    p99Ratio: number;
  };
  rss: { peakMb: number; byPhaseMb: Record<string, number> };
  /** Mean SQL statements per request (BEGIN/COMMIT included), counted at the driver by the server. */
  statements: StatementCounts;
  /** One query's cost through Prisma's client engine, raw through Prisma and through the driver. */
  queryCost?: QueryCost[];
  targets: Target[];
}

function packageVersion(name: string): string {
  try {
    const file = path.resolve("node_modules", name, "package.json");
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export async function collectVersions(db: BenchDatabase): Promise<Versions> {
  const rows =
    db.kind === "postgres"
      ? await db.prisma.$queryRawUnsafe<{ v: string }[]>("SHOW server_version")
      : await db.prisma.$queryRawUnsafe<{ v: string }[]>("SELECT sqlite_version() AS v");
  const raw = rows[0] ? Object.values(rows[0])[0] : "unknown";
  return {
    node: process.version,
    database: `${db.kind === "postgres" ? "PostgreSQL" : "SQLite (libsql)"} ${String(raw).split(" ")[0]}`,
    prisma: packageVersion("@prisma/client"),
    remix: packageVersion("@remix-run/node"),
    express: packageVersion("express"),
    autocannon: packageVersion("autocannon"),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

export function summarize(input: {
  options: BenchOptions;
  startedAt: Date;
  finishedAt: Date;
  machine: Machine;
  versions: Versions;
  rounds: Round[];
  sessionAtRate: LoadResult;
  notificationAtRate: LoadResult;
  checks: Record<string, number>;
  outbox: OutboxResult;
  history: { rows: number; insertSeconds: number; totalSessions: number; sessionAtRate: LoadResult };
  rss: Record<string, number>;
  statements: StatementCounts;
}): BenchResult {
  const { options, rounds } = input;
  const med = (endpoint: Endpoint): Summary => ({
    rps: round2(median(rounds.map((r) => r[endpoint].rps))),
    p50: median(rounds.map((r) => r[endpoint].latencyMs.p50)),
    p99: median(rounds.map((r) => r[endpoint].latencyMs.p99)),
  });
  const medians = { bare: med("bare"), session: med("session"), notification: med("notification") };
  const ratio = {
    session: round2(medians.session.rps / medians.bare.rps),
    notification: round2(medians.notification.rps / medians.bare.rps),
  };
  const p99Baseline = input.sessionAtRate.latencyMs.p99;
  const p99 = input.history.sessionAtRate.latencyMs.p99;
  const p99Ratio = round2(p99 / Math.max(p99Baseline, 0.001));
  const peakMb = Math.max(...Object.values(input.rss));
  const rate = options.rate;
  const { log: _log, postgresAdminUrl: _admin, ...settings } = options;

  const targets: Target[] = [
    { name: "session throughput / bare route", goal: "≥ 0.5", value: ratio.session.toFixed(2), met: ratio.session >= 0.5 },
    { name: "notification throughput / bare route", goal: "≥ 0.5", value: ratio.notification.toFixed(2), met: ratio.notification >= 0.5 },
    {
      name: `session p99 at ${rate} req/s`,
      goal: "< 50 ms",
      value: `${input.sessionAtRate.latencyMs.p99} ms`,
      met: input.sessionAtRate.latencyMs.p99 < 50,
    },
    {
      name: `notification p99 at ${rate} req/s`,
      goal: "< 50 ms",
      value: `${input.notificationAtRate.latencyMs.p99} ms`,
      met: input.notificationAtRate.latencyMs.p99 < 50,
    },
    {
      name: `outbox: ${input.outbox.queued} queued mutations delivered`,
      goal: "< 30 s",
      value: `${input.outbox.seconds} s`,
      met: input.outbox.pending === 0 && input.outbox.failed === 0 && input.outbox.seconds < 30,
    },
    { name: "peak RSS of the server", goal: "< 200 MB", value: `${peakMb} MB`, met: peakMb < 200 },
    {
      name: `session p99 at ${rate} req/s with ${input.history.rows} more transactions`,
      goal: "≤ 1.2× without",
      value: `${p99} ms (${p99Ratio}×)`,
      met: p99Ratio <= 1.2,
    },
    { name: "SQL statements per payment session", goal: "≤ 2", value: String(input.statements.session), met: input.statements.session <= 2 },
    {
      name: "SQL statements per ECPay notification that read or write (BEGIN/COMMIT apart)",
      goal: "≤ 5",
      value: statementWords(input.statements, "notification"),
      met: readsAndWrites(input.statements, "notification") <= 5,
    },
  ];

  return {
    date: input.startedAt.toISOString().slice(0, 10),
    db: options.db,
    smoke: options.smoke,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    machine: input.machine,
    versions: input.versions,
    settings,
    workers:
      "DISABLE_WORKERS=1 for the HTTP measurements (the queued resolves wait in the outbox); the outbox is measured separately with workers on",
    throughput: { rounds, median: medians, ratio },
    fixedRate: { rate, session: input.sessionAtRate, notification: input.notificationAtRate },
    checks: input.checks,
    outbox: input.outbox,
    history: { ...input.history, p99Baseline, p99, p99Ratio },
    rss: { peakMb, byPhaseMb: input.rss },
    statements: input.statements,
    targets,
  };
}

/** One column per result (e.g. SQLite, PostgreSQL) for the README. */
export function markdownTable(results: BenchResult[]): string {
  const names = results.map((r) => (r.db === "postgres" ? "PostgreSQL" : "SQLite"));
  const row = (label: string, goal: string, cell: (r: BenchResult) => string) => `| ${label} | ${goal} | ${results.map(cell).join(" | ")} |`;
  const mark = (r: BenchResult, index: number) => (r.targets[index]!.met ? "✅" : "❌");
  const lines = [
    `| | target | ${names.join(" | ")} |`,
    `|---|---|${names.map(() => "---").join("|")}|`,
    row("machine", "", (r) => `${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, ${r.machine.os}; load average ${r.machine.loadAverage.atStart[0]} at start, ${r.machine.loadAverage.atEnd[0]} at end`),
    row("versions", "", (r) => `Node ${r.versions.node}, ${r.versions.database}, Prisma ${r.versions.prisma}, Remix ${r.versions.remix}, Express ${r.versions.express}, autocannon ${r.versions.autocannon}`),
    row("run", "", (r) => `${r.date}, ${r.settings.connections} connections, ${r.settings.rounds} × ${r.settings.roundSec} s rounds after ${r.settings.warmupSec} s warm-up`),
    row("bare route `GET /healthz?shallow=1` (ceiling)", "", (r) => `${r.throughput.median.bare.rps.toFixed(0)} req/s, p50 ${r.throughput.median.bare.p50} / p99 ${r.throughput.median.bare.p99} ms`),
    row("payment session `POST /payments/credit/session`", "≥ 0.5× bare", (r) => `${r.throughput.median.session.rps.toFixed(0)} req/s (${r.throughput.ratio.session.toFixed(2)}×) ${mark(r, 0)}, p50 ${r.throughput.median.session.p50} / p99 ${r.throughput.median.session.p99} ms`),
    row("ECPay notification `POST /ecpay/credit/return`", "≥ 0.5× bare", (r) => `${r.throughput.median.notification.rps.toFixed(0)} req/s (${r.throughput.ratio.notification.toFixed(2)}×) ${mark(r, 1)}, p50 ${r.throughput.median.notification.p50} / p99 ${r.throughput.median.notification.p99} ms`),
    row("session p50 / p99 at 200 req/s", "p99 < 50 ms", (r) => `${r.fixedRate.session.latencyMs.p50} / ${r.fixedRate.session.latencyMs.p99} ms ${mark(r, 2)}`),
    row("notification p50 / p99 at 200 req/s", "p99 < 50 ms", (r) => `${r.fixedRate.notification.latencyMs.p50} / ${r.fixedRate.notification.latencyMs.p99} ms ${mark(r, 3)}`),
    row("outbox: 10,000 resolves into the Shopify simulator", "< 30 s", (r) => `${r.outbox.seconds} s (${r.outbox.perSecond}/s) ${mark(r, 4)}`),
    row("one indexed SELECT, CPU: Prisma model query / Prisma raw / driver / Kysely on Prisma's adapter", "", (r) =>
      r.queryCost ? r.queryCost.filter((c) => !/create/.test(c.name)).map((c) => `${c.cpuMs} ms`).join(" / ") : "not measured",
    ),
    row("peak RSS of the server process", "< 200 MB", (r) => `${r.rss.peakMb} MB ${mark(r, 5)}`),
    row("SQL statements per session / per notification that read or write (driver count)", "≤ 2 / ≤ 5", (r) =>
      r.statements ? `${r.statements.session} ${mark(r, 7)} / ${statementWords(r.statements, "notification")} ${mark(r, 8)}` : "not measured",
    ),
    row("session p50 / p99 at 200 req/s with 1,000,000 more transactions", "p99 ≤ 1.2× without", (r) => `${r.history.sessionAtRate.latencyMs.p50} / ${r.history.p99} ms (${r.history.p99Ratio}×) ${mark(r, 6)}`),
  ];
  return lines.join("\n");
}

/** Statements per request: all of them, and of those the transaction's BEGIN/COMMIT/ROLLBACK. */
export type StatementCounts = Record<"session" | "notification", number> & {
  /** Absent in results from before 2026-12-03, which counted only the total. */
  transactionControl?: Record<"session" | "notification", number>;
};

/** The statements that read or write: the total less BEGIN/COMMIT (the total, where they were not counted apart). */
export function readsAndWrites(counts: StatementCounts, endpoint: "session" | "notification"): number {
  return counts[endpoint] - (counts.transactionControl?.[endpoint] ?? 0);
}

function statementWords(counts: StatementCounts, endpoint: "session" | "notification"): string {
  const control = counts.transactionControl?.[endpoint];
  return control ? `${readsAndWrites(counts, endpoint)} (+ ${control} BEGIN/COMMIT = ${counts[endpoint]})` : String(counts[endpoint]);
}
