import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server";
import { cloneDatabase, isPostgresRun, type TestDatabase } from "../support/database";
import { prismaFor } from "../support/db-client";
import { runOps } from "../support/ops";
import { appSecret, testAppEnv } from "../support/test-env";
import { signedWebhook } from "../support/webhooks";
import type { PrismaClient } from "@prisma/client";
import { createSecretBox } from "~/lib/secrets.server";
import { createSessionStorage } from "~/shopify/session-storage.server";

const SHOP = "foundation-shop.myshopify.com";
let db: TestDatabase;
let prisma: PrismaClient;
let server: AppServer;
let env: Record<string, string>;
// The operator commands get a database of their own, without a server on it (on SQLite the
// operator runs them against a stopped server; PostgreSQL needs no such care).
let opsDb: TestDatabase;
let opsPrisma: PrismaClient;
let opsEnv: Record<string, string>;

beforeAll(async () => {
  db = await cloneDatabase(inject("templateDatabaseUrl"));
  prisma = prismaFor(db.url);
  env = testAppEnv({ DATABASE_URL: db.url, DISABLE_WORKERS: "1" });
  server = await startAppServer(env);
  opsDb = await cloneDatabase(inject("templateDatabaseUrl"));
  opsPrisma = prismaFor(opsDb.url);
  opsEnv = { ...env, DATABASE_URL: opsDb.url };
});

afterAll(async () => {
  await server?.stop();
  await prisma?.$disconnect();
  await opsPrisma?.$disconnect();
  await db?.drop();
  await opsDb?.drop();
});

function seed(method: string, shop = SHOP, token = `shpat_${method}`, onEnv = env) {
  const result = runOps(
    ["seed-shop", "--method", method, "--shop", shop, "--access-token", token, "--merchant-id", "3002607", "--hash-key", "pwFHCqoQZGmho4w6", "--hash-iv", "EkRm7iFT261dpevs"],
    onEnv,
  );
  expect(result.status, result.stderr).toBe(0);
}

describe("the server", () => {
  it("answers /healthz with 200 while the database answers", async () => {
    const response = await fetch(`${server.origin}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, database: "ok" });
  });

  it("answers 404 naming the problem for an unknown method in any stable path", async () => {
    for (const path of ["/payments/paypal/session", "/ecpay/paypal/return", "/webhooks/paypal/app/uninstalled"]) {
      const response = await fetch(`${server.origin}${path}`, { method: "POST", body: "{}" });
      expect(response.status, path).toBe(404);
    }
    expect((await fetch(`${server.origin}/pay/paypal/abc`)).status).toBe(404);
  });

  it("refuses bodies over the size limit before reading them", async () => {
    const response = await fetch(`${server.origin}/payments/credit/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "x".repeat(70 * 1024),
    });
    expect(response.status).toBe(413);
  });

  it("does not start without ENCRYPTION_KEY and says why", async () => {
    const { ENCRYPTION_KEY: _omit, ...noKey } = env;
    await expect(startAppServer({ ...noKey, ENCRYPTION_KEY: "" })).rejects.toThrow(/ENCRYPTION_KEY is not set/);
    await expect(startAppServer({ ...noKey, ENCRYPTION_KEY: "too-short" })).rejects.toThrow(/32 random bytes in base64/);
  });
});

describe("ops seed-shop", () => {
  it("stores the ECPay keys encrypted, never in plaintext", async () => {
    seed("credit", SHOP, "shpat_credit", opsEnv);
    const binding = await opsPrisma.ecpayBinding.findFirstOrThrow({ where: { shop: SHOP } });
    expect(binding.merchantId).toBe("3002607");
    expect(binding.hashKeyEnc).not.toContain("pwFHCqoQZGmho4w6");
    expect(binding.hashIvEnc).not.toContain("EkRm7iFT261dpevs");
    if (!isPostgresRun) {
      const file = readFileSync(opsDb.url.replace(/^file:/, ""));
      expect(file.includes(Buffer.from("pwFHCqoQZGmho4w6"))).toBe(false);
      expect(file.includes(Buffer.from("EkRm7iFT261dpevs"))).toBe(false);
    }
  });

  it("keeps two apps' sessions on the same shop apart", async () => {
    seed("credit", SHOP, "shpat_credit_token", opsEnv);
    seed("atm", SHOP, "shpat_atm_token", opsEnv);
    const sessions = await opsPrisma.session.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } });
    expect(sessions.map((s) => s.id)).toEqual([`atm:offline_${SHOP}`, `credit:offline_${SHOP}`]);
    // Tokens are sealed at rest; each app's storage opens its own.
    expect(sessions.map((s) => s.accessToken).join()).not.toMatch(/shpat_/);
    const box = createSecretBox(opsEnv);
    expect((await createSessionStorage(opsPrisma, "atm", box).loadSession(`offline_${SHOP}`))?.accessToken).toBe("shpat_atm_token");
    expect((await createSessionStorage(opsPrisma, "credit", box).loadSession(`offline_${SHOP}`))?.accessToken).toBe("shpat_credit_token");
  });

  it("exits 2 with a clear message on bad arguments and changes nothing", async () => {
    const before = await opsPrisma.shopInstallation.count();
    const bad = runOps(["seed-shop", "--method", "paypal", "--shop", "not a shop", "--access-token", "t"], opsEnv);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--method/);
    expect(bad.stderr).toMatch(/--shop: must be a permanent shop domain/);
    const half = runOps(["seed-shop", "--method", "atm", "--shop", "x.myshopify.com", "--access-token", "t", "--merchant-id", "3002607"], opsEnv);
    expect(half.status).toBe(2);
    expect(half.stderr).toMatch(/go together/);
    expect(runOps(["frobnicate"], opsEnv).status).toBe(2);
    expect(await opsPrisma.shopInstallation.count()).toBe(before);
  });
});

