// Every time limit of the payment flows, in one place, each with its source. The limits ECPay and
// Shopify impose, and the ones we derive from them (authorization expiry, ATM windows, when an
// unanswered attempt counts as abandoned). Pure: no database, no clock of its own.
import { parseTaiwanDateTime } from "../lib/taiwan-time";
import type { PaymentMethodDefinition } from "./methods";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

// ── Card authorizations ──────────────────────────────────────────────────────────────────────

/**
 * ECPay: with 每日自動關帳 (daily auto-close) off, an authorization must be closed (DoAction C)
 * within 21 days, or it can no longer be closed through the API (ecpay-aio §4.1, [DOC]; ECPay's
 * back office counts it down as 倒數 N 天, manual §7-2's export). Counted from the authorization:
 * ECPay's PaymentDate.
 */
export const ECPAY_CLOSE_LIMIT_DAYS = 21;

/**
 * What Shopify is told (paymentSessionResolve's authorizationExpiresAt): a day before ECPay's
 * limit, from the same date, so that a capture taken on the last day still reaches ECPay (the
 * DoAction runs in the background and may wait out the 20:15–20:30 pause). Every consumer counts
 * from the stored PaymentSession.authorizationExpiresAt, which this produces.
 */
export const AUTHORIZATION_WINDOW_DAYS = ECPAY_CLOSE_LIMIT_DAYS - 1;

/**
 * When Shopify must consider the authorization expired: AUTHORIZATION_WINDOW_DAYS after ECPay
 * authorized it (PaymentDate, Taiwan time), not after we happened to learn of it: a notification
 * settled late by the reconciler must not extend ECPay's 21 days. Without a readable PaymentDate,
 * or one ahead of our clock, our own time is the best we know.
 */
export function authorizationExpiresAt(paymentDate: string | null, now: Date): Date {
  const paid = paymentDate ? parseTaiwanDateTime(paymentDate) : null;
  const from = paid && paid.getTime() <= now.getTime() ? paid : now;
  return new Date(from.getTime() + AUTHORIZATION_WINDOW_DAYS * DAY_MS);
}

/** Days left to capture an authorization, counted to its authorizationExpiresAt: a started day counts (23 h left is 1), 0 once past. */
export function captureDaysLeft(expiresAt: Date, now: Date): number {
  return Math.max(0, Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS));
}

/** The capture page lists authorizations this old, so the merchant captures them in time. */
export const LIST_AUTHORIZATIONS_FROM_DAYS = 14;

/** The reconciler flags an authorization AUTHORIZATION_EXPIRING this long before it expires. */
export const AUTHORIZATION_EXPIRING_WITHIN_MS = 2 * DAY_MS;

// ── ECPay's daily close pause ────────────────────────────────────────────────────────────────

/**
 * "With 每日自動關帳 on, the system closes at 20:15 and you must not call DoAction between 20:15
 * and 20:30" (ecpay-aio §4.1), Taiwan time, in minutes of the day. We cannot know the merchant's
 * setting, so no DoAction is sent in that window (operations/close-window.ts).
 */
export const DOACTION_PAUSE_MINUTES = { start: 20 * 60 + 15, end: 20 * 60 + 30 } as const;

// ── ATM virtual accounts and Shopify's pending window ────────────────────────────────────────

/** Shopify's pending window (paymentSessionPending's pendingExpiresAt, "within 3 days"). */
export const SHOPIFY_PENDING_LIMIT_MS = 3 * DAY_MS;

/**
 * The longest ATM deadline a merchant can set (ECPay's ExpireDate, in days). ECPay's deadline is
 * the END of the Taiwan day ExpireDate days after issue (PaymentInfoURL's ExpireDate is a date), so
 * N days can be up to N+1 days away (issued just after midnight). Shopify's pendingExpiresAt is
 * "recommended to be within 3 days" and refused beyond its limit (OUT_OF_RANGE_PENDING_EXPIRES_AT),
 * so 2 is the largest N whose deadline always falls within 3 days of issue. The manual fixes ATM
 * deadlines at 2 days (DESIGN §2); ECPay allows 1 to 60 (ecpay-aio §2.3).
 */
export const ATM_MAX_EXPIRE_DAYS = 2;
/** The shortest ATM deadline a merchant can choose (ECPay's minimum ExpireDate). */
export const ATM_MIN_EXPIRE_DAYS = 1;

/**
 * Shopify refused an ATM payment's pendingExpiresAt as out of range: the one retry asks for this
 * window, the shortest ATM deadline a merchant can choose (jobs/outbox.server.ts).
 */
export const PENDING_RETRY_WINDOW_MS = ATM_MIN_EXPIRE_DAYS * DAY_MS;

// ── Unanswered attempts ──────────────────────────────────────────────────────────────────────

/** A card, WebATM or TWQR attempt still unpaid this long after it was created was left by the buyer. */
export const ABANDONED_AFTER_MS = DAY_MS;

/**
 * An ATM attempt can be paid until its deadline: the end of the Taiwan day ATM_MAX_EXPIRE_DAYS
 * after it was created at the latest. It is never abandoned before that (plus an hour's grace).
 */
export const ATM_ABANDONED_AFTER_MS = (ATM_MAX_EXPIRE_DAYS + 1) * DAY_MS + HOUR_MS;

/** How long an unanswered attempt of this method is worth asking ECPay about before it counts as abandoned. */
export function abandonedAfterMs(method: Pick<PaymentMethodDefinition, "pending">): number {
  return method.pending ? ATM_ABANDONED_AFTER_MS : ABANDONED_AFTER_MS;
}

// ── ECPay's throttle ─────────────────────────────────────────────────────────────────────────

/** After an HTTP 403 from ECPay no query is sent for this long ("a 30-minute wait", ecpay-aio §6, UNCONFIRMED). */
export const ECPAY_RATE_LIMIT_PAUSE_MS = 30 * MINUTE_MS;
