// An app whose config sets embedded = true (SHOPIFY_CREDIT_EMBEDDED=true): its admin renders inside
// Shopify's admin, framed with embedded=1, host, shop and a session token (id_token) signed with the
// app's secret, and its later requests carry the token App Bridge gives them. Shopify's admin page
// and App Bridge's script are stood in for by Playwright routes (tests/support/app-bridge-stub.js).
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test as base, expect, type BrowserContext, type FrameLocator, type Page } from "@playwright/test";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { t } from "../../app/i18n";
import { startE2EStack, watchConsole, type E2EStack } from "../support/e2e-stack";
import { appApiKey, appSecret } from "../support/test-env";

const STORE = "e2e-embedded";
const SHOP = `${STORE}.myshopify.com`;
const ADMIN_ORIGIN = "https://admin.shopify.com";
const APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";
const APP_BRIDGE_STUB = readFileSync(path.resolve("tests/support/app-bridge-stub.js"), "utf8");
const ECPAY = ["--merchant-id", "3002607", "--hash-key", "pwFHCqoQZGmho4w6", "--hash-iv", "EkRm7iFT261dpevs"];
let stack: E2EStack;

/**
 * A merchant's browser profile that lets the app's frame (a third party under admin.shopify.com)
 * use its storage, as Chrome's default settings do. Debian's Chromium denies third-party storage
 * by default (in Playwright's contexts and in a fresh profile alike), and then Remix's client cannot
 * read sessionStorage (route discovery, scroll restoration) in any embedded Remix app.
 */
const test = base.extend({
  context: async ({ playwright, launchOptions, userAgent, locale }, provide) => {
    const profile = mkdtempSync(path.join(os.tmpdir(), "embedded-admin-profile-"));
    mkdirSync(path.join(profile, "Default"));
    writeFileSync(path.join(profile, "Default", "Preferences"), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
    const context = await playwright.chromium.launchPersistentContext(profile, { ...launchOptions, userAgent, locale });
    await provide(context);
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  },
  page: async ({ context }, provide) => {
    await provide(context.pages()[0] ?? (await context.newPage()));
  },
});

test.beforeAll(async () => {
  stack = await startE2EStack({ SHOPIFY_CREDIT_EMBEDDED: "true" });
  stack.seed("credit", SHOP, ECPAY);
});

test.afterAll(async () => {
  await stack?.close();
});

/** A session token as Shopify's admin issues one to the app: HS256 with the app's secret, one minute. */
async function sessionToken(apiKey: string, secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { token } = await getJwt(STORE, apiKey, secret, {
    iss: `https://${SHOP}/admin`,
    exp: now + 60,
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
  });
  return token;
}

/**
 * Shopify's admin framing the credit app's `appPath` as it does: embedded=1, host (base64 of the
 * admin's store path), shop, locale and id_token. Returns the frame and the app document's response.
 */
async function openInAdmin(page: Page, context: BrowserContext, appPath: string, token?: string) {
  // The test's app server is on loopback: Chromium lets a public page frame it only with the
  // local-network permission (a deployed app is on a public https host and needs none).
  await context.grantPermissions(["local-network-access"], { origin: ADMIN_ORIGIN });
  await context.route(APP_BRIDGE_URL, (route) => route.fulfill({ contentType: "text/javascript", body: APP_BRIDGE_STUB }));
  const params = new URLSearchParams({
    embedded: "1",
    host: Buffer.from(`admin.shopify.com/store/${STORE}`).toString("base64"),
    shop: SHOP,
    locale: "zh-TW",
    id_token: token ?? (await sessionToken(appApiKey("credit"), appSecret("credit"))),
  });
  const src = `${stack.server.origin}/apps/credit${appPath}?${params.toString()}`;
  const adminUrl = `${ADMIN_ORIGIN}/store/${STORE}/apps/${appApiKey("credit")}${appPath}`;
  await context.route(adminUrl, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html><head><title>Shopify admin</title></head><body style="margin:0">
<iframe name="app-iframe" src="${src.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}" style="border:0;width:100%;height:1600px"></iframe></body></html>`,
    }),
  );
  const document = page.waitForResponse((response) => response.url().startsWith(`${stack.server.origin}/apps/credit${appPath}?`));
  await page.goto(adminUrl);
  return { frame: page.frameLocator('iframe[name="app-iframe"]'), response: await document };
}

async function expectAppBridge(frame: FrameLocator) {
  await expect(frame.locator(`script[src="${APP_BRIDGE_URL}"]`)).toHaveAttribute("data-api-key", appApiKey("credit"));
}

test("an embedded app's admin renders inside Shopify's admin with App Bridge and a session token", async ({ page, context }) => {
  const console = watchConsole(page);

  const { frame, response } = await openInAdmin(page, context, "");
  expect(response.status()).toBe(200);
  // Only the shop's admin may frame it.
  expect(response.headers()["content-security-policy"]).toContain(`frame-ancestors https://${SHOP} https://admin.shopify.com`);
  await expect(frame.locator("#bound-merchant-id")).toContainText("3002607");
  await expectAppBridge(frame);
  // The navigation is App Bridge's (the admin's sidebar), not Polaris' own.
  await expect(frame.locator("ui-nav-menu a")).toHaveCount(7);
  await expect(frame.locator(".Polaris-Navigation")).toHaveCount(0);
  await page.screenshot({ path: "tests/artifacts/admin-embedded-home.png", fullPage: true });
  console.assertClean();
});

test("saves method settings through App Bridge's save bar when embedded", async ({ page, context }) => {
  const console = watchConsole(page);
  const { frame } = await openInAdmin(page, context, "/settings");
  await expectAppBridge(frame);
  const saveBar = frame.locator("ui-save-bar#settings-save-bar");
  await expect(saveBar).not.toHaveAttribute("data-showing");
  await frame.locator("#itemName").fill("嵌入式測試商品");
  await expect(saveBar).toHaveAttribute("data-showing", "");
  // App Bridge's bar instead of Polaris' contextual save bar.
  await expect(frame.locator(".Polaris-Frame-ContextualSaveBar")).toHaveCount(0);
  await saveBar.locator('button[variant="primary"]').click();
  // The action and the reload after it are fetches carrying the session token.
  await expect(frame.getByText(t("zh-TW", "admin.settings.saved"))).toBeVisible();
  await expect(saveBar).not.toHaveAttribute("data-showing");

  const reopened = await openInAdmin(page, context, "/settings");
  await expect(reopened.frame.locator("#itemName")).toHaveValue("嵌入式測試商品");
  await reopened.frame.locator("#itemName").fill("不要儲存");
  await reopened.frame.locator('ui-save-bar#settings-save-bar button:not([variant="primary"])').click();
  await expect(reopened.frame.locator("#itemName")).toHaveValue("嵌入式測試商品");
  await expect(reopened.frame.locator("ui-save-bar#settings-save-bar")).not.toHaveAttribute("data-showing");
  console.assertClean();
});

test("a session token signed with another app's secret shows nothing of the shop", async ({ page, context }) => {
  const forged = await sessionToken(appApiKey("credit"), appSecret("atm"));
  const { frame, response } = await openInAdmin(page, context, "", forged);
  // The library answers with its bounce page (App Bridge would fetch a valid token), not the admin.
  expect(response.status()).toBeLessThan(500);
  await expect(frame.locator("body")).toBeAttached();
  await expect(frame.getByText("3002607")).toHaveCount(0);
  await expect(frame.locator("#bound-merchant-id")).toHaveCount(0);
});
