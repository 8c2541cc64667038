import { describe, expect, it } from "vitest";
import { checkoutReference, displayStatus, STATUS_FILTER, DISPLAY_STATUSES } from "~/admin/status";
import { decodeCursor, encodeCursor, parseTransactionQuery, taiwanDayEnd, taiwanDayStart } from "~/admin/transactions.server";

describe("the status a merchant sees", () => {
  it("names each stored status the way Shopify's order list does", () => {
    expect(displayStatus("RECEIVED", [])).toBe("incomplete");
    expect(displayStatus("REDIRECTED", ["CREATED"])).toBe("incomplete");
    expect(displayStatus("PENDING", ["ISSUED"])).toBe("pending");
    expect(displayStatus("AUTHORIZED", ["PAID"])).toBe("authorized");
    expect(displayStatus("PAID", ["PAID"])).toBe("paid");
    expect(displayStatus("PARTIALLY_REFUNDED", ["PAID"])).toBe("partiallyRefunded");
    expect(displayStatus("REFUNDED", ["PAID"])).toBe("refunded");
    expect(displayStatus("VOIDED", ["PAID"])).toBe("voided");
  });

  it("tells an ATM payment that expired unpaid from one that failed", () => {
    expect(displayStatus("REJECTED", ["ISSUED", "EXPIRED"])).toBe("expired");
    expect(displayStatus("REJECTED", ["FAILED"])).toBe("failed");
    expect(displayStatus("REJECTED", [])).toBe("failed");
  });

  it("filters every display status by stored statuses that map back to it", () => {
    for (const status of DISPLAY_STATUSES) {
      for (const stored of STATUS_FILTER[status]) {
        const attempts = status === "expired" ? ["EXPIRED"] : [];
        expect(displayStatus(stored, attempts)).toBe(status);
      }
    }
  });

  it("reads Shopify's checkout token from the cancel URL, and nothing from other URLs", () => {
    expect(checkoutReference("https://shop.myshopify.com/checkouts/cn/Z2NwLWFzaWE6MDFK/processing")).toBe("Z2NwLWFzaWE6MDFK");
    expect(checkoutReference("https://shop.myshopify.com/checkouts/c/abcdef123456/thank-you")).toBe("abcdef123456");
    expect(checkoutReference("https://shop.myshopify.com/cart")).toBeNull();
  });
});

describe("transaction list queries", () => {
  it("round-trips a cursor and refuses garbage ones", () => {
    const cursor = { createdAt: new Date("2025-03-10T04:00:00.123Z"), id: "rAbc|def" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor("not-a-cursor")).toBeNull();
    expect(decodeCursor(Buffer.from("yesterday|x").toString("base64url"))).toBeNull();
    expect(decodeCursor(undefined)).toBeNull();
  });

  it("keeps valid filters and drops malformed ones instead of failing the page", () => {
    const query = parseTransactionQuery(new URLSearchParams("q=%20abc%20&status=paid&test=test&from=2025-03-01&to=2025-02-30x&bogus=1"));
    expect(query).toEqual({ q: "abc", status: "paid", test: "test", from: "2025-03-01" });
    expect(parseTransactionQuery(new URLSearchParams("status=deleted&test=maybe&q="))).toEqual({});
  });

  it("treats dates as Taiwan calendar days", () => {
    expect(taiwanDayStart("2025-03-10").toISOString()).toBe("2025-03-09T16:00:00.000Z");
    expect(taiwanDayEnd("2025-03-10").toISOString()).toBe("2025-03-10T16:00:00.000Z");
  });
});
