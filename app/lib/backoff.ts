// Retry spacing shared by every worker that retries a call to Shopify or ECPay.
import { tuning } from "../config.server";

const MAX_BACKOFF_MS = 3600_000;

/** First retry after about 2 s (OUTBOX_BACKOFF_BASE_MS), doubling up to an hour, ±50 % jitter. */
export function backoffMs(attempts: number, random: () => number = Math.random, baseMs = tuning().outboxBackoffBaseMs): number {
  const base = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
  return Math.round(base * (0.5 + random()));
}

