// Profile one endpoint of the built server (bench/PROFILE.md): the bench's database and env, the
// server under `node --cpu-prof`, autocannon from another process, then the profile's self time
// summed per function and per layer (Express, our server.ts middleware, Remix, our app, Node).
//   npx tsx bench/profile.ts [bare|session|notification] [seconds]
//   npx tsx bench/profile.ts analyze <file.cpuprofile>
//   npx tsx bench/profile.ts compare <a/build/server.js> <b/build/server.js> [endpoint] [seconds] [rounds]:
//     both builds at once on one database, measured in alternating rounds (the machine is shared).
//   npx tsx bench/profile.ts memory [seconds] [node flags…]: the server's process.memoryUsage() (V8 heap,
//     external, array buffers) sampled every 500 ms through bare, session and notification load in turn.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createSecretBox } from "../app/lib/secrets.server";
import { seedShop } from "../app/ops/seed-shop.server";
import { freePort } from "../tests/support/free-port";
import { testAppEnv, TEST_ENCRYPTION_KEY } from "../tests/support/test-env";
import { createBenchDatabase, insertTradePool } from "./database";
import { runLoad } from "./load";
import { startBenchServer } from "./server";
import { BENCH_MERCHANT, BENCH_METHOD, BENCH_SHOP, type Endpoint } from "./traffic";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Which layer a frame belongs to, by its script. */
function layer(url: string, name: string): string {
  if (!url) return name === "(garbage collector)" ? "GC" : name === "(idle)" || name === "(program)" ? name : "native";
  if (/node_modules\/express\/|node_modules\/(router|body-parser|send|serve-static|finalhandler|on-finished|parseurl)\//.test(url)) return "express";
  if (/@remix-run\/(server-runtime|router)\//.test(url)) return "remix server-runtime";
  if (/@remix-run\/(express|node)\//.test(url)) return "remix express/node adapter";
  if (/node_modules\/(react|react-dom)\//.test(url)) return "react";
  if (/node_modules\/(undici|@remix-run\/web-)/.test(url)) return "undici/web streams";
  if (/node_modules\/(@prisma|\.prisma|@libsql|libsql|pg)/.test(url)) return "prisma/driver";
  if (/node_modules\/(pino|prom-client)/.test(url)) return "logging/metrics";
  if (/build\/server\.js$/.test(url)) return "our server.ts";
  if (/build\/server\/index\.js$/.test(url)) return "our app (Remix build)";
  if (/^node:|^internal\//.test(url)) return "node core";
  if (/node_modules\//.test(url)) return `other: ${/node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? url}`;
  return url;
}

export function analyze(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.entries()].filter(([id]) => !["(idle)"].includes(byId.get(id)!.callFrame.functionName)).reduce((a, [, t]) => a + t, 0);
  const perFunction = new Map<string, number>();
  const perLayer = new Map<string, number>();
  for (const [id, t] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") continue;
    const where = url ? `${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/build\//, "build/")}:${lineNumber + 1}` : "";
    const key = `${functionName || "(anonymous)"} ${where}`;
    perFunction.set(key, (perFunction.get(key) ?? 0) + t);
    const l = layer(url, functionName);
    perLayer.set(l, (perLayer.get(l) ?? 0) + t);
  }
  // Inclusive time (a function and everything it called), once per stack even when it recurses.
  const inclusive = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/build\//, "build/")}:${n.callFrame.lineNumber + 1}`;
  for (const [id, t] of self) {
    if (byId.get(id)!.callFrame.functionName === "(idle)") continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = keyOf(byId.get(at)!);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + t);
    }
  }
  const pct = (t: number) => `${((t / total) * 100).toFixed(1)}%`;
  const lines = [`busy ${(total / 1e6).toFixed(2)} s of samples (idle excluded)`, "", "| layer | self time |", "|---|---|"];
  for (const [l, t] of [...perLayer].sort((a, b) => b[1] - a[1])) lines.push(`| ${l} | ${pct(t)} |`);
  lines.push("", "| function | self time |", "|---|---|");
  for (const [f, t] of [...perFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`| \`${f}\` | ${pct(t)} |`);
  lines.push("", "| function (JavaScript, with what it called) | inclusive time |", "|---|---|");
  const interesting = [...inclusive].filter(([f]) => /\.js:\d+$/.test(f) && !/^\(root\)/.test(f)).sort((a, b) => b[1] - a[1]);
  for (const [f, t] of interesting.slice(0, top + 15)) lines.push(`| \`${f}\` | ${pct(t)} |`);
  return lines.join("\n");
}

interface MemorySample {
  t: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** The MerchantTradeNo prefix of the trades benchServerEnv stores for notifications to settle. */
const TRADE_POOL_PREFIX = "PRF";

async function benchServerEnv(endpoint: Endpoint | "all") {
  const db = await createBenchDatabase(process.env.DATABASE_URL?.startsWith("postgres") ? "postgres" : "sqlite");
  const box = createSecretBox({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
  await seedShop(db.prisma, box, { method: BENCH_METHOD, shop: BENCH_SHOP, accessToken: "shpat_profile", ...BENCH_MERCHANT, ready: true });
  if (endpoint === "notification" || endpoint === "all") await insertTradePool(db, TRADE_POOL_PREFIX, 60_000);
  const port = await freePort();
  const env = testAppEnv({
    DATABASE_URL: db.url,
    SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
    ECPAY_STAGE_ORIGIN: "http://127.0.0.1:9",
    ECPAY_PRODUCTION_ORIGIN: "http://127.0.0.1:9",
    DISABLE_WORKERS: "1",
  });
  return { db, port, env };
}

async function memoryRun(seconds: number, nodeArgs: string[]) {
  const { db, port, env } = await benchServerEnv("all");
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "ecpay-memory-")), "memory.jsonl");
  try {
    const server = await startBenchServer({ ...env, MEMLOG_FILE: file }, port, ["--import", pathToFileURL(path.resolve("bench/memlog.mjs")).href, ...nodeArgs]);
    const phases: { name: string; from: number; to: number; rps: number }[] = [];
    let offset = 0;
    for (const endpoint of ["bare", "session", "notification"] as const) {
      const from = Date.now();
      const result = await runLoad({ origin: server.origin, endpoint, connections: 20, durationSec: seconds, idPrefix: `PRF${endpoint[0]}`, poolPrefix: TRADE_POOL_PREFIX, offset, available: 60_000 - offset });
      if (endpoint === "notification") offset += result.idsUsed;
      phases.push({ name: endpoint, from, to: Date.now(), rps: result.rps });
    }
    const peak = await server.stop();
    const samples = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as MemorySample);
    console.info(`node flags: ${nodeArgs.join(" ") || "(none)"}; peak RSS (VmHWM) ${peak} MB`);
    console.info("| phase | req/s | RSS max | heapTotal max | heapUsed max | external max | arrayBuffers max |\n|---|---|---|---|---|---|---|");
    for (const phase of phases) {
      const inPhase = samples.filter((s) => s.t >= phase.from && s.t <= phase.to);
      const max = (k: keyof MemorySample) => Math.max(...inPhase.map((s) => s[k]));
      console.info(`| ${phase.name} | ${phase.rps} | ${max("rss")} | ${max("heapTotal")} | ${max("heapUsed")} | ${max("external")} | ${max("arrayBuffers")} |`);
    }
  } finally {
    await db.drop();
  }
}

async function compareBuilds(a: string, b: string, endpoint: Endpoint, seconds: number, rounds: number) {
  const { db, port, env } = await benchServerEnv(endpoint);
  const otherPort = await freePort();
  try {
    const servers = [
      // PROFILE_A_NODE_ARGS / PROFILE_B_NODE_ARGS: node flags for one side (e.g. the same build with a heap cap).
      await startBenchServer(env, port, (process.env.PROFILE_A_NODE_ARGS ?? "").split(" ").filter(Boolean), path.resolve(a)),
      await startBenchServer({ ...env, SHOPIFY_APP_URL: `http://127.0.0.1:${otherPort}` }, otherPort, (process.env.PROFILE_B_NODE_ARGS ?? "").split(" ").filter(Boolean), path.resolve(b)),
    ];
    const rps: number[][] = [[], []];
    // CPU per request as well: with other work on the machine, throughput alone is mostly noise.
    const cpuUs: number[][] = [[], []];
    let offset = 0;
    for (let round = 0; round <= rounds; round++) {
      for (const [i, server] of servers.entries()) {
        const cpuBefore = server.cpuSeconds();
        const result = await runLoad({ origin: server.origin, endpoint, connections: 20, durationSec: round === 0 ? 2 : seconds, idPrefix: `PRC${round}x${i}x`, poolPrefix: TRADE_POOL_PREFIX, offset, available: 60_000 - offset });
        if (round > 0) cpuUs[i]!.push(Math.round(((server.cpuSeconds() - cpuBefore) * 1e6) / Math.max(1, result.requests)));
        if (endpoint === "notification") offset += result.idsUsed;
        if (result.rejected > 0) throw new Error(`${endpoint} rejected: ${result.firstRejection}`);
        if (round > 0) rps[i]!.push(result.rps);
      }
    }
    for (const server of servers) await server.stop();
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    console.info(`${endpoint}, ${rounds} alternating rounds of ${seconds} s, 20 connections`);
    console.info(`A ${a}: ${rps[0]!.join(", ")} req/s (median ${median(rps[0]!)})`);
    console.info(`B ${b}: ${rps[1]!.join(", ")} req/s (median ${median(rps[1]!)})`);
    console.info(`B / A = ${(median(rps[1]!) / median(rps[0]!)).toFixed(2)}`);
    console.info(`server CPU per request: A ${cpuUs[0]!.join(", ")} µs (median ${median(cpuUs[0]!)}), B ${cpuUs[1]!.join(", ")} µs (median ${median(cpuUs[1]!)}); B / A = ${(median(cpuUs[1]!) / median(cpuUs[0]!)).toFixed(2)}`);
  } finally {
    await db.drop();
  }
}

async function profileEndpoint(endpoint: Endpoint, seconds: number) {
  const { db, port, env } = await benchServerEnv(endpoint);
  const dir = mkdtempSync(path.join(os.tmpdir(), "ecpay-profile-"));
  try {
    const poolPrefix = TRADE_POOL_PREFIX;
    const server = await startBenchServer(env, port, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
    await runLoad({ origin: server.origin, endpoint, connections: 20, durationSec: 2, idPrefix: "PRFw", poolPrefix, offset: 0, available: 30_000 });
    const result = await runLoad({ origin: server.origin, endpoint, connections: 20, durationSec: seconds, idPrefix: "PRFm", poolPrefix, offset: 30_000, available: 30_000 });
    console.info(`${endpoint}: ${result.rps} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms (ok ${result.ok}, rejected ${result.rejected})`);
    await server.stop();
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error("the server wrote no profile");
    console.info(`profile: ${path.join(dir, file)}\n`);
    console.info(analyze(path.join(dir, file)));
  } finally {
    await db.drop();
  }
}

const [first, second, ...rest] = process.argv.slice(2);
if (first === "analyze" && second) console.info(analyze(second));
else if (first === "compare" && second && rest[0]) await compareBuilds(second, rest[0], (rest[1] ?? "bare") as Endpoint, Number(rest[2] ?? 5), Number(rest[3] ?? 3));
else if (first === "memory") await memoryRun(Number(second ?? 10), rest);
else await profileEndpoint((first ?? "bare") as Endpoint, Number(second ?? 10));
