// Production server: the Remix build behind Express, plus the background workers.
// Built to build/server.js by scripts/build-server.mjs; `npm start` runs it.
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals, type ServerBuild } from "@remix-run/node";
import express, { type NextFunction, type Request, type Response } from "express";
import { scopeCookiePath, scopeRootRedirect } from "./app/lib/cookie-scope";
import { timingSafeEqual } from "node:crypto";
import { loadServerConfig } from "./app/config.server";
import { log, newRequestId, withRequestContext } from "./app/lib/log.server";
import { metrics, routeFamily } from "./app/lib/metrics.server";
import { nonCanonicalPath } from "./app/lib/request-path";
import { isSameOriginRequest } from "./app/lib/same-origin";
import type { OutageReporter } from "./app/lib/database-unavailable.server";

installGlobals({ nativeFetch: true });

const here = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";
/** Bodies Shopify and ECPay send are a few KB; anything far larger is refused before parsing. */
const MAX_BODY_BYTES = 64 * 1024;

interface EntryModule {
  startBackgroundWorkers(): { stop(): Promise<void> };
  refreshOperationalMetrics(): Promise<void>;
  validateStartup(): void;
  prepareDatabase(): Promise<void>;
}

const build = (await import(path.join(here, "server", "index.js"))) as ServerBuild;
const entry = build.entry.module as unknown as EntryModule;

