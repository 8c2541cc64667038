import type { MessageKey } from "../i18n";
// What the merchant sees for a payment: one word per state, matching Shopify's payment status
// names in the manual (§6-2), derived from our PaymentStatus and the ECPay attempts.
import type { PaymentStatus } from "@prisma/client";

export const DISPLAY_STATUSES = [
  "incomplete",
  "pending",
  "authorized",
  "paid",
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
  partiallyRefunded: "warning",
  refunded: undefined,
  voided: undefined,
  expired: "critical",
  failed: "critical",
};

/**
 * The stored statuses behind a display status. "expired" and "failed" both come from REJECTED;
 * the attempts tell them apart (an ATM attempt that expired unpaid).
 */
export const STATUS_FILTER: Record<DisplayStatus, readonly PaymentStatus[]> = {
  incomplete: ["RECEIVED", "REDIRECTED"],
  pending: ["PENDING"],
  authorized: ["AUTHORIZED"],
  paid: ["PAID"],
  partiallyRefunded: ["PARTIALLY_REFUNDED"],
  refunded: ["REFUNDED"],
  voided: ["VOIDED"],
  expired: ["REJECTED"],
  failed: ["REJECTED"],
};

export function isDisplayStatus(value: unknown): value is DisplayStatus {
  return typeof value === "string" && (DISPLAY_STATUSES as readonly string[]).includes(value);
}

export function displayStatus(status: PaymentStatus, attemptStatuses: readonly string[]): DisplayStatus {
  switch (status) {
    case "RECEIVED":
    case "REDIRECTED":
      return "incomplete";
    case "PENDING":
      return "pending";
    case "AUTHORIZED":
      return "authorized";
    case "PAID":
      return "paid";
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

/** Shopify's checkout token from the session's cancel URL (…/checkouts/<kind>/<token>/…), when present. */
export function checkoutReference(cancelUrl: string): string | null {
  const match = /\/checkouts\/(?:[a-z]{1,3}\/)?([A-Za-z0-9_-]{6,})/.exec(cancelUrl);
  return match?.[1] ?? null;
}


/** The admin's label of each display status (badges, the CSV export). */
export const STATUS_LABELS: Record<DisplayStatus, MessageKey> = {
  incomplete: "admin.status.incomplete",
  pending: "admin.status.pending",
  authorized: "admin.status.authorized",
  paid: "admin.status.paid",
  partiallyRefunded: "admin.status.partiallyRefunded",
  refunded: "admin.status.refunded",
  voided: "admin.status.voided",
  expired: "admin.status.expired",
  failed: "admin.status.failed",
};