describe("ops reconcile", () => {
  it("runs one pass and says what it settled, and refuses to run without --once", () => {
    const once = runOps(["reconcile", "--once"], opsEnv);
    expect(once.status, once.stderr).toBe(0);
    expect(once.stdout).toMatch(/queried 0: settled 0/);
    expect(runOps(["reconcile"], opsEnv).status).toBe(2);
  });
});

describe("webhooks", () => {
  it("answer 401 to a bad HMAC and change nothing", async () => {
    seed("credit");
    const response = await signedWebhook(server.origin, {
      method: "credit",
      topic: "app/uninstalled",
      shop: SHOP,
      secret: appSecret("credit"),
      payload: {},
      badHmac: true,
    });
    expect(response.status).toBe(401);
    expect(await prisma.session.count({ where: { id: `credit:offline_${SHOP}` } })).toBe(1);
  });

  it("verify each app's webhooks with that app's own secret", async () => {
    const response = await signedWebhook(server.origin, {
      method: "atm",
      topic: "app/uninstalled",
      shop: SHOP,
      secret: appSecret("credit"),
      payload: {},
    });
    expect(response.status).toBe(401);
  });

  it("on app/uninstalled remove that app's tokens only and keep the transaction records", async () => {
    seed("credit");
    seed("atm");
    await prisma.paymentSession.create({
      data: {
        id: "pay_kept",
        gid: "gid://shopify/PaymentSession/pay_kept",
        method: "credit",
        shop: SHOP,
        group: "g",
        amount: 100,
        amountRaw: "100.00",
        currency: "TWD",
        kind: "SALE",
        test: true,
        cancelUrl: "https://x/c",
        proposedAt: new Date(),
        status: "PAID",
      },
    });
    const response = await signedWebhook(server.origin, {
      method: "credit",
      topic: "app/uninstalled",
      shop: SHOP,
      secret: appSecret("credit"),
      payload: { domain: SHOP },
    });
    expect(response.status).toBe(200);
    expect(await prisma.session.count({ where: { id: `credit:offline_${SHOP}` } })).toBe(0);
    expect(await prisma.session.count({ where: { id: `atm:offline_${SHOP}` } })).toBe(1);
    const installation = await prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "credit", shop: SHOP } } });
    expect(installation.status).toBe("UNINSTALLED");
    expect(await prisma.paymentSession.count({ where: { id: "pay_kept" } })).toBe(1);
  });

  it("on customers/redact scrub the buyer's personal data but keep amounts", async () => {
    await prisma.paymentSession.create({
      data: {
        id: "pay_buyer",
        gid: "gid://shopify/PaymentSession/pay_buyer",
        method: "atm",
        shop: SHOP,
        group: "g2",
        amount: 500,
        amountRaw: "500.00",
        currency: "TWD",
        kind: "SALE",
        test: false,
        cancelUrl: "https://x/c",
        proposedAt: new Date(),
        customer: JSON.stringify({ email: "buyer@example.com", phone_number: "0912345678" }),
        customerEmail: "buyer@example.com",
      },
    });
    seed("atm");
    const response = await signedWebhook(server.origin, {
      method: "atm",
      topic: "customers/redact",
      shop: SHOP,
      secret: appSecret("atm"),
      payload: { shop_domain: SHOP, customer: { id: 1, email: "Buyer@Example.com" }, orders_to_redact: [] },
    });
    expect(response.status).toBe(200);
    const row = await prisma.paymentSession.findUniqueOrThrow({ where: { id: "pay_buyer" } });
    expect(row.customer).toBeNull();
    expect(row.customerEmail).toBeNull();
    expect(row.amount).toBe(500);
  });

  it("on shop/redact purge everything held for the shop", async () => {
    const other = "other-shop.myshopify.com";
    seed("credit", other);
    const response = await signedWebhook(server.origin, {
      method: "credit",
      topic: "shop/redact",
      shop: SHOP,
      secret: appSecret("credit"),
      payload: { shop_domain: SHOP },
    });
    expect(response.status).toBe(200);
    expect(await prisma.paymentSession.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.ecpayBinding.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.session.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.session.count({ where: { shop: other } })).toBe(1);
  });
});
