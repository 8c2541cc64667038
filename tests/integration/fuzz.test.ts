// The CI fuzz run (npm run fuzz runs the long one): 1,000 generated malformed, oversized and
// unicode-heavy requests to every endpoint, then the regressions for what the fuzzer found.
import { createHmac, randomUUID } from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { summarizeFuzz } from "../chaos/fuzz";
import { fuzzPaymentStack } from "../chaos/fuzz-stack";
import { PRODUCTION_MERCHANT, SHOP, startPaymentStack, type PaymentStack } from "../support/payment-stack";
import { appSecret } from "../support/test-env";

let stack: PaymentStack;

beforeAll(async () => {
  stack = await startPaymentStack(inject("templateDatabaseUrl"));
});

afterAll(async () => {
  await stack?.close();
});

const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36";

describe("the fuzz run", () => {
  it("answers 1,000 malformed requests to every endpoint without a 5xx, a hang or a changed row", async () => {
    const report = await fuzzPaymentStack(stack, { requests: 1_000, seed: 20261125 });
    expect(report.requests).toBe(1_000);
    expect(Object.keys(report.byEndpoint).sort()).toEqual(
      ["admin", "capture", "pay", "payment-info", "refund", "result", "return", "session", "verbs", "void", "webhooks"].sort(),
    );
    // Signed with the public stage keys for a waiting ATM attempt, one field off its documented shape.
    const signedOffShape = Object.entries(report.byDefect).filter(([defect]) => defect.startsWith("ecpay-signed-bad-"));
    expect(signedOffShape.reduce((sum, [, n]) => sum + n, 0)).toBeGreaterThan(20);
    expect(report.serverErrors, summarizeFuzz(report)).toBe(0);
    expect(report.transportErrors, summarizeFuzz(report)).toBe(0);
    expect(report.acceptedMalformed, summarizeFuzz(report)).toBe(0);
    expect(report.stateChanged, summarizeFuzz(report)).toEqual([]);
    expect((await fetch(`${stack.server.origin}/healthz`)).status).toBe(200);
  }, 600_000);
});

