// The shop-wide transactions list and a payment's page at real sizes, in Chromium: nothing scrolls
// sideways at 1280×800 or 390×844 (the page, and every card), long ids are cut with the whole id
// in the title, and on a phone the top bar's menu button reaches every page.
import { test, expect, type Page } from "@playwright/test";
import type { PrismaClient } from "@prisma/client";
import type { MethodHandle } from "~/payments/methods";
import { adminSessionCookies } from "../support/admin-session";
import { prismaFor } from "../support/db-client";
import { startE2EStack, watchConsole, type E2EStack } from "../support/e2e-stack";

const SHOP = "console-layout.myshopify.com";
const ECPAY = ["--merchant-id", "3002607", "--hash-key", "pwFHCqoQZGmho4w6", "--hash-iv", "EkRm7iFT261dpevs"];
// As long as Shopify's payment ids and ECPay's numbers get.
const LONG_ID = "rLongPaymentIdZ2NwLWFzaWEtc291dGhlYXN0MTpMIVE";
const PENDING_ID = "rPendingAtmPayment000000000001";
const SIZES = [
  { name: "laptop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

let stack: E2EStack;
let db: PrismaClient;

async function payment(method: MethodHandle, id: string, at: string, extra: { status?: "PAID" | "PENDING" | "PARTIALLY_REFUNDED"; atm?: boolean } = {}) {
  const status = extra.status ?? "PAID";
  await db.paymentSession.create({
    data: {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      method,
      shop: SHOP,
      group: `g-${id}`,
      amount: 123456,
      amountRaw: "123456.00",
      currency: "TWD",
      kind: "SALE",
      test: true,
      status,
      capturedAmount: status === "PENDING" ? 0 : 123456,
      refundedAmount: status === "PARTIALLY_REFUNDED" ? 23456 : 0,
      cancelUrl: `https://${SHOP}/checkouts/cn/Z2NwLWFzaWEtc291dGhlYXN0MTpMIVE${id.slice(-6)}/processing`,
      proposedAt: new Date(at),
      createdAt: new Date(at),
      attempts: {
        create: extra.atm
          ? { merchantTradeNo: `M${id.slice(-19)}`, merchantId: "3002607", stage: true, status: "ISSUED", amount: 123456, tradeNo: "2503091300001234", paymentType: "ATM_TAISHIN", bankCode: "812", vAccount: "9103522175887271", expireDate: "2025/03/12" }
          : { merchantTradeNo: `M${id.slice(-19)}`, merchantId: "3002607", stage: true, status: "PAID", amount: 123456, tradeNo: "2503091300005678", paymentType: "Credit_CreditCard", chargeFee: "2716" },
      },
    },
  });
}

test.beforeAll(async () => {
  stack = await startE2EStack({ DISABLE_WORKERS: "1" });
  stack.seed("credit", SHOP, ECPAY);
  stack.seed("atm", SHOP, ECPAY);
  db = prismaFor(stack.db.url);
  await payment("credit", LONG_ID, "2025-03-10T04:00:00Z", { status: "PARTIALLY_REFUNDED" });
  await payment("atm", PENDING_ID, "2025-03-10T05:00:00Z", { status: "PENDING", atm: true });
  for (let i = 0; i < 8; i += 1) await payment(i % 2 ? "atm" : "credit", `rFiller${String(i).padStart(26, "0")}`, `2025-03-0${1 + i}T04:00:00Z`);
});

test.afterAll(async () => {
  await db?.$disconnect();
  await stack?.close();
});

/** The page, every card and every scroller (the table's) fit their width: no horizontal scroll anywhere. */
async function expectNoOverflow(page: Page, { scrollers = true } = {}) {
  const overflow = await page.evaluate((scrollers) => {
    const root = document.documentElement;
    // Cards, and anything that would scroll sideways on its own (the IndexTable's scroller).
    const scrolls = (el: HTMLElement) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
    const cards = [...document.querySelectorAll<HTMLElement>("body *")]
      .filter((el) => el.matches(".Polaris-Card, .Polaris-LegacyCard, .Polaris-ShadowBevel") || (scrollers && scrolls(el)))
      .filter((card) => card.scrollWidth > card.clientWidth + 1)
      .map((card) => `${card.className}: ${card.scrollWidth} > ${card.clientWidth} (${card.innerText.slice(0, 60)})`);
    return { page: root.scrollWidth > root.clientWidth ? `${root.scrollWidth} > ${root.clientWidth}` : null, cards };
  }, scrollers);
  expect(overflow).toEqual({ page: null, cards: [] });
}

for (const size of SIZES) {
  for (const locale of ["zh-TW", "en"] as const) {
    test(`the shop-wide list and a payment's page fit a ${size.name} (${size.width}×${size.height}) in ${locale}`, async ({ page, context }) => {
      const console = watchConsole(page);
      await page.setViewportSize({ width: size.width, height: size.height });
      await context.addCookies((await adminSessionCookies(db, "credit", SHOP)).map((c) => ({ ...c, domain: new URL(stack.server.origin).hostname })));
      await db.shopSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, locale }, update: { locale } });
      const base = `${stack.server.origin}/apps/credit`;

      await page.goto(`${base}/transactions`);
      await expect(page.locator('[data-testid="transaction-row"]')).toHaveCount(10);
      await expect(page.locator('[data-testid="transactions-table"]')).toHaveAttribute("data-condensed", size.width < 768 ? "true" : "false");
      await expect(page.locator('[data-testid="result-count"]')).toHaveAttribute("data-count", "10");
      await expect(page.locator('[data-testid="result-count"]')).toHaveText(locale === "en" ? "10 payments" : "共 10 筆");
      // Both apps' payments, the app on each row; the long id cut, whole in its title.
      await expect(page.locator(`[data-testid="transaction-row"][data-payment-id="${PENDING_ID}"]`)).toHaveAttribute("data-method", "atm");
      await expect(page.locator(`#payment-id-${LONG_ID}`)).toHaveAttribute("title", LONG_ID);
      await expect(page.locator(`#atm-${PENDING_ID}`)).toContainText("812-9103522175887271");
      await expect(page.locator(`#atm-${PENDING_ID}`)).toContainText("2025/03/12 23:59:59");
      await expect(page.locator('[data-testid="app-filter"]')).toBeVisible();
      await expectNoOverflow(page);
      await page.screenshot({ path: `tests/artifacts/console-transactions-${size.name}-${locale}.png`, fullPage: true });

      await page.goto(`${base}/transactions?app=atm`);
      await expect(page.locator('[data-testid="transaction-row"]')).toHaveCount(5);
      await page.goto(`${base}/transactions?q=nothing-like-this`);
      await expect(page.locator('[data-testid="transactions-empty"]')).toHaveAttribute("data-empty", "no-results");
      await expectNoOverflow(page);

      // Another app's payment opens here, and says which app took it.
      await page.goto(`${base}/transactions`);
      await page.locator(`[data-testid="transaction-row"][data-payment-id="${PENDING_ID}"] a`).first().click();
      await expect(page).toHaveURL(new RegExp(`/apps/credit/transactions/${PENDING_ID}$`));
      await expect(page.locator('[data-testid="detail-other-app"]')).toHaveAttribute("data-method", "atm");
      await expect(page.locator("#detail-atm-account")).toContainText("812-9103522175887271");
      await expectNoOverflow(page);
      await page.screenshot({ path: `tests/artifacts/console-detail-atm-${size.name}-${locale}.png`, fullPage: true });
      await page.goto(`${base}/transactions/${LONG_ID}`);
      await expect(page.locator("#money-refunded")).toContainText("23,456");
      await expectNoOverflow(page);
      await page.screenshot({ path: `tests/artifacts/console-detail-${size.name}-${locale}.png`, fullPage: true });
      console.assertClean();
    });
  }
}

