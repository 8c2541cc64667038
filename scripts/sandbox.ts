// npm run sandbox: the whole product on one machine, on embedded SQLite and loopback ports
// (DESIGN §6). Generates the SQLite Prisma client if needed, migrates the database, builds the
// server if the build is missing or stale, starts the ECPay emulator (stage and production), the
// Shopify checkout simulator and the built server, seeds the demo shop with all eight apps bound
// (on the first run only: later runs keep what the database holds), and prints one URL: the
// simulated store. Ctrl-C (SIGINT) or SIGTERM stops everything; the simulated Shopify's orders and
// the ECPay emulators' trades are saved next to the database (<database file>.store.json,
// .ecpay-stage.json, .ecpay-production.json) and restored on the next start.
//
// Env: PORT (the server, default 3000), SANDBOX_DATABASE_URL (default file:./prisma/dev.sqlite),
// SANDBOX_STORE_PORT, SANDBOX_ECPAY_STAGE_PORT, SANDBOX_ECPAY_PRODUCTION_PORT (default 0 = any free
// port), ENCRYPTION_KEY (default: a key kept next to the database), SANDBOX_VERBOSE=1 (echo the
// server's log; it is always written to <database file>.log).
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PrismaClient } from "@prisma/client";
import type { MethodHandle } from "../app/payments/methods";
import type { EcpayEmulator, EcpayEmulatorSnapshot } from "../tests/emulators/ecpay";
import { SimulatorError, type OrderView, type ShopifySimulator, type StateSnapshot } from "../tests/simulators/shopify";
import { prettyFactory } from "pino-pretty";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const HOST = "127.0.0.1";
/** ECPay resends an unacknowledged notification every 5–15 minutes; the sandbox does it every 5 s. */
const NOTIFY_RETRY_MS = 5_000;

/** Set in the process that does the work (see supervise()). */
const WORKER_FLAG = "SANDBOX_WORKER";

const say = (line: string) => console.info(`[sandbox] ${line}`);

/** Runs a tool quietly (its output is shown only when it fails); stopAll() ends it. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  running.tool = child;
  const output: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      running.tool = null;
      if (code === 0) return resolve();
      if (!stopping) process.stderr.write(Buffer.concat(output));
      reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? code})`));
    });
  });
}

interface Running {
  tool: ChildProcess | null;
  server: ChildProcess | null;
  stage: EcpayEmulator | null;
  production: EcpayEmulator | null;
  shopify: ShopifySimulator | null;
  prisma: PrismaClient | null;
  /** What is saved on stop (the simulated Shopify's state, each ECPay emulator's trades), and where. */
  saves: { what: string; file: string; snapshot: () => unknown }[];
}

