import { test, expect } from "@playwright/test";
import { adminSessionCookies } from "../support/admin-session";
import { startE2EStack, watchConsole, type E2EStack } from "../support/e2e-stack";
import { prismaFor } from "../support/db-client";

const SHOP = "e2e-shop.myshopify.com";
const ECPAY = ["--merchant-id", "3002607", "--hash-key", "pwFHCqoQZGmho4w6", "--hash-iv", "EkRm7iFT261dpevs"];
let stack: E2EStack;
let db: ReturnType<typeof prismaFor>;

test.beforeAll(async () => {
  stack = await startE2EStack();
  stack.seed("credit", SHOP, ECPAY);
  stack.seed("atm", SHOP);
  db = prismaFor(stack.db.url);
});

test.afterAll(async () => {
  await db?.$disconnect();
  await stack?.close();
});

test("an installed shop's admin renders for a signed-in merchant", async ({ page, context }) => {
  const console = watchConsole(page);
  const host = new URL(stack.server.origin).hostname;
  await context.addCookies((await adminSessionCookies(db, "credit", SHOP)).map((c) => ({ ...c, domain: host })));
  await page.goto(`${stack.server.origin}/apps/credit`);
  await expect(page.locator("#bound-merchant-id")).toContainText("3002607");
  await page.screenshot({ path: "tests/artifacts/admin-home.png", fullPage: true });
  console.assertClean();
});

test("two apps stay signed in side by side in one browser", async ({ page, context }) => {
  const host = new URL(stack.server.origin).hostname;
  await context.addCookies((await adminSessionCookies(db, "credit", SHOP)).map((c) => ({ ...c, domain: host })));
  await context.addCookies((await adminSessionCookies(db, "atm", SHOP)).map((c) => ({ ...c, domain: host })));
  await page.goto(`${stack.server.origin}/apps/atm`);
  await expect(page.getByText(/ATM/).first()).toBeVisible();
  await page.goto(`${stack.server.origin}/apps/credit`);
  await expect(page.locator("#bound-merchant-id")).toContainText("3002607");
  await page.goto(`${stack.server.origin}/apps/atm`);
  await expect(page.locator("#bound-merchant-id")).toContainText("尚未綁定");
});

test("an admin page without a session sends the merchant to log in instead of showing data", async ({ page }) => {
  const response = await page.goto(`${stack.server.origin}/apps/credit`);
  expect(page.url()).toContain("/apps/credit/auth/login");
  expect(response?.status()).toBeLessThan(500);
  await expect(page.getByText("3002607")).toHaveCount(0);
});
