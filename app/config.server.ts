// Server configuration from the environment, validated once. A missing or malformed required
// value stops the server at start with a message that says what to set.
import { z } from "zod";
import { METHOD_HANDLES, methodEnvName, type MethodHandle } from "./payments/methods";
import { ECPAY_RATE_LIMIT_PAUSE_MS } from "./payments/time-limits";

export type Env = Record<string, string | undefined>;

export const PINNED_API_VERSION = "2026-07" as const;
export const DEFAULT_SCOPES = "write_payment_gateways,write_payment_sessions";

export interface AppCredentials {
  apiKey: string;
  apiSecretKey: string;
  /** The admin runs embedded in Shopify's admin (App Bridge, session tokens): the app's config says `embedded = true`. */
  embedded: boolean;
}

export interface ServerConfig {
  appUrl: string;
  scopes: string[];
  apps: Partial<Record<MethodHandle, AppCredentials>>;
  ecpayStageOrigin: string;
  ecpayProductionOrigin: string;
  /** Test-only: Payments Apps GraphQL goes to <origin>/payments_apps/api/<version>/graphql.json. */
  paymentsApiOrigin: string | null;
  /** The header the mTLS terminator sets after verifying Shopify's client certificate, and its value; null with MTLS_VERIFIED_HEADER=none (or outside production when unset). */
  mtlsHeader: { name: string; value: string } | null;
  /** Bearer token that opens /metrics (METRICS_TOKEN, at least 24 characters); null: /metrics is off. */
  metricsToken: string | null;
  /** How long an attempt may go without a notification before the reconciler asks ECPay (RECONCILE_GRACE_MS). */
  reconcileGraceMs: number;
  /** Timings and sizes of the background work and the clients (see {@link Tuning}). */
  tuning: Tuning;
  /** Non-embedded admin sign-ins: idle and absolute lifetime (ADMIN_SESSION_IDLE_SECONDS, ADMIN_SESSION_MAX_SECONDS). */
  adminSession: { idleMs: number; maxMs: number };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Timings and sizes, each from one variable with a production default. Read by modules that run
 * outside the server too (ops commands, workers), so they have their own loader, {@link tuning},
 * which does not require the server's other settings.
 */
export interface Tuning {
  /** WORKER_TICK_MS: how often the background workers look for due work. */
  workerTickMs: number;
  /** RECONCILE_INTERVAL_MS: how often the reconciler runs a pass. */
  reconcileIntervalMs: number;
  /** RECONCILE_GRACE_MS: how long an attempt may go without a notification before it is queried (0: at once). */
  reconcileGraceMs: number;
  /** RECONCILE_RATE_LIMIT_PAUSE_MS: how long ECPay's HTTP 403 pauses every query of this process. */
  reconcileRateLimitPauseMs: number;
  /** SHOPIFY_API_TIMEOUT_MS: the Payments Apps client's timeout (an outbox claim outlives it by 5 s). */
  shopifyApiTimeoutMs: number;
  /** OUTBOX_BACKOFF_BASE_MS: the first retry delay of a Shopify mutation, doubled per attempt. */
  outboxBackoffBaseMs: number;
  /** DATABASE_POOL_SIZE: PostgreSQL connections per process. */
  databasePoolSize: number;
  /** OUTBOX_BATCH_SIZE: outbox rows one worker claims (and writes back) at a time. */
  outboxBatchSize: number;
  /** OUTBOX_CONCURRENCY_PER_TOKEN: Shopify calls in flight at once per app token (one app on one shop: Shopify's throttling bucket). */
  outboxConcurrencyPerToken: number;
  /** OUTBOX_CONCURRENCY_PER_SHOP: Shopify calls in flight at once per shop, all eight apps together. */
  outboxConcurrencyPerShop: number;
}

const TUNING_VARIABLES = {
  workerTickMs: ["WORKER_TICK_MS", 1_000, 1],
  reconcileIntervalMs: ["RECONCILE_INTERVAL_MS", 30_000, 1],
  reconcileGraceMs: ["RECONCILE_GRACE_MS", 600_000, 0],
  reconcileRateLimitPauseMs: ["RECONCILE_RATE_LIMIT_PAUSE_MS", ECPAY_RATE_LIMIT_PAUSE_MS, 1],
  shopifyApiTimeoutMs: ["SHOPIFY_API_TIMEOUT_MS", 10_000, 1],
  outboxBackoffBaseMs: ["OUTBOX_BACKOFF_BASE_MS", 2_000, 1],
  databasePoolSize: ["DATABASE_POOL_SIZE", 10, 1],
  outboxBatchSize: ["OUTBOX_BATCH_SIZE", 100, 1],
  outboxConcurrencyPerToken: ["OUTBOX_CONCURRENCY_PER_TOKEN", 8, 1],
  outboxConcurrencyPerShop: ["OUTBOX_CONCURRENCY_PER_SHOP", 16, 1],
} as const satisfies Record<keyof Tuning, readonly [name: string, fallback: number, min: 0 | 1]>;

/** Every tuning value, or one problem per bad variable (an empty value counts as unset). */
function parseTuning(env: Env, problems: string[]): Tuning {
  const parsed: Partial<Tuning> = {};
  for (const [key, [name, fallback, min]] of Object.entries(TUNING_VARIABLES) as [keyof Tuning, (typeof TUNING_VARIABLES)[keyof Tuning]][]) {
    const raw = env[name]?.trim();
    const result = z.coerce.number().int().min(min).max(Number.MAX_SAFE_INTEGER).safeParse(raw ? raw : fallback);
    if (result.success) parsed[key] = result.data;
    else problems.push(`${name} must be a ${min === 0 ? "non-negative" : "positive"} whole number (got "${raw}")`);
  }
  return parsed as Tuning;
}

/** The tuning values of `env`; a ConfigError names every bad variable. */
export function loadTuning(env: Env = process.env): Tuning {
  const problems: string[] = [];
  const tuning = parseTuning(env, problems);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n- ${problems.join("\n- ")}`);
  return tuning;
}

let cachedTuning: Tuning | undefined;
/** This process's tuning values, read once. */
export function tuning(): Tuning {
  cachedTuning ??= loadTuning();
  return cachedTuning;
}

const seconds = (fallback: number) => z.coerce.number().int().min(1).max(7 * 24 * 3600).default(fallback);
const adminSessionEnv = z.object({
  ADMIN_SESSION_IDLE_SECONDS: seconds(30 * 60),
  ADMIN_SESSION_MAX_SECONDS: seconds(12 * 3600),
});

const origin = z.string().url().transform((value) => value.replace(/\/+$/, ""));

/** SHOPIFY_<M>_EMBEDDED, else SHOPIFY_EMBEDDED, else false (payments apps are not embedded). */
function embeddedFor(env: Env, handle: MethodHandle): boolean | string {
  const name = `SHOPIFY_${methodEnvName(handle)}_EMBEDDED`;
  const [variable, value] = env[name] ? [name, env[name]] : ["SHOPIFY_EMBEDDED", env.SHOPIFY_EMBEDDED];
  if (!value || value === "false") return false;
  if (value === "true") return true;
  return `${variable} must be true or false`;
}

/** Credentials for one method: SHOPIFY_<M>_API_KEY/SECRET, or the CLI's plain pair for SHOPIFY_APP_METHOD. */
function credentialsFor(env: Env, handle: MethodHandle): Omit<AppCredentials, "embedded"> | undefined {
  const name = methodEnvName(handle);
  const apiKey = env[`SHOPIFY_${name}_API_KEY`];
  const apiSecretKey = env[`SHOPIFY_${name}_API_SECRET`];
  if (apiKey && apiSecretKey) return { apiKey, apiSecretKey };
  const cliMethod = env.SHOPIFY_APP_METHOD ?? "credit";
  if (cliMethod === handle && env.SHOPIFY_API_KEY && env.SHOPIFY_API_SECRET) {
    return { apiKey: env.SHOPIFY_API_KEY, apiSecretKey: env.SHOPIFY_API_SECRET };
  }
  return undefined;
}

export function loadServerConfig(env: Env = process.env): ServerConfig {
  const problems: string[] = [];
  const appUrl = origin.safeParse(env.SHOPIFY_APP_URL ?? "http://localhost:3000");
  if (!appUrl.success) problems.push("SHOPIFY_APP_URL must be an absolute URL (the server's public origin)");
  if (env.SHOPIFY_APP_METHOD && !(METHOD_HANDLES as readonly string[]).includes(env.SHOPIFY_APP_METHOD)) {
    problems.push(`SHOPIFY_APP_METHOD must be one of ${METHOD_HANDLES.join(", ")}`);
  }
  const stage = origin.safeParse(env.ECPAY_STAGE_ORIGIN ?? "https://payment-stage.ecpay.com.tw");
  const production = origin.safeParse(env.ECPAY_PRODUCTION_ORIGIN ?? "https://payment.ecpay.com.tw");
  if (!stage.success) problems.push("ECPAY_STAGE_ORIGIN must be an absolute URL");
  if (!production.success) problems.push("ECPAY_PRODUCTION_ORIGIN must be an absolute URL");
  const paymentsApi = env.SHOPIFY_PAYMENTS_API_ORIGIN ? origin.safeParse(env.SHOPIFY_PAYMENTS_API_ORIGIN) : null;
  if (paymentsApi && !paymentsApi.success) problems.push("SHOPIFY_PAYMENTS_API_ORIGIN must be an absolute URL");
  // In production the payments routes must be tied to the mTLS terminator, unless the operator says
  // explicitly that nothing verifies Shopify's client certificate in front of this server ("none").
  const mtlsOptOut = env.MTLS_VERIFIED_HEADER?.trim().toLowerCase() === "none";
  const mtlsName = mtlsOptOut ? undefined : env.MTLS_VERIFIED_HEADER;
  const mtlsValue = env.MTLS_VERIFIED_VALUE;
  if (mtlsOptOut && mtlsValue) problems.push("MTLS_VERIFIED_VALUE must not be set when MTLS_VERIFIED_HEADER=none");
  else if ((mtlsName && !mtlsValue) || (!mtlsName && mtlsValue && !mtlsOptOut)) {
    problems.push("MTLS_VERIFIED_HEADER and MTLS_VERIFIED_VALUE must be set together");
  }
  if (mtlsName && !/^[A-Za-z0-9-]+$/.test(mtlsName)) problems.push("MTLS_VERIFIED_HEADER must be an HTTP header name (letters, digits, -)");
  if (env.NODE_ENV === "production" && !mtlsName && !mtlsValue && !mtlsOptOut) {
    problems.push(
      "MTLS_VERIFIED_HEADER and MTLS_VERIFIED_VALUE must be set in production: the header your mTLS terminator sets after verifying Shopify's client certificate (or MTLS_VERIFIED_HEADER=none to run without that check)",
    );
  }
  const metricsToken = env.METRICS_TOKEN?.trim() || null;
  if (metricsToken !== null && !/^[\x21-\x7e]{24,}$/.test(metricsToken)) {
    problems.push("METRICS_TOKEN must be at least 24 printable characters without spaces (it opens /metrics)");
  }
  const tuning = parseTuning(env, problems);
  const adminSession = adminSessionEnv.safeParse({
    ADMIN_SESSION_IDLE_SECONDS: env.ADMIN_SESSION_IDLE_SECONDS || undefined,
    ADMIN_SESSION_MAX_SECONDS: env.ADMIN_SESSION_MAX_SECONDS || undefined,
  });
  if (!adminSession.success) problems.push("ADMIN_SESSION_IDLE_SECONDS and ADMIN_SESSION_MAX_SECONDS must be whole seconds between 1 and 604800");
  const apps: Partial<Record<MethodHandle, AppCredentials>> = {};
  for (const handle of METHOD_HANDLES) {
    const embedded = embeddedFor(env, handle);
    if (typeof embedded === "string") {
      if (!problems.includes(embedded)) problems.push(embedded);
      continue;
    }
    const credentials = credentialsFor(env, handle);
    if (credentials) apps[handle] = { ...credentials, embedded };
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n- ${problems.join("\n- ")}`);

  return {
    appUrl: appUrl.data!,
    scopes: (env.SCOPES ?? DEFAULT_SCOPES).split(",").map((s) => s.trim()).filter(Boolean),
    apps,
    ecpayStageOrigin: stage.data!,
    ecpayProductionOrigin: production.data!,
    paymentsApiOrigin: paymentsApi?.data ?? null,
    mtlsHeader: mtlsName && mtlsValue ? { name: mtlsName.toLowerCase(), value: mtlsValue } : null,
    metricsToken,
    reconcileGraceMs: tuning.reconcileGraceMs,
    tuning,
    adminSession: {
      idleMs: adminSession.data!.ADMIN_SESSION_IDLE_SECONDS * 1000,
      maxMs: adminSession.data!.ADMIN_SESSION_MAX_SECONDS * 1000,
    },
  };
}

let cached: ServerConfig | undefined;
export function serverConfig(): ServerConfig {
  cached ??= loadServerConfig();
  return cached;
}