let config: ReturnType<typeof loadServerConfig>;
try {
  entry.validateStartup();
  config = loadServerConfig();
  await entry.prepareDatabase();
} catch (error) {
  log().fatal(`Cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const app = express();
app.disable("x-powered-by");
// Nothing reads req.query (Remix parses the URL itself): don't parse every query string with qs.
app.set("query parser", false);

// Every request gets an id (Shopify's own Shopify-Request-Id when it sends one) that each log line
// of that request carries, and is counted and timed by route family for /metrics.
const KNOWN_VERBS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
app.use((req: Request, res: Response, next: NextFunction) => {
  const started = process.hrtime.bigint();
  const given = req.get("shopify-request-id") ?? req.get("x-request-id") ?? "";
  const requestId = /^[\w.:-]{1,128}$/.test(given) ? given : newRequestId();
  res.setHeader("X-Request-Id", requestId);
  const statements = { count: 0, transactionControl: 0 };
  res.once("finish", () => {
    const route = routeFamily(req.path);
    const m = metrics();
    m.httpRequests.inc({ route, method: KNOWN_VERBS.has(req.method) ? req.method : "other", status: String(res.statusCode) });
    m.httpDuration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
    m.dbStatements.observe({ route }, statements.count);
    m.dbTransactionStatements.observe({ route }, statements.transactionControl);
  });
  withRequestContext({ requestId, statements }, next);
});

// A handler that refuses a request before reading its body (413, 415, 404…) left the rest of the
// body in the socket; the body stream it was wrapped in (backpressure) then paused the socket for
// good and the next request on that keep-alive connection hung. Such an answer now closes the
// connection, and what is left of the body is drained (bounded) so the close is clean.
app.use((req: Request, res: Response, next: NextFunction) => {
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: Parameters<Response["writeHead"]>) {
    if (!req.complete) this.setHeader("Connection", "close");
    return writeHead.apply(this, args);
  } as Response["writeHead"];
  res.once("finish", () => {
    if (req.complete || req.destroyed) return;
    req.removeAllListeners("data");
    let drained = 0;
    req.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > 16 * MAX_BODY_BYTES) req.socket.destroy();
    });
    req.resume();
  });
  next();
});

// A NUL byte in the URL (a path segment or ?q=) reaches database queries, which PostgreSQL cannot
// run with one: it is malformed input, refused here with a 400 rather than a 500 later.
app.use((req: Request, res: Response, next: NextFunction) => {
  if (/%00/.test(req.originalUrl)) {
    res.status(400).type("text/plain").send("NUL characters are not allowed in URLs");
    return;
  }
  next();
});

// One spelling per path (app/lib/request-path.ts): Remix decodes and normalises paths before it
// routes, so "/%70ayments/…" or "/x/../payments/…" would reach the payments routes past an edge that
// matches path prefixes byte for byte. The payments routes check the mTLS header themselves
// (app/lib/mtls.server.ts); this keeps every other guard's view of the path equal to Remix's.
app.use((req: Request, res: Response, next: NextFunction) => {
  const target = req.originalUrl;
  const query = target.indexOf("?");
  const reason = nonCanonicalPath(query === -1 ? target : target.slice(0, query));
  if (reason) {
    res.status(400).set("Connection", "close").type("text/plain").send(`Bad request path: ${reason}`);
    return;
  }
  next();
});

// A route that failed because the database was unreachable (entry.server handleError) is answered
// 503 with Retry-After instead of Remix's 500: an outage to retry, not a defect.
app.use((_req: Request, res: Response, next: NextFunction) => {
  const status = res.status.bind(res);
  res.status = (code: number) => {
    if (code !== 500 || res.locals.databaseUnavailable !== true) return status(code);
    res.statusMessage = "Service Unavailable";
    res.set("Retry-After", "5");
    return status(503);
  };
  next();
});
// Eight apps share this host. The library sets its cookies (the OAuth state) at path "/"; scope
// each app's cookies to /apps/<method> so two apps signed in side by side never overwrite each other.
// Its post-OAuth redirect to "/" goes to the app's admin instead. A non-embedded admin may never be
// framed (clickjacking): every response under /apps/<method>, the login page and errors included,
// says so; embedded admins keep the library's frame-ancestors for Shopify's admin.
// A cross-site POST to the admin is refused here with 403 (authenticateMerchant checks again, with
// the CSRF token); OAuth's /auth/* paths are the library's and are left alone.
const embeddedApps = new Set(Object.entries(config.apps).filter(([, c]) => c?.embedded).map(([m]) => m));
app.use("/apps/:method", (req: Request, res: Response, next: NextFunction) => {
  const scope = `/apps/${req.params.method}`;
  const mutation = req.method !== "GET" && req.method !== "HEAD";
  if (mutation && !/^\/auth(\/|$)/.test(req.path) && !isSameOriginRequest((name) => req.get(name), config.appUrl)) {
    res.status(403).set("Connection", "close").type("text/plain").send("Forbidden: the request did not come from this app's pages");
    return;
  }
  const framable = embeddedApps.has(req.params.method ?? "");
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    return typeof value === "string" ? scopeCookiePath(value, scope) : value;
  };
  const setHeader = res.setHeader.bind(res);
  if (!framable) {
    setHeader("Content-Security-Policy", "frame-ancestors 'none'");
    setHeader("X-Frame-Options", "DENY");
  }
  res.setHeader = (name: string, value: number | string | readonly string[]) => {
    const header = name.toLowerCase();
    if (header === "content-security-policy" && !framable && typeof value === "string" && !/frame-ancestors/i.test(value)) {
      return setHeader(name, `${value.replace(/;\s*$/, "")}; frame-ancestors 'none'`);
    }
    if (header === "set-cookie") return setHeader(name, rewrite(value) as string[]);
    if (header === "location" && typeof value === "string") return setHeader(name, scopeRootRedirect(value, scope));
    return setHeader(name, value);
  };
  next();
});

app.use((req: Request, res: Response, next: NextFunction) => {
  const length = Number(req.headers["content-length"] ?? 0);
  if (length > MAX_BODY_BYTES) {
    res.status(413).set("Connection", "close").type("text/plain").send(`Request body too large (limit ${MAX_BODY_BYTES} bytes)`);
    return;
  }
  next();
});

// Shopify's and ECPay's server-to-server calls go to Remix from here: past the guards above (request
// id and metrics, body limits, one spelling per path, a 503 for an outage) and none of what follows
// (the admin's cookie scoping, /metrics, static files), which never applies to them.
const remix = createRequestHandler({
  build,
  mode: process.env.NODE_ENV ?? "production",
  getLoadContext: (_req, res) => {
    const reporter: OutageReporter = { markDatabaseUnavailable: () => void (res.locals.databaseUnavailable = true) };
    return { ...reporter };
  },
});
app.post(["/payments/:method/:operation(session|refund|capture|void)", "/ecpay/:method/:callback(return|payment-info)"], remix);

// Prometheus metrics for the operator (README "Operating"): only with METRICS_TOKEN configured, and
// only for a request that presents it as a bearer token.
app.get("/metrics", (req: Request, res: Response) => {
  const token = config.metricsToken;
  if (!token) {
    res.status(404).type("text/plain").send("metrics are off: set METRICS_TOKEN to serve them");
    return;
  }
  const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "")?.[1] ?? "", "utf8");
  const expected = Buffer.from(token, "utf8");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    res.status(401).set("WWW-Authenticate", 'Bearer realm="metrics"').type("text/plain").send("a bearer token is required");
    return;
  }
  const registry = metrics().registry;
  entry
    .refreshOperationalMetrics()
    .then(() => registry.metrics())
    .then((text) => res.status(200).type(registry.contentType).send(text))
    .catch((error: unknown) => {
      log().error({ err: error }, "metrics: cannot read the operational figures");
      res.status(503).type("text/plain").send("metrics unavailable: the database did not answer");
    });
});

app.use("/assets", express.static(path.join(here, "client", "assets"), { immutable: true, maxAge: "1y" }));
// express.static stats the file system for every GET it is handed (bench/PROFILE.md: 6% of the bare
// route's CPU); only the client build's own top-level entries (favicon.ico, …) can be files there.
const clientDir = path.join(here, "client");
const clientEntries = new Set(readdirSync(clientDir));
const serveClient = express.static(clientDir, { maxAge: "1h" });
app.use((req: Request, res: Response, next: NextFunction) => {
  if (clientEntries.has(req.path.split("/")[1] ?? "")) serveClient(req, res, next);
  else next();
});
app.all("*", remix);

const server = app.listen(port, host, () => {
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  log().info(`ECPay payments server listening on http://${host === "0.0.0.0" ? "localhost" : host}:${actualPort}`);
});
server.keepAliveTimeout = 65_000;

const workers = process.env.DISABLE_WORKERS === "1" ? null : entry.startBackgroundWorkers();

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log().info(`${signal}: shutting down`);
  server.close();
  server.closeIdleConnections();
  await workers?.stop();
  setTimeout(() => process.exit(0), 200).unref();
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
