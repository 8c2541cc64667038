// The whole product on loopback for integration tests: the built server, the ECPay emulator
// (stage and production), the Shopify simulator, and one shop with all eight apps installed.
import type { PrismaClient } from "@prisma/client";
import { createSecretBox } from "~/lib/secrets.server";
import { seedShop } from "~/ops/seed-shop.server";
import { METHOD_HANDLES, type MethodHandle } from "~/payments/methods";
import { startEcpayEmulator, type EcpayEmulator } from "../emulators/ecpay";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer, type AppServer } from "./app-server";
import { cloneDatabase, type TestDatabase } from "./database";
import { preparedPrismaFor } from "./db-client";
import { freePort } from "./free-port";
import { testAppEnv, TEST_ENCRYPTION_KEY } from "./test-env";

export const SHOP = "ecpay-demo.myshopify.com";
export const PRODUCTION_MERCHANT = {
  merchantId: "3383001",
  hashKey: "ProdKey8Qx2Lm4Tz",
  hashIv: "ProdIv5Wn7Rk9Vb3",
  creditCheckCode: "62861749",
};

export const tokenFor = (method: MethodHandle) => `shpat_${method}_token`;

export interface PaymentStack {
  db: TestDatabase;
  prisma: PrismaClient;
  server: AppServer;
  stage: EcpayEmulator;
  production: EcpayEmulator;
  shopify: ShopifySimulator;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startPaymentStack(
  templateUrl: string,
  options: { extraEnv?: Record<string, string>; withCreditCheckCode?: boolean } = {},
): Promise<PaymentStack> {
  const db = await cloneDatabase(templateUrl);
  const prisma = await preparedPrismaFor(db.url);
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const stage = await startEcpayEmulator({ environment: "stage", notifyRetryIntervalMs: 100 });
  const production = await startEcpayEmulator({
    environment: "production",
    // 自費分期: the buyer may pay a one-time card order in installments (paying at once stays the default).
    merchants: [{ ...PRODUCTION_MERCHANT, consumerInstallments: true }],
    notifyRetryIntervalMs: 100,
  });
  const shopify = await startShopifySimulator({ appOrigin: appUrl, retryDelayMs: 100 });
  shopify.addShop(SHOP, Object.fromEntries(METHOD_HANDLES.map((m) => [m, tokenFor(m)])));

  const box = createSecretBox({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
  for (const method of METHOD_HANDLES) {
    await seedShop(prisma, box, {
      method,
      shop: SHOP,
      accessToken: tokenFor(method),
      merchantId: PRODUCTION_MERCHANT.merchantId,
      hashKey: PRODUCTION_MERCHANT.hashKey,
      hashIv: PRODUCTION_MERCHANT.hashIv,
      ...(options.withCreditCheckCode === false ? {} : { creditCheckCode: PRODUCTION_MERCHANT.creditCheckCode }),
      ready: true,
    });
  }
  const env = testAppEnv({
    DATABASE_URL: db.url,
    SHOPIFY_APP_URL: appUrl,
    ECPAY_STAGE_ORIGIN: stage.origin,
    ECPAY_PRODUCTION_ORIGIN: production.origin,
    SHOPIFY_PAYMENTS_API_ORIGIN: shopify.paymentsApiOrigin,
    WORKER_TICK_MS: "150",
    OUTBOX_BACKOFF_BASE_MS: "100",
    SHOPIFY_API_TIMEOUT_MS: "2000",
    ...options.extraEnv,
  });
  const server = await startAppServer(env, { port });
  return {
    db,
    prisma,
    server,
    stage,
    production,
    shopify,
    env,
    async close() {
      if (process.env.DEBUG_SERVER) console.info(server.output.join("\n"));
      await server.stop();
      await Promise.all([stage.close(), production.close(), shopify.close()]);
      await prisma.$disconnect();
      await db.drop();
    },
  };
}

export interface HandOffForm {
  action: string;
  fields: Record<string, string>;
  html: string;
}

/** The buyer's browser on our hand-off page: read the auto-submit form. */
export async function openHandOff(url: string, init: RequestInit = {}): Promise<HandOffForm> {
  const response = await fetch(url, { redirect: "manual", ...init });
  const html = await response.text();
  if (response.status !== 200) throw new Error(`hand-off page answered ${response.status}: ${html.slice(0, 300)}`);
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on the hand-off page: ${html.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    fields[match[1]!] = decodeEntities(match[2]!);
  }
  return { action: decodeEntities(action), fields, html };
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The browser submits the form to ECPay; returns ECPay's answer (302 to its payment page on success). */
export async function submitToEcpay(form: HandOffForm): Promise<Response> {
  return fetch(form.action, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form.fields).toString(),
    redirect: "manual",
  });
}