describe("defects the fuzzer found", () => {
  it("answers 400, not a 500 page, to an admin URL whose ?shop= is not a shop domain", async () => {
    for (const shop of ["bad shop", "1e309", "<script>", "ｇｉｄ"]) {
      const response = await fetch(`${stack.server.origin}/apps/credit/transactions?shop=${encodeURIComponent(shop)}`, {
        headers: { "User-Agent": BROWSER },
        redirect: "manual",
      });
      expect(response.status, shop).toBe(400);
      const page = await response.text();
      expect(page).toContain("Invalid shop domain");
      expect(page).not.toContain(PRODUCTION_MERCHANT.merchantId);
    }
  });

  it("answers 400 to a correctly signed webhook whose body is not JSON or whose customer is malformed", async () => {
    const post = (topic: string, body: string) =>
      fetch(`${stack.server.origin}/webhooks/credit/${topic}`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Shopify-Hmac-Sha256": createHmac("sha256", appSecret("credit")).update(body).digest("base64"),
          "X-Shopify-Topic": topic,
          "X-Shopify-Shop-Domain": "someone-else.myshopify.com",
          "X-Shopify-API-Version": "2026-07",
          "X-Shopify-Webhook-Id": randomUUID(),
        },
        body,
      });
    expect((await post("customers/redact", "綠界 not json")).status).toBe(400);
    expect((await post("customers/data_request", JSON.stringify({ customer: "buyer@example.com" }))).status).toBe(400);
    expect((await post("customers/redact", JSON.stringify([]))).status).toBe(400);
  });

  it("keeps no record of refused ECPay messages about trades it does not hold", async () => {
    const before = await stack.prisma.ecpayNotification.count();
    const response = await fetch(`${stack.server.origin}/ecpay/credit/return`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `MerchantTradeNo=NOBODY123&RtnCode=1&pad=${"x".repeat(60_000)}&CheckMacValue=00`,
    });
    expect(response.status).toBe(404);
    expect(await response.text()).not.toBe("1|OK");
    const noTrade = await fetch(`${stack.server.origin}/ecpay/atm/payment-info`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "RtnCode=2",
    });
    expect(noTrade.status).toBe(400);
    // A card app has no PaymentInfoURL at all.
    const noPaymentInfo = await fetch(`${stack.server.origin}/ecpay/credit/payment-info`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "RtnCode=2",
    });
    expect(noPaymentInfo.status).toBe(404);
    expect(await stack.prisma.ecpayNotification.count()).toBe(before);
  });

  it("refuses NUL characters in URLs and bodies with 400 (PostgreSQL cannot run a query with one)", async () => {
    const shopify = { "Content-Type": "application/json", "Shopify-Shop-Domain": SHOP, "Shopify-Request-Id": "r", "Shopify-Api-Version": "2026-07" };
    const answers = await Promise.all([
      fetch(`${stack.server.origin}/pay/credit/%00`),
      fetch(`${stack.server.origin}/pay/installments/abc%00?wait=1`),
      fetch(`${stack.server.origin}/apps/credit/transactions?q=%00`, { headers: { "User-Agent": BROWSER } }),
      fetch(`${stack.server.origin}/payments/credit/session`, { method: "POST", headers: shopify, body: JSON.stringify({ id: "a\u0000b" }) }),
      fetch(`${stack.server.origin}/payments/credit/refund`, { method: "POST", headers: shopify, body: JSON.stringify({ id: "r1", payment_id: "\u0000" }) }),
      fetch(`${stack.server.origin}/ecpay/credit/return`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "MerchantTradeNo=%00&RtnCode=1" }),
      fetch(`${stack.server.origin}/ecpay/credit/result`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "MerchantTradeNo=A%00" }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400, 400, 400]);
  });

  it("refuses refund, capture and void requests that are not application/json with 415", async () => {
    for (const kind of ["refund", "capture", "void"]) {
      const response = await fetch(`${stack.server.origin}/payments/credit/${kind}`, {
        method: "POST",
        headers: { "Content-Type": "text/plain", "Shopify-Shop-Domain": SHOP, "Shopify-Request-Id": "r", "Shopify-Api-Version": "2026-07" },
        body: JSON.stringify({ id: `ct-${kind}` }),
      });
      expect(response.status, kind).toBe(415);
    }
    expect(await stack.prisma.operationSession.count({ where: { id: { startsWith: "ct-" } } })).toBe(0);
  });

  it("still answers on a keep-alive connection after refusing a body it did not read", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const url = new URL(stack.server.origin);
    const send = (path: string, body: Buffer | null, chunked: boolean) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path,
            method: body ? "POST" : "GET",
            agent,
            timeout: 10_000,
            headers: body ? { "content-type": "application/json", ...(chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(body.length) }) } : {},
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("timeout", () => req.destroy(new Error("timed out: the connection hung")));
        req.on("error", reject);
        if (body && chunked) for (let i = 0; i < body.length; i += 16_384) req.write(body.subarray(i, i + 16_384));
        req.end(body && !chunked ? body : undefined);
      });
    try {
      // 404 for an unknown method, before the route reads the 200 KB chunked body.
      expect(await send("/payments/visa/void", Buffer.alloc(200_000, "a"), true)).toBe(404);
      expect(await send("/healthz?shallow=1", null, false)).toBe(200);
      expect(await send("/payments/credit/void", Buffer.from("{"), false)).toBe(400);
    } finally {
      agent.destroy();
    }
  });

  it("refuses a chunked body over 64 KB without buffering it whole", async () => {
    const body = Buffer.alloc(2_000_000, "a");
    const url = new URL(stack.server.origin);
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: "/ecpay/credit/return", method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "transfer-encoding": "chunked" } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(String(res.statusCode)));
        },
      );
      req.on("error", () => resolve("connection closed"));
      for (let i = 0; i < body.length; i += 65_536) req.write(body.subarray(i, i + 65_536));
      req.end();
    });
    expect(["413", "connection closed"]).toContain(outcome);
    expect((await fetch(`${stack.server.origin}/healthz`)).status).toBe(200);
  });
});
