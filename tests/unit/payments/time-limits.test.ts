import { describe, expect, it } from "vitest";
import { PAYMENT_METHODS } from "~/payments/methods";
import {
  abandonedAfterMs,
  AUTHORIZATION_WINDOW_DAYS,
  authorizationExpiresAt,
  captureDaysLeft,
  ECPAY_CLOSE_LIMIT_DAYS,
  PENDING_RETRY_WINDOW_MS,
  SHOPIFY_PENDING_LIMIT_MS,
} from "~/payments/time-limits";

const DAY_MS = 24 * 3600_000;

describe("the time limits", () => {
  it("expire an authorization for Shopify one day before ECPay's 21-day close limit, both counted from PaymentDate", () => {
    expect(ECPAY_CLOSE_LIMIT_DAYS).toBe(21);
    expect(AUTHORIZATION_WINDOW_DAYS).toBe(20);
    const paid = Date.parse("2026-11-24T01:30:00Z"); // 2026/11/24 09:30:00 in Taipei
    const expires = authorizationExpiresAt("2026/11/24 09:30:00", new Date(paid + 3 * DAY_MS));
    expect(expires.getTime()).toBe(paid + (ECPAY_CLOSE_LIMIT_DAYS - 1) * DAY_MS);
  });

  it("count the days left to capture to the authorization's expiry, a started day as one, never below zero", () => {
    const expires = new Date("2026-12-14T01:30:00Z");
    expect(captureDaysLeft(expires, new Date("2026-11-24T01:30:00Z"))).toBe(20);
    expect(captureDaysLeft(expires, new Date("2026-12-13T02:00:00Z"))).toBe(1);
    expect(captureDaysLeft(expires, new Date("2026-12-14T01:30:00Z"))).toBe(0);
    expect(captureDaysLeft(expires, new Date("2026-12-20T00:00:00Z"))).toBe(0);
  });

  it("keep an unanswered ATM attempt longer than any other, since its account stays payable until its deadline", () => {
    for (const method of Object.values(PAYMENT_METHODS)) {
      expect(abandonedAfterMs(method)).toBe(method.pending ? abandonedAfterMs(PAYMENT_METHODS.atm) : DAY_MS);
    }
    expect(abandonedAfterMs(PAYMENT_METHODS.atm)).toBeGreaterThan(SHOPIFY_PENDING_LIMIT_MS);
  });

  it("retry a refused pending window with one inside Shopify's limit", () => {
    expect(PENDING_RETRY_WINDOW_MS).toBeLessThan(SHOPIFY_PENDING_LIMIT_MS);
  });
});
