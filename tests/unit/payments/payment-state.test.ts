import { describe, expect, it } from "vitest";
import type { PaymentStatus } from "@prisma/client";
import { isPaymentFinal, nextStatus } from "~/payments/payment-state";

const ALL: PaymentStatus[] = ["RECEIVED", "REDIRECTED", "PENDING", "AUTHORIZED", "PAID", "REJECTED", "VOIDED", "PARTIALLY_REFUNDED", "REFUNDED"];

describe("the payment state machine", () => {
  it("resolves a sale as paid and an authorization as authorized from any open state", () => {
    for (const status of ["RECEIVED", "REDIRECTED", "PENDING"] as const) {
      expect(nextStatus(status, { type: "paid", kind: "SALE" })).toBe("PAID");
      expect(nextStatus(status, { type: "paid", kind: "AUTHORIZATION" })).toBe("AUTHORIZED");
    }
  });

  it("ignores a payment reported after the session was already finalized", () => {
    for (const status of ["AUTHORIZED", "PAID", "REJECTED", "VOIDED", "PARTIALLY_REFUNDED", "REFUNDED"] as const) {
      expect(nextStatus(status, { type: "paid", kind: "SALE" }), status).toBeNull();
      expect(nextStatus(status, { type: "rejected" }), status).toBeNull();
      expect(isPaymentFinal(status)).toBe(true);
    }
  });

  it("captures and voids only an authorization", () => {
    for (const status of ALL) {
      expect(nextStatus(status, { type: "captured" })).toBe(status === "AUTHORIZED" ? "PAID" : null);
      expect(nextStatus(status, { type: "voided" })).toBe(status === "AUTHORIZED" ? "VOIDED" : null);
    }
  });

  it("refunds only what was paid, partially then fully", () => {
    expect(nextStatus("PAID", { type: "refunded", fully: false })).toBe("PARTIALLY_REFUNDED");
    expect(nextStatus("PARTIALLY_REFUNDED", { type: "refunded", fully: true })).toBe("REFUNDED");
    expect(nextStatus("AUTHORIZED", { type: "refunded", fully: true })).toBeNull();
    expect(nextStatus("REFUNDED", { type: "refunded", fully: true })).toBeNull();
  });

  it("moves to pending only while the buyer has not paid", () => {
    expect(nextStatus("REDIRECTED", { type: "atm-issued" })).toBe("PENDING");
    expect(nextStatus("PAID", { type: "atm-issued" })).toBeNull();
    expect(isPaymentFinal("PENDING")).toBe(false);
  });
});
