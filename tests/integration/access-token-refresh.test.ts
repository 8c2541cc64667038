// Expiring offline tokens (issue 2 §5, docs/shopify-payments-apps.md §6 pitfall 3): code that needs a
// shop's token asks app/shopify/access-token.server.ts, which goes through the library; an expired
// (or nearly expired) token is refreshed at Shopify's token endpoint with the refresh grant, and the
// new token and refresh token are stored, sealed; in the running server, the outbox tells Shopify with
// the refreshed token. Shopify's token endpoint is tests/support/shopify-oauth.ts.
import { Session } from "@shopify/shopify-api";
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { createSecretBox } from "~/lib/secrets.server";
import { createSessionStorage, sessionTokenContext } from "~/shopify/session-storage.server";
import type { IAccessTokens } from "~/shopify/access-token.server";
import { cloneDatabase, type TestDatabase } from "../support/database";
import { prismaFor } from "../support/db-client";
import { openHandOff, SHOP, startPaymentStack, submitToEcpay, tokenFor, type PaymentStack } from "../support/payment-stack";
import { OAUTH_SCOPES, shopifyOAuthEnv, startShopifyOAuthMock, type ShopifyOAuthMock } from "../support/shopify-oauth";
import { appApiKey, appSecret, TEST_ENCRYPTION_KEY, testAppEnv } from "../support/test-env";

let db: TestDatabase;
let prisma: PrismaClient;
let oauth: ShopifyOAuthMock;
let tokens: IAccessTokens;
let env: Record<string, string>;

beforeAll(async () => {
  db = await cloneDatabase(inject("templateDatabaseUrl"));
  prisma = prismaFor(db.url);
  oauth = await startShopifyOAuthMock({ [appApiKey("credit")]: appSecret("credit"), [appApiKey("atm")]: appSecret("atm") });
  const { NODE_ENV: _mode, ...appEnv } = testAppEnv({ DATABASE_URL: db.url, SHOPIFY_APP_URL: "https://pay.example.tw", SHOPIFY_OAUTH_TEST_ORIGIN: oauth.origin });
  env = appEnv;
  // The app's modules read their configuration and database from the environment when loaded.
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  await import("../support/shopify-oauth-preload.mjs");
  ({ libraryAccessTokens: tokens } = await import("~/shopify/access-token.server"));
  // The library took its fetch when its adapter loaded; make sure it is the routed one.
  (await import("@shopify/shopify-api/runtime")).setAbstractFetchFunc(globalThis.fetch);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  const appDb = (await import("~/db.server")).default;
  await appDb.$disconnect();
  await prisma?.$disconnect();
  await oauth?.close();
  await db?.drop();
});

const storage = (method: "credit" | "atm") => createSessionStorage(prisma, method, createSecretBox(env));

function offlineSession(shop: string, accessToken: string, refreshToken: string, expiresInMs: number): Session {
  return new Session({
    id: `offline_${shop}`,
      shop,
      state: "",
      isOnline: false,
      scope: OAUTH_SCOPES,
      accessToken,
      expires: new Date(Date.now() + expiresInMs),
      refreshToken,
    refreshTokenExpires: new Date(Date.now() + 30 * 24 * 3600 * 1000),
  });
}

async function storeOfflineSession(method: "credit" | "atm", shop: string, accessToken: string, refreshToken: string, expiresInMs: number) {
  await storage(method).storeSession(offlineSession(shop, accessToken, refreshToken, expiresInMs));
  oauth.acceptRefreshToken(shop, appApiKey(method), refreshToken);
}

