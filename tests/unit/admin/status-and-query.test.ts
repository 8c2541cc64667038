import { describe, expect, it } from "vitest";
import { formatAmount, formatMoney } from "~/admin/format";
import { checkoutReference, displayStatus, paymentMoney, STATUS_FILTER, DISPLAY_STATUSES } from "~/admin/status";
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

  it("calls an authorization captured in part partially paid, as Shopify does, and one captured in full paid", () => {
    expect(displayStatus("PAID", ["PAID"], { kind: "AUTHORIZATION", amount: 2380, capturedAmount: 1000 })).toBe("partiallyPaid");
    expect(displayStatus("PAID", ["PAID"], { kind: "AUTHORIZATION", amount: 2380, capturedAmount: 2380 })).toBe("paid");
    expect(displayStatus("PAID", ["PAID"], { kind: "SALE", amount: 2380, capturedAmount: 2380 })).toBe("paid");
  });

  it("counts captured, refunded and net money, and a fee only where ECPay took money", () => {
    const base = { kind: "AUTHORIZATION" as const, amount: 2380, capturedAmount: 1000, refundedAmount: 300 };
    expect(paymentMoney({ ...base, status: "PARTIALLY_REFUNDED" }, "48")).toEqual({ authorized: 2380, captured: 1000, refunded: 300, net: 700, fee: "48" });
    expect(paymentMoney({ ...base, capturedAmount: 0, refundedAmount: 0, status: "VOIDED" }, "48")).toEqual({ authorized: 2380, captured: 0, refunded: 0, net: 0, fee: null });
    expect(paymentMoney({ ...base, capturedAmount: 0, refundedAmount: 0, status: "AUTHORIZED" }, "48").fee).toBeNull();
    // A sale is captured at checkout even where no capture was recorded.
    expect(paymentMoney({ kind: "SALE", amount: 640, capturedAmount: 0, refundedAmount: 0, status: "PAID" }, null)).toMatchObject({ captured: 640, net: 640, fee: null });
  });

  it("formats money one way: NT$ and thousands separators", () => {
    expect(formatMoney(2380)).toBe("NT$2,380");
    expect(formatMoney(1234567)).toBe("NT$1,234,567");
    expect(formatMoney(0)).toBe("NT$0");
    expect(formatAmount(null, "10.50", "TWD")).toBe("10.50 TWD");
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
        const amounts = status === "partiallyPaid" ? { kind: "AUTHORIZATION" as const, amount: 2380, capturedAmount: 1000 } : undefined;
        expect(displayStatus(stored, attempts, amounts)).toBe(status);
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

  it("reads the chosen apps from repeated app (or Polaris' app[]) parameters, in the registry's order, dropping unknown ones", () => {
    expect(parseTransactionQuery(new URLSearchParams("app=atm&app[]=credit&app=paypal&app=atm")).apps).toEqual(["credit", "atm"]);
    expect(parseTransactionQuery(new URLSearchParams("app=paypal&app="))).toEqual({});
  });

  it("treats dates as Taiwan calendar days", () => {
    expect(taiwanDayStart("2025-03-10").toISOString()).toBe("2025-03-09T16:00:00.000Z");
    expect(taiwanDayEnd("2025-03-10").toISOString()).toBe("2025-03-10T16:00:00.000Z");
  });
});
