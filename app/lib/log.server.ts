// Structured logs: one JSON line per payment event (README "Operating"), through pino. Every line
// carries the instance and, inside a request, its request id. Payment events name their fields in
// one closed list (PaymentEventFields): there is no way to log a payload, a token or a buyer's
// details through it, and pino's redaction removes secret-looking keys from anything else.
//
// server.ts and the Remix build are bundled separately and both import this module: the logger and
// the request context live on globalThis so both halves share one.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import pino, { type Logger } from "pino";

export interface RequestContext {
  requestId: string;
  /** SQL statements this request sent through the driver (db_statements_per_request). */
  statements?: { count: number; transactionControl: number };
}

interface Shared {
  logger: Logger;
  context: AsyncLocalStorage<RequestContext>;
  instance: string;
}

const KEY = Symbol.for("ecpay-shopify/log");

/** Keys whose values are secrets or payer data wherever they appear. */
const REDACT = [
  "hashKey",
  "hashIv",
  "HashKey",
  "HashIV",
  "accessToken",
  "refreshToken",
  "creditCheckCode",
  "CheckMacValue",
  "authorization",
  "cookie",
  "customer",
  "email",
  "phone",
  "*.hashKey",
  "*.hashIv",
  "*.accessToken",
  "*.refreshToken",
  "*.creditCheckCode",
  "*.authorization",
  "*.cookie",
  "*.customer",
  "*.email",
];

function create(): Shared {
  const instance = process.env.INSTANCE_ID?.trim() || `${hostname()}-${process.pid}-${randomBytes(2).toString("hex")}`;
  const level = process.env.LOG_LEVEL?.trim() || "info";
  const logger = pino({
    level,
    base: { instance },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT, censor: "[redacted]" },
  });
  return { logger, context: new AsyncLocalStorage<RequestContext>(), instance };
}

function shared(): Shared {
  const holder = globalThis as unknown as Record<symbol, Shared | undefined>;
  holder[KEY] ??= create();
  return holder[KEY];
}

/** Which server instance this process is (INSTANCE_ID, else host-pid-random): on every line and metric. */
export function instanceId(): string {
  return shared().instance;
}

/** Runs `fn` with a request id every log line inside it carries. */
export function withRequestContext<T>(context: RequestContext, fn: () => T): T {
  return shared().context.run(context, fn);
}

/** The current request's context, if the caller runs inside one. */
export function currentRequestContext(): RequestContext | undefined {
  return shared().context.getStore();
}

/** Runs `fn` outside any request's context: background work a request only woke up is not that request's. */
export function outsideRequestContext<T>(fn: () => T): T {
  return shared().context.exit(fn);
}

/**
 * A request id for a request that brought none. randomUUID draws from a pooled buffer refilled
 * every 128 ids; randomBytes(8) made one getrandom call per request (bench/PROFILE.md: 5.5% of the
 * bare route's CPU).
 */
export function newRequestId(): string {
  return randomUUID();
}

/** The logger, with the current request id bound when there is one. */
export function log(): Logger {
  const { logger, context } = shared();
  const current = context.getStore();
  return current ? logger.child({ requestId: current.requestId }) : logger;
}

/** The payment events an operator follows (README "Operating" lists what each means). */
export type PaymentEvent =
  | "session.stored"
  | "session.refused"
  | "attempt.created"
  | "attempt.refused"
  | "ecpay.message.accepted"
  | "ecpay.message.refused"
  | "shopify.delivered"
  | "shopify.retrying"
  | "shopify.failed"
  | "operation.received"
  | "operation.succeeded"
  | "operation.rejected"
  | "operation.retrying"
  | "reconciler.settled"
  | "reconciler.expired"
  | "ecpay.paused"
  | "ecpay.resumed"
  | "database.unavailable";

/** Everything a payment event may say: ids and outcomes, never payloads, tokens or payer data. */
export interface PaymentEventFields {
  shop?: string;
  method?: string;
  paymentId?: string;
  merchantTradeNo?: string;
  operationId?: string;
  /** capture, void, refund; or the Shopify mutation name. */
  operation?: string;
  mutation?: string;
  channel?: string;
  outcome?: string;
  reason?: string;
  amount?: number;
  attempt?: number;
  nextAttemptAt?: string;
  until?: string;
  httpStatus?: number;
  test?: boolean;
}

const LEVEL: Partial<Record<PaymentEvent, "warn" | "error">> = {
  "session.refused": "warn",
  "attempt.refused": "warn",
  "ecpay.message.refused": "warn",
  "shopify.retrying": "warn",
  "shopify.failed": "error",
  "operation.rejected": "warn",
  "operation.retrying": "warn",
  "ecpay.paused": "warn",
  "database.unavailable": "error",
};

export function logPaymentEvent(event: PaymentEvent, fields: PaymentEventFields): void {
  const level = LEVEL[event] ?? "info";
  log()[level]({ event, ...fields }, event);
}