const running: Running = { tool: null, server: null, stage: null, production: null, shopify: null, prisma: null, saves: [] };
let stopping = false;

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopAll(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => {});
  stopping = true;
  const { tool, server, stage, production, shopify, prisma, saves } = running;
  tool?.kill("SIGTERM");
  if (server) {
    server.kill("SIGTERM");
    if (!(await waitExit(server, 10_000))) {
      server.kill("SIGKILL");
      await waitExit(server, 5_000);
    }
  }
  // After the server is gone, so nothing changes while it is written; pending notifications are not kept.
  for (const { what, file, snapshot } of saves) {
    try {
      const { writeStoreSnapshot } = await import("../app/sandbox/launch");
      writeStoreSnapshot(file, snapshot());
    } catch (error) {
      console.error(`[sandbox] could not save ${what} to ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await Promise.allSettled([shopify?.close(), stage?.close(), production?.close(), prisma?.$disconnect()]);
  say("stopped");
  process.exit(code);
}


const pretty = prettyFactory({ colorize: process.stdout.isTTY, singleLine: true, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,instance,event" });

/**
 * What the sandbox prints of a server log line: every payment event (and every warning or error),
 * one readable line each; everything with SANDBOX_VERBOSE=1. The log file keeps the JSON.
 */
function readableLogLine(line: string, verbose: boolean): string | null {
  let entry: { event?: unknown; level?: unknown } | null = null;
  try {
    entry = JSON.parse(line) as { event?: unknown; level?: unknown };
  } catch {
    return verbose ? `${line}\n` : null;
  }
  const important = typeof entry?.event === "string" || entry?.level === "warn" || entry?.level === "error" || entry?.level === "fatal";
  return important || verbose ? pretty(entry) : null;
}

/** The server as a child process; resolves once it listens. Its log goes to `logFile`. */
function startServer(env: NodeJS.ProcessEnv, logFile: string, verbose: boolean): Promise<ChildProcess> {
  const log = createWriteStream(logFile, { flags: "a" });
  const child = spawn(process.execPath, [path.join(ROOT, "build", "server.js")], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const recent: string[] = [];
  let partial = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (!line) continue;
        recent.push(line);
        if (recent.length > 30) recent.shift();
        if (/listening on http/.test(line)) resolve(child);
        const shown = readableLogLine(line, verbose);
        if (shown) process.stdout.write(shown);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code, signal) => {
      log.end();
      if (stopping) return;
      const why = `the server exited (${signal ?? code})`;
      reject(new Error(`${why}:\n${recent.join("\n")}`));
      console.error(`[sandbox] ${why}; stopping. Log: ${logFile}`);
      void stopAll(1);
    });
  });
}

async function retryBusy<T>(operation: () => Promise<T>): Promise<T> {
  // SQLite allows one writer: the server may hold the lock for a moment.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/** The ECPay side of a pending ATM order: its emulator and the issued attempt. */
async function issuedAtmAttempt(order: OrderView) {
  const { prisma } = running;
  const emulator = order.test ? running.stage : running.production;
  if (!prisma || !emulator) throw new SimulatorError("The sandbox is not running");
  const attempt = await prisma.paymentAttempt.findFirst({
    where: { paymentSessionId: order.paymentSessionId, status: "ISSUED" },
    orderBy: { createdAt: "desc" },
  });
  if (!attempt) throw new SimulatorError("找不到 ATM 虛擬帳號 No issued ATM account for this order");
  const ecpayOrder = emulator.order(attempt.merchantTradeNo, { merchantId: attempt.merchantId });
  return { prisma, emulator, attempt, ecpayOrder };
}

/** The buyer transfers the money to the virtual account (as 模擬轉帳 on ECPay's ATM page does). */
async function transferAtmOrder(order: OrderView): Promise<string> {
  const { emulator, attempt, ecpayOrder } = await issuedAtmAttempt(order);
  if (ecpayOrder?.status !== "created") throw new SimulatorError("此虛擬帳號已無法繳費 The virtual account no longer takes transfers");
  await emulator.pay(attempt.merchantTradeNo, { merchantId: attempt.merchantId });
  return "已模擬轉帳，綠界已通知商店 The bank transfer is simulated; ECPay notified the app";
}

/**
 * "Let the ATM deadline pass": ECPay's virtual account lapses, Shopify's clock passes the
 * pendingExpiresAt it was given, and our server's copy of the deadline is moved to the past, so its
 * reconciler (RECONCILE_INTERVAL_MS) queries ECPay and rejects the session as expired.
 */
async function expireAtmOrder(order: OrderView): Promise<string> {
  const { prisma, emulator, attempt, ecpayOrder } = await issuedAtmAttempt(order);
  const { shopify } = running;
  if (ecpayOrder?.status === "created") emulator.expireAtm(attempt.merchantTradeNo, { merchantId: attempt.merchantId });
  const past = new Date(Date.now() - 1_000);
  const session = shopify?.paymentSession(order.paymentSessionId);
  if (session) session.pendingExpiresAt = past.toISOString();
  await retryBusy(() =>
    prisma.paymentSession.update({ where: { id: order.paymentSessionId }, data: { pendingExpiresAt: past } }),
  );
  return "繳費期限已過，數秒內將標示為已過期 The payment deadline has passed; the app marks the payment expired within seconds";
}

async function main(): Promise<void> {
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));
  // The supervisor is gone (killed): nobody is left to stop us, so stop now.
  process.on("disconnect", () => void stopAll(1));
  // The generated Prisma clients are loaded by the first module that imports @prisma/client, so
  // they must be generated before anything else is imported.
  const {
    SandboxConfigError,
    buildIsStale,
    portFrom,
    prismaClientsGenerated,
    readStoreSnapshot,
    sandboxDatabase,
    sandboxEcpayFile,
    sandboxEncryptionKey,
    sandboxStoreFile,
  } = await import("../app/sandbox/launch");
  if (!prismaClientsGenerated(ROOT)) {
    say("generating the Prisma clients (SQLite and PostgreSQL)");
    await run("npm", ["run", "generate"], { ...process.env });
  }
  const [
    { createSecretBox },
    { seedShop },
    { METHOD_HANDLES },
    { SANDBOX_PRODUCTION_MERCHANT, SANDBOX_SHOP, SANDBOX_STAGE_MERCHANT, sandboxAccessToken, sandboxAppCredentialsEnv },
    { startEcpayEmulator },
    { startShopifySimulator },
    { adminSessionCookies },
    { preparedPrismaFor },
  ] = await Promise.all([
    import("../app/lib/secrets.server"),
    import("../app/ops/seed-shop.server"),
    import("../app/payments/methods"),
    import("../app/sandbox/demo-shop"),
    import("../tests/emulators/ecpay"),
    import("../tests/simulators/shopify"),
    import("../tests/support/admin-session"),
    import("../tests/support/db-client"),
  ]);
  process.chdir(ROOT);
  const database = sandboxDatabase(process.env, ROOT);
  const port = portFrom(process.env, "PORT", 3000);
  if (port === 0) throw new SandboxConfigError("PORT must be a fixed port: ECPay and Shopify need the server's address");
  const appOrigin = `http://${HOST}:${port}`;
  const encryptionKey = sandboxEncryptionKey(process.env, database.file);
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url };
  say(`migrating ${path.relative(ROOT, database.file) || database.file}`);
  await run("npx", ["prisma", "migrate", "deploy"], baseEnv);
  if (buildIsStale(ROOT)) {
    say("building the server (the build is missing or older than the sources)");
    await run("npm", ["run", "build"], { ...process.env, NODE_ENV: "production" });
  }

  const prisma = await preparedPrismaFor(database.url);
  running.prisma = prisma;
  const box = createSecretBox({ ENCRYPTION_KEY: encryptionKey });
  // First run: each app installed and bound. Later runs keep what the merchant changed since.
  const installed = new Set(
    (await prisma.shopInstallation.findMany({ where: { shop: SANDBOX_SHOP }, select: { method: true } })).map((i) => i.method),
  );
  for (const method of METHOD_HANDLES) {
    if (installed.has(method)) continue;
    await seedShop(prisma, box, {
      method,
      shop: SANDBOX_SHOP,
      accessToken: sandboxAccessToken(method),
      merchantId: SANDBOX_PRODUCTION_MERCHANT.merchantId,
      hashKey: SANDBOX_PRODUCTION_MERCHANT.hashKey,
      hashIv: SANDBOX_PRODUCTION_MERCHANT.hashIv,
      creditCheckCode: SANDBOX_PRODUCTION_MERCHANT.creditCheckCode,
      ready: true,
    });
  }

  running.stage = await startEcpayEmulator({
    environment: "stage",
    host: HOST,
    port: portFrom(process.env, "SANDBOX_ECPAY_STAGE_PORT", 0),
    notifyRetryIntervalMs: NOTIFY_RETRY_MS,
  });
  running.production = await startEcpayEmulator({
    environment: "production",
    host: HOST,
    port: portFrom(process.env, "SANDBOX_ECPAY_PRODUCTION_PORT", 0),
    merchants: [SANDBOX_PRODUCTION_MERCHANT],
    notifyRetryIntervalMs: NOTIFY_RETRY_MS,
  });
  // A new database starts ECPay and the store empty: what was saved with an earlier database names
  // payments it lacks.
  const restoring = installed.size > 0;
  for (const emulator of [running.stage, running.production]) {
    const file = sandboxEcpayFile(database.file, emulator.environment);
    const saved = restoring ? readStoreSnapshot<EcpayEmulatorSnapshot>(file) : null;
    try {
      if (saved) emulator.restore(saved);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new SandboxConfigError(`${file} cannot be restored (${why}); delete it to start ECPay ${emulator.environment} empty`);
    }
    running.saves.push({ what: `ECPay ${emulator.environment}'s trades`, file, snapshot: () => emulator.snapshot() });
  }
  const shopify = await startShopifySimulator({
    appOrigin,
    host: HOST,
    port: portFrom(process.env, "SANDBOX_STORE_PORT", 0),
    orderTools: (order) =>
      order.method === "atm" && order.paymentState === "PENDING" && order.financialStatus === "pending"
        ? [
            { id: "simulate-transfer", label: "模擬轉帳 Simulate the bank transfer", run: transferAtmOrder },
            { id: "expire-atm", label: "讓繳費期限過去 Let the payment deadline pass", run: expireAtmOrder },
          ]
        : [],
    // "Manage" signs the demo merchant in as the OAuth callback would: a fresh AdminSession.
    appAdmin: async (shop, method) => {
      if (!running.prisma) throw new SimulatorError("The sandbox is not running");
      return { url: `${appOrigin}/apps/${method}`, cookies: await adminSessionCookies(running.prisma, method, shop) };
    },
  });
  running.shopify = shopify;
  const storeFile = sandboxStoreFile(database.file);
  const saved = restoring ? readStoreSnapshot<StateSnapshot>(storeFile) : null;
  if (saved) shopify.restore(saved);
  running.saves.push({ what: "the store's orders", file: storeFile, snapshot: () => shopify.snapshot() });
  const shop = shopify.addShop(
    SANDBOX_SHOP,
    Object.fromEntries(METHOD_HANDLES.map((m) => [m, sandboxAccessToken(m)])),
    // The name Shopify's Admin API answers for the store (the CSV's 商店名稱).
    saved ? undefined : { captureMode: "automatic", test: true, name: "綠界沙盒商店 ECPay Sandbox Store" },
  );
  if (!saved) {
    // What Shopify knows of each app's paymentsAppConfigure, as the database recorded it (the seed
    // stands in for the merchant binding each app, which ends with that call).
    const installations = await prisma.shopInstallation.findMany({ where: { shop: SANDBOX_SHOP } });
    for (const installation of installations) {
      shop.configurations[installation.method as MethodHandle] = {
        externalHandle: installation.configuredHandle,
        ready: installation.configuredReady,
        configuredAt: installation.updatedAt.toISOString(),
      };
    }
  }

  const serverEnv: NodeJS.ProcessEnv = {
    ...baseEnv,
    ...sandboxAppCredentialsEnv(),
    NODE_ENV: "production",
    // The sandbox has no TLS terminator in front of it: nothing verifies Shopify's client certificate.
    MTLS_VERIFIED_HEADER: "none",
    PORT: String(port),
    HOST,
    SHOPIFY_APP_URL: appOrigin,
    ENCRYPTION_KEY: encryptionKey,
    ECPAY_STAGE_ORIGIN: running.stage.origin,
    ECPAY_PRODUCTION_ORIGIN: running.production.origin,
    SHOPIFY_PAYMENTS_API_ORIGIN: shopify.paymentsApiOrigin,
    WORKER_TICK_MS: "500",
    OUTBOX_BACKOFF_BASE_MS: "500",
    RECONCILE_INTERVAL_MS: "2000",
  };
  if (stopping) return; // Ctrl-C while starting: never leave a server behind.
  running.server = await startServer(serverEnv, `${database.file}.log`, process.env.SANDBOX_VERBOSE === "1");
  if (stopping) return;
  say(
    `ready: test mode pays ECPay's stage (public merchant ${SANDBOX_STAGE_MERCHANT.merchantId}), live mode the production emulator. Ctrl-C stops.`,
  );
  console.info(`\n  Open the store: ${shopify.storeUrl(SANDBOX_SHOP)}\n`);
}

/**
 * `npm run sandbox` runs this file under tsx's CLI, which SIGKILLs its child when the child does
 * not acknowledge a signal within 30 ms (a busy event loop, a loaded machine): no chance to stop
 * the server. So this process only supervises: the work happens in a child that is not tsx's,
 * started with the tsx loader, which gets Ctrl-C from the terminal (same process group) and
 * stops cleanly; the supervisor forwards SIGINT/SIGTERM to it and exits with its code.
 */
function supervise(): void {
  const worker = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
    cwd: ROOT,
    env: { ...process.env, [WORKER_FLAG]: "1" },
    stdio: ["inherit", "inherit", "inherit", "ipc"],
  });
  const forward = (signal: NodeJS.Signals) => worker.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  worker.once("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.env[WORKER_FLAG] === "1") {
  main().catch(async (error: unknown) => {
    if (stopping) return; // a tool interrupted by Ctrl-C: not an error worth reporting
    const { SandboxConfigError } = await import("../app/sandbox/launch");
    console.error(`[sandbox] cannot start: ${error instanceof Error ? error.message : String(error)}`);
    void stopAll(error instanceof SandboxConfigError ? 2 : 1);
  });
} else {
  supervise();
}
