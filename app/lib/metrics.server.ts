// Prometheus metrics (prom-client), served at /metrics behind a bearer token (server.ts). Counters
// and histograms are moved where things happen; the gauges of stuck work (outbox backlog, pending
// operations, reconciler lag, ECPay pause, database pool) are read from the same figures `ops
// doctor` prints (app/ops/figures.server.ts) right before each scrape, so both always agree.
//
// Like the logger, the registry lives on globalThis: server.ts (request metrics) and the Remix
// build (payment metrics) are bundled separately and must write to one registry.
import client from "prom-client";
import { instanceId } from "./log.server";

function create() {
  const registry = new client.Registry();
  registry.setDefaultLabels({ instance: instanceId() });
  // Process memory, CPU, event-loop delay (nodejs_eventloop_lag_*), GC, handles.
  client.collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new client.Counter({
      name: "http_requests_total",
      help: "HTTP requests answered, by route family, method and status code",
      labelNames: ["route", "method", "status"] as const,
      registers,
    }),
    httpDuration: new client.Histogram({
      name: "http_request_duration_seconds",
      help: "Time to answer an HTTP request, by route family",
      labelNames: ["route"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    dbStatements: new client.Histogram({
      name: "db_statements_per_request",
      help: "SQL statements one HTTP request sent to the database (BEGIN and COMMIT included), by route family",
      labelNames: ["route"] as const,
      buckets: [0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 50],
      registers,
    }),
    dbTransactionStatements: new client.Histogram({
      name: "db_transaction_statements_per_request",
      help: "Of those, the BEGIN, COMMIT and ROLLBACK statements, by route family",
      labelNames: ["route"] as const,
      buckets: [0, 2, 4, 6, 10],
      registers,
    }),
    ecpayMessages: new client.Counter({
      name: "ecpay_messages_total",
      help: "ECPay notifications (ReturnURL, PaymentInfoURL) by channel and outcome (ACCEPTED, DUPLICATE, BAD_SIGNATURE, UNKNOWN_TRADE, AMOUNT_MISMATCH, ...)",
      labelNames: ["channel", "outcome"] as const,
      registers,
    }),
    ecpayCalls: new client.Histogram({
      name: "ecpay_call_duration_seconds",
      help: "Server-to-server calls to ECPay (QueryTradeInfo, QueryPaymentInfo, QueryTrade/V2, DoAction) by operation and outcome (ok or the error kind)",
      labelNames: ["operation", "outcome"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    }),
    shopifyMutations: new client.Counter({
      name: "shopify_mutations_total",
      help: "Payments Apps API mutations attempted by the outbox, by mutation and outcome (delivered, retried, failed)",
      labelNames: ["mutation", "outcome"] as const,
      registers,
    }),
    operations: new client.Counter({
      name: "payment_operations_total",
      help: "Captures, voids and refunds finished, by type and outcome (succeeded, rejected)",
      labelNames: ["type", "outcome"] as const,
      registers,
    }),
    databaseUnavailable: new client.Counter({
      name: "database_unavailable_total",
      help: "Requests answered 503 because the database could not be reached",
      registers,
    }),
    outboxBacklog: new client.Gauge({ name: "outbox_backlog", help: "Shopify mutations waiting to be delivered (PENDING)", registers }),
    outboxFailed: new client.Gauge({ name: "outbox_failed", help: "Shopify mutations that failed for good (FAILED): need an operator", registers }),
    outboxOldestAge: new client.Gauge({
      name: "outbox_oldest_undelivered_age_seconds",
      help: "Age of the oldest Shopify mutation not yet delivered (0 when none)",
      registers,
    }),
    operationsPending: new client.Gauge({ name: "operations_pending", help: "Captures, voids and refunds received and not finished", registers }),
    closesPending: new client.Gauge({ name: "card_closes_pending", help: "Paid card sales waiting for their automatic close (DoAction C)", registers }),
    attemptsAwaiting: new client.Gauge({ name: "ecpay_attempts_awaiting_answer", help: "ECPay attempts with no result yet (created or ATM account issued)", registers }),
    reconcilerLag: new client.Gauge({
      name: "reconciler_lag_seconds",
      help: "Age of the oldest ECPay attempt past the reconciler's grace period that ECPay has not answered (0 when none)",
      registers,
    }),
    ecpayPaused: new client.Gauge({ name: "ecpay_queries_paused", help: "1 while this process sends no ECPay query after an HTTP 403", registers }),
    ecpayPausedUntil: new client.Gauge({ name: "ecpay_queries_paused_until_seconds", help: "Unix time the ECPay query pause ends (0 when not paused)", registers }),
    dbPool: new client.Gauge({
      name: "database_pool_connections",
      help: "PostgreSQL pool connections by state (total, idle, waiting clients); SQLite uses one connection",
      labelNames: ["state"] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof create>;

const KEY = Symbol.for("ecpay-shopify/metrics");

export function metrics(): Metrics {
  const holder = globalThis as unknown as Record<symbol, Metrics | undefined>;
  holder[KEY] ??= create();
  return holder[KEY];
}

/** The route family of a path, for request metrics: few values, never an id. */
export function routeFamily(path: string): string {
  if (/^\/payments\/[^/]+\/session\/?$/.test(path)) return "payments_session";
  if (/^\/payments\/[^/]+\/(refund|capture|void)\/?$/.test(path)) return "payments_operation";
  if (/^\/pay\//.test(path)) return "buyer_hand_off";
  if (/^\/ecpay\/[^/]+\/(return|payment-info)\/?$/.test(path)) return "ecpay_notification";
  if (/^\/ecpay\/[^/]+\/result\/?$/.test(path)) return "ecpay_buyer_return";
  if (/^\/apps\/[^/]+\/auth(\/|$)/.test(path)) return "admin_auth";
  if (/^\/apps\//.test(path)) return "admin";
  if (/^\/webhooks\//.test(path)) return "webhooks";
  if (path === "/healthz" || path === "/healthz/") return "healthz";
  if (path === "/metrics") return "metrics";
  if (/^\/assets\//.test(path)) return "assets";
  return "other";
}
