// Retry spacing shared by every worker that retries a call to Shopify or ECPay.
const MAX_BACKOFF_MS = 3600_000;
const BACKOFF_BASE_MS = Number(process.env.OUTBOX_BACKOFF_BASE_MS ?? 2_000);

/** First retry after about 2 s (OUTBOX_BACKOFF_BASE_MS), doubling up to an hour, ±50 % jitter. */
export function backoffMs(attempts: number, random: () => number = Math.random, baseMs = BACKOFF_BASE_MS): number {
  const base = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
  return Math.round(base * (0.5 + random()));
}

