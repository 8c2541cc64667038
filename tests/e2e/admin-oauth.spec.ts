import { test, expect, type Page } from "@playwright/test";
import { startE2EStack, watchConsole, type E2EStack } from "../support/e2e-stack";
import { shopifyOAuthEnv, signedOAuthCallbackQuery, startShopifyOAuthMock, type ShopifyOAuthMock } from "../support/shopify-oauth";
import { appApiKey, appSecret } from "../support/test-env";

// The merchant signs in to two apps' admins through OAuth in one browser: the library's own code sets
// its session cookie (shopify_app_session, path "/") on the callback, and the server scopes it to
// /apps/<method>; no cookie is injected by the test. Shopify's side is played by the test (the
// merchant's approval on the authorize page) and by the token endpoint in tests/support/shopify-oauth.ts.
const SHOP = "oauth-e2e.myshopify.com";
const ECPAY = ["--merchant-id", "3002607", "--hash-key", "pwFHCqoQZGmho4w6", "--hash-iv", "EkRm7iFT261dpevs"];
let oauth: ShopifyOAuthMock;
let stack: E2EStack;

test.beforeAll(async () => {
  oauth = await startShopifyOAuthMock({ [appApiKey("credit")]: appSecret("credit"), [appApiKey("atm")]: appSecret("atm") });
  stack = await startE2EStack(shopifyOAuthEnv(oauth.origin));
  // The ECPay bindings tell the two admins apart on the page (credit bound, ATM not).
  stack.seed("credit", SHOP, ECPAY);
  stack.seed("atm", SHOP);
});

test.afterAll(async () => {
  if (process.env.DEBUG_SERVER) process.stdout.write(stack?.server.output.join("\n") ?? "");
  await stack?.close();
  await oauth?.close();
});

/**
 * What the login page's form leads to (it redirects to SHOPIFY_APP_URL, unset in this stack): the
 * library starts OAuth and sends the browser to Shopify's authorize page. Playwright cannot route a
 * redirect, and Shopify's host does not resolve here, so the test plays the merchant approving: it
 * reads the authorize request the browser made and opens the callback Shopify would redirect to.
 */
async function signIn(page: Page, method: "credit" | "atm") {
  // A tab of its own for the trip to Shopify, closed once the authorize request is seen.
  const toShopify = await page.context().newPage();
  const authorize = toShopify.waitForRequest((request) => new URL(request.url()).hostname === SHOP);
  await toShopify.goto(`${stack.server.origin}/apps/${method}/auth?shop=${SHOP}`).catch(() => undefined);
  const asked = new URL((await authorize).url());
  await toShopify.close();
  expect(asked.pathname).toBe("/admin/oauth/authorize");
  expect(asked.searchParams.get("client_id")).toBe(appApiKey(method));
  const query = signedOAuthCallbackQuery({ shop: SHOP, state: asked.searchParams.get("state") ?? "", secret: appSecret(method) });
  await page.goto(`${stack.server.origin}/apps/${method}/auth/callback?${query}`);
  // The library's post-OAuth redirect to "/" lands on the app's own admin.
  expect(new URL(page.url()).pathname).toBe(`/apps/${method}`);
}

test("a merchant signs in to two apps through OAuth in one browser and both stay signed in", async ({ page, context }) => {
  const console = watchConsole(page);

  await signIn(page, "credit");
  await expect(page.locator("#bound-merchant-id")).toContainText("3002607");
  await signIn(page, "atm");
  await expect(page.locator("#bound-merchant-id")).toContainText("尚未綁定");

  // The library set each app's session cookie; the server scoped each to its app's path.
  const sessionCookies = (await context.cookies())
    .filter((c) => c.name.startsWith("shopify_app_session"))
    .map((c) => [c.name, c.path, c.value.startsWith("offline_") ? c.value : "(signature)"])
    .sort((a, b) => `${a[1]}${a[0]}`.localeCompare(`${b[1]}${b[0]}`));
  expect(sessionCookies).toEqual([
    ["shopify_app_session", "/apps/atm", `offline_${SHOP}`],
    ["shopify_app_session.sig", "/apps/atm", "(signature)"],
    ["shopify_app_session", "/apps/credit", `offline_${SHOP}`],
    ["shopify_app_session.sig", "/apps/credit", "(signature)"],
  ]);
  // Both code exchanges reached Shopify's token endpoint, each with its own app's credentials.
  expect(oauth.requests.map((r) => [r.shop, r.body.client_id, r.status])).toEqual([
    [SHOP, appApiKey("credit"), 200],
    [SHOP, appApiKey("atm"), 200],
  ]);

  // Back and forth without signing in again: neither app's cookie replaced the other's.
  await page.goto(`${stack.server.origin}/apps/credit`);
  await expect(page.locator("#bound-merchant-id")).toContainText("3002607");
  await page.goto(`${stack.server.origin}/apps/atm`);
  await expect(page.locator("#bound-merchant-id")).toContainText("尚未綁定");
  await page.goto(`${stack.server.origin}/apps/credit/settings`);
  expect(page.url()).not.toContain("/auth/login");
  await page.screenshot({ path: "tests/artifacts/admin-two-apps-oauth.png", fullPage: true });
  expect(oauth.requests).toHaveLength(2);
  console.assertClean();
});
