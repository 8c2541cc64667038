// ECPay answers eager callers with HTTP 403. After one, no server-to-server query (QueryTradeInfo,
// QueryPaymentInfo) is sent by this process until the pause ends: the reconciler, the buyer's
// return page and the admin's "query ECPay now" share it, so buyers polling or a merchant clicking
// during a throttle do not prolong it.
//
// Kept in memory, per process: there is no table for it without a schema change, and a process
// that does not know of another's 403 learns of it from its own first refused request (one
// request, then it pauses too). A restart forgets the pause at the cost of that one request.

import { logPaymentEvent } from "../lib/log.server";
import { ECPAY_RATE_LIMIT_PAUSE_MS } from "./time-limits";

export interface QueryPause {
  /** Epoch milliseconds before which no query is sent. */
  until: number;
  /** The pause that ended was logged as resumed (one line per pause). */
  resumeLogged?: boolean;
}

const DEFAULT_PAUSE_MS = ECPAY_RATE_LIMIT_PAUSE_MS;

/** The process's own pause. */
export const processQueryPause: QueryPause = { until: 0 };

/** How long a 403 pauses queries: RECONCILE_RATE_LIMIT_PAUSE_MS, 30 minutes by default. */
export function rateLimitPauseMs(): number {
  return Number(process.env.RECONCILE_RATE_LIMIT_PAUSE_MS ?? DEFAULT_PAUSE_MS);
}

export function queriesPaused(pause: QueryPause, now: Date): boolean {
  if (pause.until > now.getTime()) return true;
  if (pause.until > 0 && !pause.resumeLogged) {
    pause.resumeLogged = true;
    logPaymentEvent("ecpay.resumed", { until: new Date(pause.until).toISOString() });
  }
  return false;
}

export function pauseQueries(pause: QueryPause, now: Date, pauseMs: number = rateLimitPauseMs()): void {
  const until = Math.max(pause.until, now.getTime() + pauseMs);
  if (until > pause.until) logPaymentEvent("ecpay.paused", { reason: "ECPay answered HTTP 403", until: new Date(until).toISOString() });
  pause.until = until;
  pause.resumeLogged = false;
}
