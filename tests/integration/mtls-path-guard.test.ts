// The mTLS guard against path spellings, over real HTTP against the built server: with
// MTLS_VERIFIED_HEADER set, no spelling of a payments path (percent-encoding of any character,
// letter case, dot and empty segments, trailing slashes, `;` parameters, double encoding) reaches a
// payments route without the terminator's header, and nothing is stored. The canonical path with the
// header is answered 201, so the refusals below are the guard's doing, not a broken request.
import { request as httpRequest } from "node:http";
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createSecretBox } from "~/lib/secrets.server";
import { seedShop } from "~/ops/seed-shop.server";
import { startAppServer, type AppServer } from "../support/app-server";
import { cloneDatabase } from "../support/database";
import { prismaFor } from "../support/db-client";
import { testAppEnv, TEST_ENCRYPTION_KEY } from "../support/test-env";

const SHOP = "path-guard.myshopify.com";
const PAYMENT_ID = "pathGuardPayment01";
const HEADER = "X-Client-Verify";

let server: AppServer;
let prisma: PrismaClient;
let drop: () => Promise<void>;
let dbUrl: string;

beforeAll(async () => {
  const db = await cloneDatabase(inject("templateDatabaseUrl"));
  drop = db.drop;
  dbUrl = db.url;
  prisma = prismaFor(db.url);
  const box = createSecretBox({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
  await seedShop(prisma, box, { method: "credit", shop: SHOP, accessToken: "shpat_path_guard", merchantId: "3390001", hashKey: "PathGuardKey0001", hashIv: "PathGuardIv00001", ready: true });
  // A paid sale a buyer knows the id of (it is in their browser's /pay/<m>/<id> URL).
  await prisma.paymentSession.create({
    data: {
      id: PAYMENT_ID,
      gid: `gid://shopify/PaymentSession/${PAYMENT_ID}`,
      method: "credit",
      shop: SHOP,
      group: "g1",
      amount: 2480,
      amountRaw: "2480.00",
      currency: "TWD",
      kind: "SALE",
      test: false,
      cancelUrl: `https://${SHOP}/checkouts/c/1`,
      proposedAt: new Date(),
      status: "PAID",
      capturedAmount: 2480,
    },
  });
  server = await startAppServer(testAppEnv({ DATABASE_URL: db.url, DISABLE_WORKERS: "1", MTLS_VERIFIED_HEADER: HEADER, MTLS_VERIFIED_VALUE: "SUCCESS" }));
});

afterAll(async () => {
  await server?.stop();
  await prisma?.$disconnect();
  await drop?.();
});

let seq = 0;
/** POSTs a refund to `path` sent byte for byte (fetch would normalise dot segments and backslashes first). */
function refund(path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  seq += 1;
  const id = `pg-refund-${seq}`;
  const body = JSON.stringify({
    id,
    gid: `gid://shopify/RefundSession/${id}`,
    payment_id: PAYMENT_ID,
    amount: "100.00",
    currency: "TWD",
    test: false,
    proposed_at: new Date().toISOString(),
  });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: "127.0.0.1",
        port: server.port,
        method: "POST",
        path,
        headers: {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
          "Shopify-Shop-Domain": SHOP,
          "Shopify-Request-Id": id,
          "Shopify-Api-Version": "2026-07",
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** Every way to spell /payments/credit/refund that a byte-wise prefix match at the edge would miss. */
function spellings(): string[] {
  const canonical = "/payments/credit/refund";
  const out = new Set<string>();
  // Percent-encoding of each character in turn, upper- and lower-case hex, and double encoding.
  for (let i = 1; i < canonical.length; i += 1) {
    const char = canonical[i]!;
    if (char === "/") continue;
    const hex = char.charCodeAt(0).toString(16);
    out.add(`${canonical.slice(0, i)}%${hex.toUpperCase()}${canonical.slice(i + 1)}`);
    out.add(`${canonical.slice(0, i)}%${hex.toLowerCase()}${canonical.slice(i + 1)}`);
    out.add(`${canonical.slice(0, i)}%25${hex.toUpperCase()}${canonical.slice(i + 1)}`);
  }
  for (const variant of [
    "/x/../payments/credit/refund",
    "/payments/./credit/refund",
    "/payments/credit/x/../refund",
    "/payments/%2e%2e/payments/credit/refund",
    "//payments/credit/refund",
    "/payments//credit/refund",
    "/payments/credit//refund",
    "/payments;x/credit/refund",
    "/payments/credit;x/refund",
    "/payments/credit/refund;x",
    "/payments%2Fcredit%2Frefund",
    "/payments\\credit\\refund",
  ]) {
    out.add(variant);
  }
  return [...out];
}

describe("the mTLS guard against path spellings", () => {
  it("answers the canonical refund path 201 only with the terminator's header", async () => {
    const before = await prisma.operationSession.count();
    expect((await refund("/payments/credit/refund")).status).toBe(403);
    expect((await refund("/payments/credit/refund", { [HEADER]: "FAILED" })).status).toBe(403);
    expect(await prisma.operationSession.count()).toBe(before);
    expect((await refund("/payments/credit/refund", { [HEADER]: "SUCCESS" })).status).toBe(201);
    expect(await prisma.operationSession.count()).toBe(before + 1);
  });

  it("refuses every other spelling of a payments path without the header (400 or 403) and stores nothing", async () => {
    const before = await prisma.operationSession.count();
    const paths = [
      ...spellings(),
      // Spellings Remix routes to the same action: letter case and a trailing slash.
      "/PAYMENTS/credit/refund",
      "/Payments/Credit/Refund",
      "/payments/credit/refund/",
    ];
    for (const path of paths) {
      const answer = await refund(path);
      expect([400, 403], path).toContain(answer.status);
    }
    expect(await prisma.operationSession.count()).toBe(before);
  });

  it("refuses non-canonical spellings with 400 even with the header, naming the reason", async () => {
    for (const path of ["/%70ayments/credit/refund", "/x/../payments/credit/refund", "/payments;x/credit/refund", "//payments/credit/refund"]) {
      const answer = await refund(path, { [HEADER]: "SUCCESS" });
      expect(answer.status, path).toBe(400);
      expect(answer.text).toMatch(/Bad request path/);
    }
    // The buyer's and ECPay's routes are canonical paths too, and stay reachable.
    expect((await fetch(`${server.origin}/healthz?shallow=1`)).status).toBe(200);
    expect((await fetch(`${server.origin}/pay/credit/${PAYMENT_ID}`)).status).toBe(200);
  });

  it("does not start in production without the header unless MTLS_VERIFIED_HEADER=none says so", async () => {
    const { MTLS_VERIFIED_HEADER: _none, ...withoutOptOut } = testAppEnv({ DATABASE_URL: dbUrl });
    await expect(startAppServer(withoutOptOut)).rejects.toThrow(/MTLS_VERIFIED_HEADER and MTLS_VERIFIED_VALUE must be set in production/);
  });
});
