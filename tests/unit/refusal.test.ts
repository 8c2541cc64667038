import { describe, expect, it } from "vitest";
import { refusal, refusalResponse } from "~/lib/refusal";

describe("HTTP refusals", () => {
  const tooLarge = refusal(413, "BODY_TOO_LARGE", "Request body too large");

  it("answers Shopify's session endpoint and browsers with the message as text", async () => {
    const response = refusalResponse(tooLarge, "text");
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toBe("Request body too large");
  });

  it("answers Shopify's refund, capture and void endpoints with {error}", async () => {
    const response = refusalResponse(refusal(422, "MISMATCH", "payment p1 belongs to another shop"), "json");
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual({ error: "payment p1 belongs to another shop" });
  });

  it("answers ECPay with 0|message, never its 1|OK, and keeps extra headers", async () => {
    const response = refusalResponse(tooLarge, "ecpay", { Connection: "close" });
    expect(await response.text()).toBe("0|Request body too large");
    expect(response.headers.get("connection")).toBe("close");
  });
});
