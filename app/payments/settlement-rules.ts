// Pure rules the settlement and the reconciler share: the flags a payment carries for the
// merchant and what a paid card trade allows. Time limits (when an authorization expires, when an
// attempt is abandoned) are in time-limits.ts.

// How a paid card trade was paid is read from ECPay's fields by the gateway.
export { paidCardFacts } from "../ecpay/outcomes";

// The settlement reads the authorization's expiry from here (settlement.server.ts).
export { authorizationExpiresAt } from "./time-limits";

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
