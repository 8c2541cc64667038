import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test, expect, type Page } from "@playwright/test";
import { prismaFor } from "../support/db-client";
import { startE2EStack, watchConsole, type E2EStack } from "../support/e2e-stack";
import { DEFAULT_USER, shopifyOAuthEnv, startShopifyOAuthMock, type ShopifyOAuthMock } from "../support/shopify-oauth";
import { appApiKey, appSecret } from "../support/test-env";

// The merchant signs in to two apps' admins through OAuth in one browser: the library's offline grant,
// then its per-user (online) grant, then our own sign-in cookie (ecpay_admin, HttpOnly, at
// /apps/<method>) in place of the library's; no cookie is injected by the test. Shopify's side is played by the test (the
// merchant's approval on the authorize page) and by the token endpoint in tests/support/shopify-oauth.ts.
const SHOP = "oauth-e2e.myshopify.com";
const ECPAY = ["--merchant-id", "3002607", "--hash-key", "pwFHCqoQZGmho4w6", "--hash-iv", "EkRm7iFT261dpevs"];
let oauth: ShopifyOAuthMock;
let stack: E2EStack;
let db: ReturnType<typeof prismaFor>;

test.beforeAll(async () => {
  oauth = await startShopifyOAuthMock({ [appApiKey("credit")]: appSecret("credit"), [appApiKey("atm")]: appSecret("atm") });
  stack = await startE2EStack(shopifyOAuthEnv(oauth.origin));
  // The ECPay bindings tell the two admins apart on the page (credit bound, ATM not).
  stack.seed("credit", SHOP, ECPAY);
  stack.seed("atm", SHOP);
  db = prismaFor(stack.db.url);
});

test.afterAll(async () => {
  if (process.env.DEBUG_SERVER) process.stdout.write(stack?.server.output.join("\n") ?? "");
  await db?.$disconnect();
  await stack?.close();
  await oauth?.close();
});

/** Opens `url` in a tab of its own and returns the Shopify authorize request the browser was sent to. */
async function authorizeRequest(page: Page, url: string): Promise<URL> {
  const tab = await page.context().newPage();
  const authorize = tab.waitForRequest((request) => new URL(request.url()).hostname === SHOP);
  await tab.goto(url).catch(() => undefined);
  const asked = new URL((await authorize).url());
  await tab.close();
  expect(asked.pathname).toBe("/admin/oauth/authorize");
  return asked;
}

/**
 * What the login page's form leads to: the library starts OAuth and sends the browser to Shopify's
 * authorize page. Playwright cannot route a redirect, and Shopify's host does not resolve here, so
 * the test plays the merchant approving (oauth.approve): it reads the authorize request the browser
 * made and opens the callback Shopify would redirect to. The offline grant's callback asks for the
 * per-user grant; its callback signs the person in.
 */
async function signIn(page: Page, method: "credit" | "atm", start = `/apps/${method}/auth?shop=${SHOP}`) {
  const offline = await authorizeRequest(page, `${stack.server.origin}${start}`);
  expect(offline.searchParams.get("client_id")).toBe(appApiKey(method));
  expect(offline.searchParams.getAll("grant_options[]")).toEqual([""]);
  const online = await authorizeRequest(page, `${stack.server.origin}/apps/${method}/auth/callback?${oauth.approve(offline.href, appSecret(method))}`);
  expect(online.searchParams.getAll("grant_options[]")).toEqual(["per-user"]);
  await page.goto(`${stack.server.origin}/apps/${method}/auth/callback?${oauth.approve(online.href, appSecret(method))}`);
}

