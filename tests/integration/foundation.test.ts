import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server";
import { cloneDatabase, isPostgresRun, type TestDatabase } from "../support/database";
import { prismaFor } from "../support/db-client";
import { STAGE_MERCHANT, startEcpayEmulator } from "../emulators/ecpay";
import { checkoutFields, createOrder, freshTradeNo } from "../emulators/ecpay/testing";
import { runOps, runOpsAsync } from "../support/ops";
import { appSecret, testAppEnv } from "../support/test-env";
import { waitUntil } from "../support/wait";
import { signedWebhook } from "../support/webhooks";
import type { PrismaClient } from "@prisma/client";
import { createSecretBox } from "~/lib/secrets.server";
import { paymentIdToCustomField } from "~/payments/custom-field";
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

  // SQLite's "SELECT 1" never touches the file, so nothing short of the process makes it fail there;
  // the loader's 503 is unit-tested (tests/unit/healthz.test.ts). PostgreSQL can refuse connections.
  it.runIf(isPostgresRun)("answers /healthz with 503 while the database refuses connections, and 200 again once it is back", async () => {
    const own = await cloneDatabase(inject("templateDatabaseUrl"));
    const name = new URL(own.url).pathname.slice(1);
    const ownServer = await startAppServer({ ...env, DATABASE_URL: own.url });
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    admin.on("error", () => undefined);
    await admin.connect();
    const health = async () => {
      const response = await fetch(`${ownServer.origin}/healthz`);
      return { status: response.status, body: (await response.json()) as unknown };
    };
    try {
      expect((await health()).status).toBe(200);
      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);
      const down = await waitUntil(async () => {
        const answer = await health();
        return answer.status === 503 ? answer : null;
      }, { message: "/healthz answers 503" });
      expect(down.body).toEqual({ ok: false, database: "unreachable" });
      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`);
      await waitUntil(async () => (await health()).status === 200, { message: "/healthz answers 200 again" });
    } finally {
      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
      await ownServer.stop();
      await own.drop();
    }
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

  it("prints each payment it settled after a lost notification: payment id, MerchantTradeNo and outcome", async () => {
    const ecpay = await startEcpayEmulator({ environment: "stage" });
    try {
      const paymentId = "opsLostReturn1";
      const merchantTradeNo = freshTradeNo("R");
      // The default ReturnURL points at a closed port: ECPay's notification never arrives.
      const order = await createOrder(
        ecpay.origin,
        checkoutFields(STAGE_MERCHANT, { MerchantTradeNo: merchantTradeNo, TotalAmount: "500", CustomField1: paymentIdToCustomField(paymentId) }),
      );
      expect(order.pageUrl, order.html).not.toBeNull();
      await ecpay.pay(merchantTradeNo);
      // No installed app on this shop: the resolve waits in the outbox instead of going to Shopify.
      await opsPrisma.paymentSession.create({
        data: {
          id: paymentId,
          gid: `gid://shopify/PaymentSession/${paymentId}`,
          method: "credit",
          shop: "ops-reconcile.myshopify.com",
          group: "ops-reconcile-group",
          amount: 500,
          amountRaw: "500.00",
          currency: "TWD",
          kind: "SALE",
          test: true,
          cancelUrl: "https://ops-reconcile.example/cancel",
          proposedAt: new Date(),
          status: "REDIRECTED",
        },
      });
      await opsPrisma.paymentAttempt.create({
        data: { merchantTradeNo, paymentSessionId: paymentId, merchantId: STAGE_MERCHANT.merchantId, stage: true, amount: 500 },
      });
      const once = await runOpsAsync(["reconcile", "--once"], { ...opsEnv, ECPAY_STAGE_ORIGIN: ecpay.origin, RECONCILE_GRACE_MS: "0" });
      expect(once.status, once.stderr).toBe(0);
      expect(once.stdout).toContain(`settled ${paymentId} ${merchantTradeNo}: paid → PAID`);
      expect(once.stdout).toMatch(/queried 1: settled 1,/);
      expect((await opsPrisma.paymentSession.findUniqueOrThrow({ where: { id: paymentId } })).status).toBe("PAID");
    } finally {
      await ecpay.close();
    }
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

  /** A paid ATM payment by buyer@example.com, with what ECPay sent about the payer. */
  async function buyerPayment(id: string) {
    const tradeNo = `T${id.replace(/[^A-Za-z0-9]/g, "")}`.slice(0, 20);
    await prisma.paymentSession.create({
      data: {
        id,
        gid: `gid://shopify/PaymentSession/${id}`,
        method: "atm",
        shop: SHOP,
        group: `g-${id}`,
        amount: 500,
        amountRaw: "500.00",
        currency: "TWD",
        kind: "SALE",
        test: false,
        cancelUrl: "https://x/c",
        proposedAt: new Date(),
        status: "PAID",
        customer: JSON.stringify({ email: "buyer@example.com", phone_number: "0912345678" }),
        customerEmail: "buyer@example.com",
        attempts: {
          create: { merchantTradeNo: tradeNo, merchantId: "3002607", stage: false, status: "PAID", amount: 500, tradeNo: "2411250000001", tradeAmt: 500, bankCode: "812", vAccount: "9103522850129871" },
        },
      },
    });
    const paid = new URLSearchParams({ MerchantID: "3002607", MerchantTradeNo: tradeNo, RtnCode: "1", TradeAmt: "500", TradeNo: "2411250000001", ATMAccBank: "822", ATMAccNo: "54321", card4no: "", CheckMacValue: "X" });
    const issued = new URLSearchParams({ MerchantID: "3002607", MerchantTradeNo: tradeNo, RtnCode: "2", TradeAmt: "500", BankCode: "812", vAccount: "9103522850129871", ExpireDate: "2026/11/28", CheckMacValue: "Y" });
    await prisma.ecpayNotification.createMany({
      data: [
        { channel: "PAYMENT_INFO", method: "atm", merchantTradeNo: tradeNo, rawBody: issued.toString(), signatureValid: true, outcome: "ACCEPTED" },
        { channel: "RETURN", method: "atm", merchantTradeNo: tradeNo, rawBody: paid.toString(), signatureValid: true, outcome: "ACCEPTED" },
      ],
    });
    return tradeNo;
  }

  it("on customers/data_request answer with the buyer's payments and what ECPay told us about them", async () => {
    seed("atm");
    const tradeNo = await buyerPayment("pay_data_request");
    const response = await signedWebhook(server.origin, {
      method: "atm",
      topic: "customers/data_request",
      shop: SHOP,
      secret: appSecret("atm"),
      payload: { shop_domain: SHOP, customer: { id: 1, email: "Buyer@Example.com", phone: "0912345678" }, orders_requested: [299938] },
    });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { payments: Array<Record<string, unknown>> };
    const payment = report.payments.find((p) => p.id === "pay_data_request");
    expect(payment).toMatchObject({
      method: "atm",
      amount: 500,
      currency: "TWD",
      status: "PAID",
      customer: { email: "buyer@example.com", phone_number: "0912345678" },
      attempts: [
        {
          merchantTradeNo: tradeNo,
          tradeNo: "2411250000001",
          bankCode: "812",
          vAccount: "9103522850129871",
          buyerDataFromEcpay: { vAccount: "9103522850129871", ATMAccBank: "822", ATMAccNo: "54321" },
        },
      ],
    });
    // Another buyer's request finds nothing of this one.
    const other = await signedWebhook(server.origin, {
      method: "atm",
      topic: "customers/data_request",
      shop: SHOP,
      secret: appSecret("atm"),
      payload: { shop_domain: SHOP, customer: { id: 2, email: "someone-else@example.com" }, orders_requested: [] },
    });
    expect(await other.json()).toEqual({ payments: [] });
  });

  it("on customers/redact scrub the buyer's personal data, in our records and in ECPay's stored messages, but keep amounts and ids", async () => {
    seed("atm");
    const tradeNo = await buyerPayment("pay_buyer");
    const buyers = await prisma.paymentSession.count({ where: { shop: SHOP, customerEmail: "buyer@example.com" } });
    const response = await signedWebhook(server.origin, {
      method: "atm",
      topic: "customers/redact",
      shop: SHOP,
      secret: appSecret("atm"),
      payload: { shop_domain: SHOP, customer: { id: 1, email: "Buyer@Example.com", phone: "0912345678" }, orders_to_redact: [299938, 280263] },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ redacted: { payments: buyers, attempts: buyers, notifications: 2 * buyers }, ordersToRedact: [299938, 280263] });
    const row = await prisma.paymentSession.findUniqueOrThrow({ where: { id: "pay_buyer" }, include: { attempts: true } });
    expect(row.customer).toBeNull();
    expect(row.customerEmail).toBeNull();
    expect(row.amount).toBe(500);
    expect(row.status).toBe("PAID");
    expect(row.attempts[0]).toMatchObject({ merchantTradeNo: tradeNo, tradeNo: "2411250000001", tradeAmt: 500, bankCode: "812", vAccount: null });
    const messages = await prisma.ecpayNotification.findMany({ where: { merchantTradeNo: tradeNo }, orderBy: { channel: "asc" } });
    const fields = messages.map((m) => Object.fromEntries(new URLSearchParams(m.rawBody)));
    for (const f of fields) {
      for (const buyerField of ["vAccount", "ATMAccBank", "ATMAccNo", "card4no", "card6no"]) expect(f[buyerField] ?? "", buyerField).toBe("");
      expect(f).toMatchObject({ MerchantTradeNo: tradeNo, TradeAmt: "500" });
    }
    expect(fields.find((f) => f.RtnCode === "1")).toMatchObject({ TradeNo: "2411250000001", ATMAccNo: "" });
    expect(fields.find((f) => f.RtnCode === "2")).toMatchObject({ BankCode: "812", ExpireDate: "2026/11/28", vAccount: "" });
    expect(JSON.stringify(await prisma.ecpayNotification.findMany())).not.toMatch(/9103522850129871|54321/);
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