describe("a shop's offline token", () => {
  it("is refreshed through the library when it has expired, and the new tokens are stored sealed", async () => {
    const shop = "expired-token.myshopify.com";
    await storeOfflineSession("credit", shop, "shpat_expired", "shprt_first", -60_000);

    const token = await tokens.offlineToken("credit", shop);
    const [request, ...more] = oauth.requests.filter((r) => r.shop === shop);
    expect(more).toEqual([]);
    expect(request).toMatchObject({
      status: 200,
      body: { client_id: appApiKey("credit"), client_secret: appSecret("credit"), refresh_token: "shprt_first", grant_type: "refresh_token" },
    });
    const issued = oauth.issued.find((t) => t.shop === shop)!;
    expect(token).toBe(issued.accessToken);

    const stored = await storage("credit").loadSession(`offline_${shop}`);
    expect(stored).toMatchObject({ accessToken: issued.accessToken, refreshToken: issued.refreshToken });
    expect(stored!.expires!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    const row = await prisma.session.findUniqueOrThrow({ where: { id: `credit:offline_${shop}` } });
    expect(`${row.accessToken} ${row.refreshToken}`).not.toMatch(/shpat_|shprt_/);

    // The fresh token is used as it is: no second refresh.
    expect(await tokens.offlineToken("credit", shop)).toBe(issued.accessToken);
    expect(oauth.requests.filter((r) => r.shop === shop)).toHaveLength(1);
  });

  it("is refreshed within five minutes of expiry, with the app's own credentials", async () => {
    const shop = "expiring-soon.myshopify.com";
    await storeOfflineSession("atm", shop, "shpat_soon", "shprt_soon", 2 * 60_000);
    const token = await tokens.offlineToken("atm", shop);
    const request = oauth.requests.find((r) => r.shop === shop);
    expect(request?.body).toMatchObject({ client_id: appApiKey("atm"), client_secret: appSecret("atm"), refresh_token: "shprt_soon" });
    expect(token).toBe(oauth.issued.find((t) => t.shop === shop)?.accessToken);
  });

  it("is used without asking Shopify while it is valid", async () => {
    const shop = "valid-token.myshopify.com";
    await storeOfflineSession("credit", shop, "shpat_still_valid", "shprt_unused", 30 * 60_000);
    expect(await tokens.offlineToken("credit", shop)).toBe("shpat_still_valid");
    expect(oauth.requests.filter((r) => r.shop === shop)).toEqual([]);
  });

  it("is no token at all when Shopify refuses the refresh, and the stored session is left as it was", async () => {
    const shop = "revoked-refresh.myshopify.com";
    await storeOfflineSession("credit", shop, "shpat_dead", "shprt_revoked", -60_000);
    // The stored refresh token is one Shopify never issued (or has revoked).
    await prisma.session.update({ where: { id: `credit:offline_${shop}` }, data: { refreshToken: createSecretBox(env).seal("shprt_never_issued", sessionTokenContext(`credit:offline_${shop}`, "refreshToken")) } });
    expect(await tokens.offlineToken("credit", shop)).toBeNull();
    expect(oauth.requests.filter((r) => r.shop === shop).map((r) => r.status)).toEqual([400]);
    expect((await storage("credit").loadSession(`offline_${shop}`))?.accessToken).toBe("shpat_dead");
  });

  it("is none for a shop the app is not installed on", async () => {
    expect(await tokens.offlineToken("credit", "never-installed.myshopify.com")).toBeNull();
  });
});

describe("the running server", () => {
  let stack: PaymentStack;
  let shopify: ShopifyOAuthMock;

  beforeAll(async () => {
    // Shopify honours only the newest token: a refresh replaces the old one in the simulator.
    shopify = await startShopifyOAuthMock({ [appApiKey("credit")]: appSecret("credit") }, { onIssue: (token) => stack.shopify.addShop(token.shop, { credit: token.accessToken }) });
    stack = await startPaymentStack(inject("templateDatabaseUrl"), { extraEnv: shopifyOAuthEnv(shopify.origin) });
  });

  afterAll(async () => {
    await stack?.close();
    await shopify?.close();
  });

  it("refreshes an expired token before telling Shopify a payment succeeded, and Shopify takes the new one", async () => {
    await createSessionStorage(stack.prisma, "credit", createSecretBox({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY })).storeSession(
      offlineSession(SHOP, tokenFor("credit"), "shprt_server", -60_000),
    );
    shopify.acceptRefreshToken(SHOP, appApiKey("credit"), "shprt_server");

    const started = await stack.shopify.startPayment(SHOP, "credit", { test: true, kind: "sale", amount: 700 });
    expect(started.ok, JSON.stringify(started.request)).toBe(true);
    const form = await openHandOff(started.redirectUrl!, { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120" } });
    expect((await submitToEcpay(form)).status).toBe(302);
    await stack.stage.pay(form.fields.MerchantTradeNo!);
    await stack.shopify.waitFor(() => stack.shopify.orderForPayment(started.session.gid)?.financialStatus === "paid", {
      timeoutMs: 10_000,
      message: "Shopify resolved the payment",
    });

    expect(shopify.requests.map((r) => [r.shop, r.body.grant_type, r.body.refresh_token, r.status])).toEqual([[SHOP, "refresh_token", "shprt_server", 200]]);
    // The expired token was never offered to Shopify.
    expect(stack.shopify.callsFor(started.session.gid).map((c) => c.status)).not.toContain(401);
  });
});