test("a merchant signs in to two apps through OAuth in one browser, each with its own HttpOnly sign-in cookie and none of the library's", async ({ page, context }) => {
  const console = watchConsole(page);

  await signIn(page, "credit");
  expect(new URL(page.url()).pathname).toBe("/apps/credit");
  await expect(page.locator("#bound-merchant-id")).toContainText("3002607");
  await signIn(page, "atm");
  expect(new URL(page.url()).pathname).toBe("/apps/atm");
  await expect(page.locator("#bound-merchant-id")).toContainText("尚未綁定");

  const cookies = await context.cookies(stack.server.origin + "/apps/credit");
  expect(cookies.filter((c) => c.name.startsWith("shopify_app_session"))).toEqual([]);
  const all = (await context.cookies()).filter((c) => c.name === "ecpay_admin").map((c) => [c.path, c.httpOnly, c.sameSite]);
  expect(all.sort()).toEqual([
    ["/apps/atm", true, "Lax"],
    ["/apps/credit", true, "Lax"],
  ]);
  expect((await context.cookies()).map((c) => c.name)).not.toContain("shopify_app_session");
  // Scripts on the page cannot read it.
  expect(await page.evaluate(() => document.cookie)).not.toContain("ecpay_admin");
  // One sign-in per app for the person Shopify named; each app's grants used its own credentials.
  // Sorted here: PostgreSQL orders the method enum by its declaration (the registry's order).
  const rows = await db.adminSession.findMany({ where: { shop: SHOP } });
  expect(rows.map((r) => [r.method, r.userId]).sort()).toEqual([
    ["atm", String(DEFAULT_USER.id)],
    ["credit", String(DEFAULT_USER.id)],
  ]);
  expect(oauth.requests.map((r) => [r.shop, r.body.client_id, r.status])).toEqual([
    [SHOP, appApiKey("credit"), 200],
    [SHOP, appApiKey("credit"), 200],
    [SHOP, appApiKey("atm"), 200],
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
  expect(oauth.requests).toHaveLength(4);
  console.assertClean();
});

/** A page on another origin that posts a form to the admin as soon as it loads. */
async function attackerPage(html: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://localhost:${(server.address() as AddressInfo).port}`, server };
}

test("a cross-site form posted at the signed-in admin changes nothing (403)", async ({ page }) => {
  await signIn(page, "credit");
  const before = await db.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "credit", shop: SHOP } } });
  expect(before.bindingId).not.toBeNull();
  for (const [path, fields] of [
    ["/apps/credit/settings", { itemName: "Hacked" }],
    ["/apps/credit/bind", { intent: "unbind" }],
  ] as const) {
    const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`).join("");
    const attacker = await attackerPage(`<form id="f" method="post" action="${stack.server.origin}${path}">${inputs}</form><script>document.getElementById("f").submit()</script>`);
    try {
      const answered = page.waitForResponse((r) => r.url() === `${stack.server.origin}${path}` && r.request().method() === "POST");
      await page.goto(attacker.origin);
      expect((await answered).status(), path).toBe(403);
    } finally {
      attacker.server.close();
    }
  }
  const after = await db.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "credit", shop: SHOP } } });
  expect(after).toEqual(before);
});

test("an expired sign-in sees no data and is sent to log in; sign-out ends the sign-in", async ({ page, context }) => {
  // Earlier tests' browsers are gone: only this browser's sign-in is left to count.
  await db.adminSession.deleteMany({ where: { shop: SHOP } });
  await signIn(page, "credit");
  await expect(page.locator("#bound-merchant-id")).toContainText("3002607");
  await db.adminSession.updateMany({ where: { method: "credit", shop: SHOP }, data: { expiresAt: new Date(Date.now() - 1000) } });
  await page.goto(`${stack.server.origin}/apps/credit/transactions`);
  expect(new URL(page.url()).pathname).toBe("/apps/credit/auth/login");
  await expect(page.getByText("3002607")).toHaveCount(0);
  expect(await db.adminSession.count({ where: { method: "credit", shop: SHOP } })).toBe(0);

  await signIn(page, "credit");
  await expect(page.locator("#bound-merchant-id")).toContainText("3002607");
  await page.locator("#sign-out").click();
  await page.waitForURL(/\/apps\/credit\/auth\/login/);
  expect(await db.adminSession.count({ where: { method: "credit", shop: SHOP } })).toBe(0);
  expect((await context.cookies(`${stack.server.origin}/apps/credit`)).map((c) => c.name)).not.toContain("ecpay_admin");
  await page.goto(`${stack.server.origin}/apps/credit`);
  expect(new URL(page.url()).pathname).toBe("/apps/credit/auth/login");
});

test("an old sign-in cannot unbind; signing in again returns to the bind page, which then can", async ({ page }) => {
  await signIn(page, "credit");
  await db.adminSession.updateMany({ where: { method: "credit", shop: SHOP }, data: { signedInAt: new Date(Date.now() - 11 * 60_000) } });
  await page.goto(`${stack.server.origin}/apps/credit/bind`);
  await page.getByRole("button", { name: "解除綁定" }).first().click();
  await page.locator("form:has(input[value=unbind]) button[type=submit]").click();
  await expect(page.locator("#reauth")).toBeVisible();
  expect((await db.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "credit", shop: SHOP } } })).bindingId).not.toBeNull();
  const start = new URL((await page.locator("#reauth").getAttribute("href")) ?? "", stack.server.origin);
  await signIn(page, "credit", `${start.pathname}${start.search}`);
  expect(new URL(page.url()).pathname).toBe("/apps/credit/bind");
  await page.getByRole("button", { name: "解除綁定" }).first().click();
  await page.locator("form:has(input[value=unbind]) button[type=submit]").click();
  await expect.poll(async () => (await db.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "credit", shop: SHOP } } })).bindingId).toBeNull();
});
