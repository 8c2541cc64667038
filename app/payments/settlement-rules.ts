// Pure rules the settlement and the reconciler share: when an authorization must be closed, the
// flags a payment carries for the merchant, and how long an unanswered attempt is worth asking about.
import { parseTaiwanDateTime } from "../lib/taiwan-time";

// How a paid card trade was paid is read from ECPay's fields by the gateway.
export { paidCardFacts } from "../ecpay/outcomes";

const DAY_MS = 24 * 3600_000;

/** ECPay refuses to close an authorization after 21 days; tell Shopify a day earlier. */
export const AUTHORIZATION_WINDOW_DAYS = 20;

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

/**
 * PaymentSession.flag holds a set of flags, comma-separated, most urgent first, so a later flag
 * never hides an earlier one (a duplicate payment still to refund and an authorization about to
 * lapse are both shown). A single flag is stored exactly as before ("AMOUNT_MISMATCH").
 * Precedence: a deadline within days first, then money that does not match, then money to return.
 */
export const FLAG_PRECEDENCE = [
  "AUTHORIZATION_EXPIRING",
  "AMOUNT_MISMATCH",
  "DUPLICATE_PAYMENT",
  "LATE_PAYMENT",
  "SIMULATED_PAYMENT_IN_PRODUCTION",
  // A refund whose DoAction R got no answer, and ECPay's documented fields could not show it done:
  // the merchant checks the back office (we never send the R again).
  "REFUND_UNCONFIRMED",
] as const;

/** Installment and redemption trades are refunded (and closed) only in full (ecpay-aio §4.1). */
export function tradeIsFullOnly(trade: { installmentStages: number | null; redeemedAmount: number | null }): boolean {
  return (trade.installmentStages ?? 0) > 0 || (trade.redeemedAmount ?? 0) > 0;
}

export function flagsOf(value: string | null | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((flag) => flag.trim())
    .filter((flag) => flag !== "");
}

export function hasFlag(value: string | null | undefined, flag: string): boolean {
  return flagsOf(value).includes(flag);
}

const rank = (flag: string) => {
  const index = (FLAG_PRECEDENCE as readonly string[]).indexOf(flag);
  return index === -1 ? FLAG_PRECEDENCE.length : index;
};

/** The flag set with `flag` added, in precedence order (unknown flags after the known ones, as they came). */
export function withFlag(value: string | null | undefined, flag: string): string {
  const flags = flagsOf(value);
  if (!flags.includes(flag)) flags.push(flag);
  return flags
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
    .map(({ f }) => f)
    .join(",");
}

/** The flag set without `flag`; null when nothing is left. */
export function withoutFlag(value: string | null | undefined, flag: string): string | null {
  const rest = flagsOf(value).filter((f) => f !== flag);
  return rest.length > 0 ? rest.join(",") : null;
}
