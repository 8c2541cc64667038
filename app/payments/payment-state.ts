// The payment session state machine. Every status change goes through `nextStatus`, so an event
// that does not fit the current state (a late duplicate, a replay, a race) changes nothing.
import type { PaymentStatus } from "@prisma/client";

export type PaymentEvent =
  | { type: "attempt-created" }
  | { type: "atm-issued" }
  | { type: "paid"; kind: "SALE" | "AUTHORIZATION" }
  | { type: "rejected" }
  | { type: "captured" }
  | { type: "voided" }
  | { type: "refunded"; fully: boolean };

const TERMINAL_FOR_PAYMENT: readonly PaymentStatus[] = ["AUTHORIZED", "PAID", "REJECTED", "VOIDED", "PARTIALLY_REFUNDED", "REFUNDED"];

/** The status after `event`, or null when the event is not allowed in `status`. */
export function nextStatus(status: PaymentStatus, event: PaymentEvent): PaymentStatus | null {
  switch (event.type) {
    case "attempt-created":
      return status === "RECEIVED" || status === "REDIRECTED" ? "REDIRECTED" : null;
    case "atm-issued":
      return status === "RECEIVED" || status === "REDIRECTED" || status === "PENDING" ? "PENDING" : null;
    case "paid":
      if (status === "RECEIVED" || status === "REDIRECTED" || status === "PENDING") {
        return event.kind === "AUTHORIZATION" ? "AUTHORIZED" : "PAID";
      }
      return null;
    case "rejected":
      return status === "RECEIVED" || status === "REDIRECTED" || status === "PENDING" ? "REJECTED" : null;
    case "captured":
      return status === "AUTHORIZED" ? "PAID" : null;
    case "voided":
      return status === "AUTHORIZED" ? "VOIDED" : null;
    case "refunded":
      return status === "PAID" || status === "PARTIALLY_REFUNDED" ? (event.fully ? "REFUNDED" : "PARTIALLY_REFUNDED") : null;
    default:
      return assertNever(event);
  }
}

/** Shopify has been (or is being) told the outcome of the payment session itself. */
export function isPaymentFinal(status: PaymentStatus): boolean {
  return TERMINAL_FOR_PAYMENT.includes(status);
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