test("on a phone the menu button opens the navigation, and every page is reached from it", async ({ page, context }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await context.addCookies((await adminSessionCookies(db, "credit", SHOP)).map((c) => ({ ...c, domain: new URL(stack.server.origin).hostname })));
  await db.shopSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, locale: "zh-TW" }, update: { locale: "zh-TW" } });
  const base = `${stack.server.origin}/apps/credit`;
  await page.goto(base);
  const nav = page.locator(".Polaris-Navigation");
  for (const [label, path] of [
    ["綁定綠界帳號", "/bind"],
    ["測試模式", "/test-mode"],
    ["請款方式", "/capture"],
    ["付款方式設定", "/settings"],
    ["交易紀錄", "/transactions"],
    ["說明", "/help"],
    ["首頁", ""],
  ] as const) {
    await expect(nav).not.toBeInViewport();
    await page.locator(".Polaris-TopBar__NavigationIcon").click();
    await expect(nav).toBeInViewport();
    await nav.getByRole("link", { name: label, exact: true }).click();
    await expect(page).toHaveURL(`${base}${path}`);
    // The other pages' tables (test mode, capture) may scroll inside their card; the page itself may not.
    await expectNoOverflow(page, { scrollers: false });
  }
  // The per-app pages say which ECPay account the app uses and who shares it.
  for (const path of ["/bind", "/test-mode", "/capture", "/settings"]) {
    await page.goto(`${base}${path}`);
    await expect(page.locator('[data-testid="binding-shared-with"]')).toContainText("3002607");
    await expect(page.locator('[data-testid="binding-shared-with"]')).toContainText("ATM虛擬帳號");
  }
});
