import { describe, expect, it } from "vitest";
import { abandonedAfterMs } from "~/jobs/reconciler.server";
import { ATM_MAX_EXPIRE_DAYS, SHOPIFY_PENDING_LIMIT_MS } from "~/payments/methods";
import { atmDeadline } from "~/payments/settlement.server";
import { authorizationExpiresAt, flagsOf, hasFlag, withFlag, withoutFlag } from "~/payments/settlement-rules";

const DAY_MS = 24 * 3600_000;

describe("authorizationExpiresAt", () => {
  it("counts ECPay's window from PaymentDate in Taiwan time, not from when we learnt of the payment", () => {
    const settledLate = new Date("2026-11-26T03:00:00Z");
    // 2026/11/24 09:30:00 in Taipei is 01:30 UTC.
    expect(authorizationExpiresAt("2026/11/24 09:30:00", settledLate).toISOString()).toBe(new Date(Date.parse("2026-11-24T01:30:00Z") + 20 * DAY_MS).toISOString());
  });

  it("falls back to our clock when PaymentDate is missing, unreadable or ahead of us", () => {
    const now = new Date("2026-11-26T03:00:00Z");
    const expected = new Date(now.getTime() + 20 * DAY_MS).toISOString();
    expect(authorizationExpiresAt(null, now).toISOString()).toBe(expected);
    expect(authorizationExpiresAt("2026-11-24 09:30", now).toISOString()).toBe(expected);
    expect(authorizationExpiresAt("2026/11/27 09:30:00", now).toISOString()).toBe(expected);
  });
});

describe("payment flags", () => {
  it("keep an earlier flag when another is added, most urgent first", () => {
    expect(withFlag(null, "AMOUNT_MISMATCH")).toBe("AMOUNT_MISMATCH");
    const both = withFlag("DUPLICATE_PAYMENT", "AUTHORIZATION_EXPIRING");
    expect(both).toBe("AUTHORIZATION_EXPIRING,DUPLICATE_PAYMENT");
    expect(flagsOf(both)).toEqual(["AUTHORIZATION_EXPIRING", "DUPLICATE_PAYMENT"]);
    expect(hasFlag(both, "DUPLICATE_PAYMENT")).toBe(true);
  });

  it("add a flag once, keep unknown flags after the known ones, and drop one without touching the rest", () => {
    expect(withFlag("AMOUNT_MISMATCH", "AMOUNT_MISMATCH")).toBe("AMOUNT_MISMATCH");
    expect(withFlag("SOMETHING_NEW", "LATE_PAYMENT")).toBe("LATE_PAYMENT,SOMETHING_NEW");
    expect(withoutFlag("AUTHORIZATION_EXPIRING,DUPLICATE_PAYMENT", "AUTHORIZATION_EXPIRING")).toBe("DUPLICATE_PAYMENT");
    expect(withoutFlag("AUTHORIZATION_EXPIRING", "AUTHORIZATION_EXPIRING")).toBeNull();
    expect(flagsOf(null)).toEqual([]);
  });
});

describe("abandoning an unanswered attempt", () => {
  it("waits a day for a card or wallet, and past the latest ATM deadline for an ATM account", () => {
    expect(abandonedAfterMs({ method: "credit" })).toBe(DAY_MS);
    // Created and issued at 00:00:01 Taiwan time with the longest deadline (2 days): payable until
    // 23:59:59 of day 2, almost 3 days later.
    const created = new Date("2026-03-01T00:00:01+08:00");
    const latest = atmDeadline(`2026/03/0${1 + ATM_MAX_EXPIRE_DAYS}`)!;
    expect(latest.getTime() - created.getTime()).toBeLessThan(SHOPIFY_PENDING_LIMIT_MS);
    expect(abandonedAfterMs({ method: "atm" })).toBeGreaterThan(latest.getTime() - created.getTime());
  });
});
