import { describe, expect, it } from "vitest";
import { parseOperationRequest } from "~/payments/operations/request";

const headers = (overrides: Record<string, string | null> = {}) => {
  const h = new Headers({ "Shopify-Shop-Domain": "tea.myshopify.com", "Shopify-Request-Id": "req-1", "Shopify-Api-Version": "2026-07" });
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) h.delete(name);
    else h.set(name, value);
  }
  return h;
};

const refundBody = {
  id: "r1",
  gid: "gid://shopify/RefundSession/r1",
  payment_id: "p1",
  amount: "300.00",
  currency: "TWD",
  test: false,
  merchant_locale: "zh-TW",
  proposed_at: "2026-03-02T04:00:00Z",
};

describe("parsing Shopify's refund, capture and void requests", () => {
  it("reads a refund request as documented", () => {
    const parsed = parseOperationRequest("refund", headers(), JSON.stringify(refundBody));
    expect(parsed._unsafeUnwrap()).toEqual({
      type: "refund",
      shop: "tea.myshopify.com",
      requestId: "req-1",
      apiVersion: "2026-07",
      id: "r1",
      gid: "gid://shopify/RefundSession/r1",
      paymentId: "p1",
      amountRaw: "300.00",
      currency: "TWD",
      test: false,
      merchantLocale: "zh-TW",
      proposedAt: new Date("2026-03-02T04:00:00Z"),
    });
  });

  it("reads a void request, which carries no amount", () => {
    const { amount: _a, currency: _c, ...rest } = refundBody;
    const parsed = parseOperationRequest("void", headers(), JSON.stringify({ ...rest, gid: "gid://shopify/VoidSession/r1" }));
    expect(parsed._unsafeUnwrap()).toMatchObject({ type: "void", amountRaw: null, currency: null });
  });

  it("keeps a fractional amount as sent so that it can be rejected with a message", () => {
    expect(parseOperationRequest("refund", headers(), JSON.stringify({ ...refundBody, amount: "12.50" }))._unsafeUnwrap().amountRaw).toBe("12.50");
  });

  it("names the missing header", () => {
    const problem = parseOperationRequest("refund", headers({ "Shopify-Request-Id": null }), JSON.stringify(refundBody))._unsafeUnwrapErr();
    expect(problem.status).toBe(400);
    expect(problem.message).toContain("Shopify-Request-Id");
    expect(parseOperationRequest("refund", headers({ "Shopify-Shop-Domain": "evil.example.com" }), "{}")._unsafeUnwrapErr().message).toContain(
      "Shopify-Shop-Domain",
    );
  });

  it("names the malformed field and refuses a body that is not JSON", () => {
    expect(parseOperationRequest("refund", headers(), JSON.stringify({ ...refundBody, amount: 300 }))._unsafeUnwrapErr().message).toContain("body.amount");
    expect(parseOperationRequest("capture", headers(), JSON.stringify(refundBody))._unsafeUnwrapErr().message).toContain("body.gid");
    expect(parseOperationRequest("refund", headers(), "not json")._unsafeUnwrapErr()).toEqual({ status: 400, code: "MALFORMED", message: "the body is not JSON" });
  });
});
