import type { MessageKey } from "../i18n";
// What the merchant sees for a payment: one word per state, matching Shopify's payment status
// names in the manual (§6-2), derived from our PaymentStatus, the amounts and the ECPay attempts.
import type { PaymentKind, PaymentStatus } from "@prisma/client";
import { capturedAmountOf } from "../payments/operations/rules";

export { SHOPIFY_STATUS_WORDS } from "../i18n/shopify-words";

export const DISPLAY_STATUSES = [
  "incomplete",
  "pending",
  "authorized",
  "paid",
  "partiallyPaid",
  "partiallyRefunded",
  "refunded",
  "voided",
  "expired",
  "failed",
] as const;

export type DisplayStatus = (typeof DISPLAY_STATUSES)[number];

export type BadgeTone = "info" | "success" | "attention" | "warning" | "critical" | undefined;

export const STATUS_TONES: Record<DisplayStatus, BadgeTone> = {
  incomplete: undefined,
  pending: "attention",
  authorized: "info",
  paid: "success",
  partiallyPaid: "warning",
  partiallyRefunded: "warning",
  refunded: undefined,
  voided: undefined,
  expired: "critical",
  failed: "critical",
};

/**
 * The stored statuses behind a display status. "expired" and "failed" both come from REJECTED;
 * the attempts tell them apart (an ATM attempt that expired unpaid). "paid" and "partiallyPaid"
 * both come from PAID; the captured amount tells them apart (transactions.server.ts filterWhere).
 */
export const STATUS_FILTER: Record<DisplayStatus, readonly PaymentStatus[]> = {
  incomplete: ["RECEIVED", "REDIRECTED"],
  pending: ["PENDING"],
  authorized: ["AUTHORIZED"],
  paid: ["PAID"],
  partiallyPaid: ["PAID"],
  partiallyRefunded: ["PARTIALLY_REFUNDED"],
  refunded: ["REFUNDED"],
  voided: ["VOIDED"],
  expired: ["REJECTED"],
  failed: ["REJECTED"],
};

export function isDisplayStatus(value: unknown): value is DisplayStatus {
  return typeof value === "string" && (DISPLAY_STATUSES as readonly string[]).includes(value);
}

/** The amounts a status depends on: an authorization captured in part is "partially paid", as at Shopify. */
export interface StatusAmounts {
  kind: PaymentKind;
  amount: number | null;
  capturedAmount: number;
}

export function displayStatus(status: PaymentStatus, attemptStatuses: readonly string[], amounts?: StatusAmounts): DisplayStatus {
  switch (status) {
    case "RECEIVED":
    case "REDIRECTED":
      return "incomplete";
    case "PENDING":
      return "pending";
    case "AUTHORIZED":
      return "authorized";
    case "PAID":
      return amounts && isPartialCapture(amounts) ? "partiallyPaid" : "paid";
    case "PARTIALLY_REFUNDED":
      return "partiallyRefunded";
    case "REFUNDED":
      return "refunded";
    case "VOIDED":
      return "voided";
    case "REJECTED":
      return attemptStatuses.includes("EXPIRED") ? "expired" : "failed";
  }
}

function isPartialCapture(amounts: StatusAmounts): boolean {
  return amounts.kind === "AUTHORIZATION" && amounts.amount !== null && amounts.capturedAmount > 0 && amounts.capturedAmount < amounts.amount;
}

/** What the merchant sees of a payment's money, in whole TWD (null when Shopify's amount was not whole TWD). */
export interface PaymentMoney {
  /** What the buyer authorized (a sale: what they paid). */
  authorized: number | null;
  captured: number;
  refunded: number;
  /** Captured less refunded: what the merchant keeps before ECPay's fee. */
  net: number;
  /** ECPay's fee, only where ECPay took money (never for a voided or never-captured authorization). */
  fee: string | null;
}

export function paymentMoney(
  session: StatusAmounts & { status: PaymentStatus; refundedAmount: number; authorizationExpiresAt?: Date | null },
  chargeFee: string | null | undefined,
): PaymentMoney {
  const captured = capturedAmountOf({ ...session, authorizationExpiresAt: session.authorizationExpiresAt ?? null });
  return {
    authorized: session.amount,
    captured,
    refunded: session.refundedAmount,
    net: captured - session.refundedAmount,
    fee: captured > 0 && chargeFee ? chargeFee : null,
  };
}

// The buyer pages show the same reference, so it is read where Shopify's requests are.
export { checkoutReference } from "../payments/shopify-requests";


/** The admin's label of each display status (badges, the CSV export). */
export const STATUS_LABELS: Record<DisplayStatus, MessageKey> = {
  incomplete: "admin.status.incomplete",
  pending: "admin.status.pending",
  authorized: "admin.status.authorized",
  paid: "admin.status.paid",
  partiallyPaid: "admin.status.partiallyPaid",
  partiallyRefunded: "admin.status.partiallyRefunded",
  refunded: "admin.status.refunded",
  voided: "admin.status.voided",
  expired: "admin.status.expired",
  failed: "admin.status.failed",
};
