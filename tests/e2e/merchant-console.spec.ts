// The merchant console of issue 16 in Chromium, on one payment stack for the whole file (the built
// server, ECPay's production emulator, the Shopify simulator; one shop with all eight apps bound to
// one MerchantID): search by part of an id in any case, filters, the timeline, list, detail and CSV
// of a partially captured and partially refunded payment, the "query ECPay now" banner, the rebind
// confirmation naming the apps it changes, the buyer's ATM and waiting pages in both languages, and
// screenshots of the main pages at a laptop's and a phone's width in both languages, each checked
// for overflow. UPDATE_README_SCREENSHOTS=1 writes them to docs/screenshots/ (the README shows a few);
// otherwise to tests/artifacts/screenshots/ (git-ignored).
import { readFileSync } from "node:fs";
import path from "node:path";
import { test, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import type { PrismaClient } from "@prisma/client";
import { t, type Locale } from "../../app/i18n";
import { SHOPIFY_STATUS_WORDS } from "../../app/i18n/shopify-words";
import { formatMoney } from "../../app/payments/money";
import { METHOD_HANDLES, PAYMENT_METHODS, type MethodHandle } from "../../app/payments/methods";
import { adminSessionCookies } from "../support/admin-session";
import { createTemplateDatabase, dropTemplateDatabase } from "../support/database";
import { watchConsole } from "../support/e2e-stack";
import { expectNoOverflow } from "../support/overflow";
import { openHandOff, PRODUCTION_MERCHANT, SHOP, startPaymentStack, submitToEcpay, type PaymentStack } from "../support/payment-stack";
import { waitUntil } from "../support/wait";

const SHOTS = path.resolve(process.env.UPDATE_README_SCREENSHOTS === "1" ? "docs/screenshots" : "tests/artifacts/screenshots");
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;
const LOCALES = ["zh-TW", "en"] as const satisfies readonly Locale[];
const TEST_CARD = { number: "4311-9522-2222-2222", cvv: "222", expiry: "12/35" };
const DESKTOP = { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120" };

test.describe.configure({ mode: "serial", timeout: 120_000 });

let template: string;
let stack: PaymentStack;
let db: PrismaClient;
const admin = (method: MethodHandle = "credit") => `${stack.server.origin}/apps/${method}`;

/** A payment Shopify started and the buyer took to ECPay (an unpaid ECPay order exists). */
interface Started {
  id: string;
  gid: string;
  checkoutToken: string;
  merchantTradeNo: string;
}

async function handedOff(method: MethodHandle, options: { kind?: "sale" | "authorization"; amount: number; locale?: Locale }): Promise<Started> {
  const started = await stack.shopify.startPayment(SHOP, method, {
    test: false,
    kind: options.kind ?? "sale",
    amount: options.amount,
    ...(options.locale ? { customer: { locale: options.locale } } : {}),
  });
  expect(started.ok, JSON.stringify(started.request)).toBe(true);
  const form = await openHandOff(started.redirectUrl!, { headers: DESKTOP });
  expect((await submitToEcpay(form)).status).toBe(302);
  return { id: started.session.id, gid: started.session.gid, checkoutToken: started.session.checkoutToken, merchantTradeNo: form.fields.MerchantTradeNo! };
}

/** Every Shopify message about these sessions delivered. */
async function shopifyTold(...ids: string[]) {
  await waitUntil(async () => (await db.outboxMessage.count({ where: { subjectId: { in: ids }, status: { not: "DELIVERED" } } })) === 0 && (await db.outboxMessage.count({ where: { subjectId: { in: ids } } })) > 0, {
    timeoutMs: 20_000,
    message: `Shopify told about ${ids.join(", ")}`,
  });
}

// The fixtures the tests share, made once in beforeAll.
/** A card authorization of NT$2,380: captured NT$1,000, then NT$300 refunded. */
let partial: Started;
/** A card sale the buyer left on ECPay's page: ECPay has it unpaid. */
let unpaid: Started;
/** A sale paid in full through the installments app (another app of the same shop). */
let otherApp: Started;

test.beforeAll(async () => {
  template = await createTemplateDatabase();
  stack = await startPaymentStack(template);
  db = stack.prisma;

  partial = await handedOff("credit", { kind: "authorization", amount: 2380 });
  await stack.production.pay(partial.merchantTradeNo);
  const order = await waitUntil(() => stack.shopify.orderForPayment(partial.id), { timeoutMs: 20_000, message: "the authorization's order" });
  const capture = await stack.shopify.capture(order.id, 1000);
  expect(capture.ok).toBe(true);
  await waitUntil(async () => (await db.paymentSession.findUniqueOrThrow({ where: { id: partial.id } })).capturedAmount === 1000, { timeoutMs: 20_000, message: "the capture" });
  // Shopify refunds only what it was told was captured.
  await shopifyTold(partial.id, capture.session.id);
  const refund = await stack.shopify.refund(order.id, 300);
  expect(refund.ok).toBe(true);
  await waitUntil(async () => (await db.paymentSession.findUniqueOrThrow({ where: { id: partial.id } })).refundedAmount === 300, { timeoutMs: 20_000, message: "the refund" });

  unpaid = await handedOff("credit", { amount: 640 });
  otherApp = await handedOff("installments", { amount: 1500 });
  await stack.production.pay(otherApp.merchantTradeNo, { installmentPeriod: "3" });
  await shopifyTold(partial.id, refund.session.id, otherApp.id);
});

test.afterAll(async () => {
  await stack?.close();
  if (template) await dropTemplateDatabase(template);
});

/** An admin page once React has hydrated it: a form filled before then is reset by hydration. */
async function openAdmin(page: Page, url: string) {
  await page.goto(url);
  await page.waitForLoadState("networkidle");
}

async function signIn(context: BrowserContext, ...methods: MethodHandle[]) {
  const domain = new URL(stack.server.origin).hostname;
  for (const method of methods) await context.addCookies((await adminSessionCookies(db, method, SHOP)).map((c) => ({ ...c, domain })));
}

/** The admin's language, chosen the way a merchant does (remembered for the shop). */
async function chooseLanguage(page: Page, locale: Locale) {
  await openAdmin(page, admin());
  const choice = page.getByRole("button", { name: locale === "en" ? "English" : "中文", exact: true });
  await choice.click();
  await expect(choice).toHaveAttribute("aria-pressed", "true");
}

const row = (page: Page, id: string) => page.getByRole("row").filter({ hasText: id });

async function search(page: Page, q: string) {
  await page.locator("#search").fill(q);
  await page.getByRole("button", { name: t("zh-TW", "admin.transactions.apply") }).click();
  await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(q)}`));
}

test("search finds a payment by part of its Payment ID, MerchantTradeNo or Shopify checkout id, in any case", async ({ page, context }) => {
  const console = watchConsole(page);
  await signIn(context, "credit");
  await openAdmin(page, `${admin()}/transactions`);
  await expect(page.getByRole("link", { name: partial.id })).toBeVisible();
  await expect(page.getByRole("link", { name: unpaid.id })).toBeVisible();

  const swapCase = (s: string) => [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");
  for (const q of [swapCase(partial.id.slice(2, 12)), partial.merchantTradeNo.slice(-8).toLowerCase(), swapCase(partial.checkoutToken.slice(4, 16))]) {
    await search(page, q);
    await expect(page.getByRole("link", { name: partial.id })).toBeVisible();
    await expect(page.getByRole("link", { name: unpaid.id })).toHaveCount(0);
  }
  await search(page, "no-such-payment-anywhere");
  await expect(page.getByText(t("zh-TW", "admin.transactions.empty"))).toBeVisible();
  console.assertClean();
});

test("filters keep what they name: status in Shopify's words, live or test", async ({ page, context }) => {
  await signIn(context, "credit");
  await openAdmin(page, `${admin()}/transactions`);
  await page.locator("#status-filter").selectOption("partiallyRefunded");
  await page.getByRole("button", { name: t("zh-TW", "admin.transactions.apply") }).click();
  await expect(page).toHaveURL(/status=partiallyRefunded/);
  await expect(page.getByRole("link", { name: partial.id })).toBeVisible();
  await expect(page.getByRole("link", { name: unpaid.id })).toHaveCount(0);
  await expect(page.locator(`#status-${partial.id}`)).toContainText(SHOPIFY_STATUS_WORDS.partiallyRefunded["zh-TW"]);

  await openAdmin(page, `${admin()}/transactions`);
  await page.locator("#test-filter").selectOption("test");
  await page.getByRole("button", { name: t("zh-TW", "admin.transactions.apply") }).click();
  await expect(page.getByText(t("zh-TW", "admin.transactions.empty"))).toBeVisible();
  await page.locator("#test-filter").selectOption("live");
  await page.getByRole("button", { name: t("zh-TW", "admin.transactions.apply") }).click();
  await expect(page.getByRole("link", { name: partial.id })).toBeVisible();
  await expect(page.getByRole("link", { name: unpaid.id })).toBeVisible();
});

test("a partially captured and partially refunded payment shows the same amounts in the list, the detail, its timeline and the CSV", async ({ page, context }) => {
  const console = watchConsole(page);
  await signIn(context, "credit");
  await openAdmin(page, `${admin()}/transactions?q=${partial.id}`);
  await expect(page.locator(`#amount-${partial.id}`)).toHaveText("NT$2,380");
  const note = page.locator(`#money-${partial.id}`);
  for (const amount of [1000, 300, 700]) await expect(note).toContainText(formatMoney(amount));
  await expect(row(page, partial.id)).toContainText(SHOPIFY_STATUS_WORDS.partiallyRefunded["zh-TW"]);

  await page.getByRole("link", { name: partial.id }).click();
  for (const [id, amount] of [["authorized", 2380], ["captured", 1000], ["refunded", 300], ["net", 700]] as const) {
    await expect(page.locator(`#money-${id}`)).toHaveText(formatMoney(amount));
  }
  await expect(page.locator("#status")).toContainText(SHOPIFY_STATUS_WORDS.partiallyRefunded["zh-TW"]);
  // Newest first, in words: the refund, then the capture, then the authorization Shopify asked for.
  const words = await page.locator("#timeline [data-role=words]").allInnerTexts();
  const refunded = words.indexOf(t("zh-TW", "admin.timeline.refundedWords", { amount: formatMoney(300) }));
  const captured = words.indexOf(t("zh-TW", "admin.timeline.captured", { amount: formatMoney(1000) }));
  const asked = words.findIndex((w) => w.startsWith(t("zh-TW", "admin.timeline.sessionWords", { amount: formatMoney(2380), kind: "" }).slice(0, -2)));
  expect(refunded, words.join("\n")).toBeGreaterThanOrEqual(0);
  expect(captured).toBeGreaterThan(refunded);
  expect(asked).toBe(words.length - 1);
  expect(words).toContain(t("zh-TW", "admin.timeline.shopifyTold", { what: t("zh-TW", "admin.timeline.mutation.refundSessionResolve") }));
  expect(words).toContain(t("zh-TW", "admin.timeline.shopifyTold", { what: t("zh-TW", "admin.timeline.mutation.captureSessionResolve") }));
  // The card's state at each moment: closing after the capture.
  await expect(page.locator('#timeline [data-event="operation"] [data-role=card]').first()).toBeVisible();
  // ECPay's codes only behind "developer details".
  await expect(page.locator("#timeline").getByText("captureSessionResolve").first()).toBeHidden();

  const csv = await downloadCsv(page);
  expect(csv.find((r) => r[col("paymentId")] === partial.id), JSON.stringify(csv)).toMatchObject({
    [col("amount")]: "2380",
    [col("authorized")]: "2380",
    [col("captured")]: "1000",
    [col("refunded")]: "300",
    [col("net")]: "700",
    [col("status")]: SHOPIFY_STATUS_WORDS.partiallyRefunded["zh-TW"],
  });
  console.assertClean();
});

type ExportColumn = "paymentId" | "app" | "amount" | "authorized" | "captured" | "refunded" | "net" | "status";
/** A CSV header in the shop's language (zh-TW here). */
const col = (name: ExportColumn) => t("zh-TW", `export.col.${name}`);

/** The export form's CSV (only the apps given ticked, else as the form offers them), one record per row keyed by header. */
async function downloadCsv(page: Page, apps?: MethodHandle[]): Promise<Array<Record<string, string>>> {
  await openAdmin(page, `${admin()}/transactions`);
  if (apps) {
    for (const box of await page.locator('#export-methods input[type="checkbox"]').all()) {
      if (apps.includes((await box.getAttribute("value")) as MethodHandle)) await box.check({ force: true });
      else await box.uncheck({ force: true });
    }
  }
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: new RegExp(LOCALES.map((l) => t(l, "admin.export.download")).join("|")) }).click();
  const bytes = readFileSync(await (await download).path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [header, ...rows] = parseCsv(bytes.toString("utf8").slice(1));
  return rows.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i] ?? ""])));
}

/** RFC 4180: a quoted field may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

test("'query ECPay now' answers in words with a banner, and the answer tops the timeline", async ({ page, context }) => {
  const console = watchConsole(page);
  await signIn(context, "credit");
  await openAdmin(page, `${admin()}/transactions/${unpaid.id}`);
  await page.getByRole("button", { name: t("zh-TW", "admin.detail.query") }).click();
  const banner = page.locator(".Polaris-Banner").filter({ hasText: t("zh-TW", "admin.detail.answer.unpaid", { no: unpaid.merchantTradeNo }) });
  await expect(banner).toBeVisible();
  await expect(page.locator("#timeline [data-role=words]").first()).toHaveText(t("zh-TW", "admin.timeline.queryUnpaid"));
  await expect(page.getByText("QUERY_FAILED")).toHaveCount(0);
  console.assertClean();
});

const serviceNames = (methods: readonly MethodHandle[], locale: Locale) => methods.map((m) => PAYMENT_METHODS[m].serviceName[locale]);

async function verifyKeys(page: Page, keys: { merchantId: string; hashKey: string; hashIv: string }) {
  await openAdmin(page, `${admin()}/bind`);
  await page.getByRole("button", { name: t("zh-TW", "admin.bind.rebind") }).click();
  await page.locator("#merchantId").fill(keys.merchantId);
  await page.locator("#hashKey").fill(keys.hashKey);
  await page.locator("#hashIv").fill(keys.hashIv);
  await page.getByRole("button", { name: t("zh-TW", "admin.bind.verify") }).click();
  await expect(page.locator("#confirm-title")).toBeVisible();
}

test("the rebind confirmation names the shop's other apps it changes, or those that keep the current MerchantID, and a confirmed rebind ends on a success banner", async ({ page, context }) => {
  const console = watchConsole(page);
  await signIn(context, "credit");
  const others = METHOD_HANDLES.filter((m) => m !== "credit");

  const stranger = { merchantId: "3383555", hashKey: "StrangerKey4Bx7Q", hashIv: "StrangerIv2Pw9Lm" };
  stack.production.addMerchant(stranger);
  await verifyKeys(page, stranger);
  const keeps = page.locator('[data-impact="admin.confirm.keeps"]');
  await expect(keeps).toContainText(t("zh-TW", "admin.confirm.keeps", { merchantId: PRODUCTION_MERCHANT.merchantId }));
  await expect(keeps.getByRole("listitem")).toHaveText(serviceNames(others, "zh-TW"));
  await expect(page.locator('[data-impact="admin.confirm.changes"]')).toHaveCount(0);
  await page.getByRole("link", { name: t("zh-TW", "admin.confirm.cancel") }).or(page.getByRole("button", { name: t("zh-TW", "admin.confirm.cancel") })).click();

  await verifyKeys(page, PRODUCTION_MERCHANT);
  const changes = page.locator('[data-impact="admin.confirm.changes"]');
  await expect(changes).toContainText(t("zh-TW", "admin.confirm.changes", { merchantId: PRODUCTION_MERCHANT.merchantId }));
  await expect(changes.getByRole("listitem")).toHaveText(serviceNames(others, "zh-TW"));
  await page.getByRole("button", { name: t("zh-TW", "admin.confirm.accept"), exact: true }).click();
  const done = page.locator(".Polaris-Banner").filter({ has: page.locator("#bind-done") });
  await expect(done).toContainText(t("zh-TW", "admin.bind.doneTitle", { merchantId: PRODUCTION_MERCHANT.merchantId }));
  await expect(page.locator("#binding-shared-with")).toContainText(`${t("zh-TW", "admin.bind.sharedWith")} ${serviceNames(others, "zh-TW").join("、")}`);
  await expect(page.locator("#current-merchant-id")).toHaveText(PRODUCTION_MERCHANT.merchantId);
  console.assertClean();
});

// ---------- the buyer's pages ----------

/** The buyer's pages per language: an ATM account and a paid card checkout Shopify has not answered yet. */
const buyer: Partial<Record<Locale, { atm: string; waitingId: string; waiting: string }>> = {};

async function buyerContext(browser: Browser, locale: Locale) {
  const context = await browser.newContext({ locale, userAgent: DESKTOP["User-Agent"] });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.server.origin });
  return context;
}

for (const locale of LOCALES) {
  test(`the buyer's ATM page in ${locale}: account, deadline, NT$ amount, checkout reference and a copy button that copies the account`, async ({ browser }) => {
    const context = await buyerContext(browser, locale);
    const page = await context.newPage();
    const console = watchConsole(page);
    const started = await stack.shopify.startPayment(SHOP, "atm", { test: false, kind: "sale", amount: 2380, customer: { locale } });
    expect(started.ok).toBe(true);
    await page.goto(started.redirectUrl!);
    await page.waitForURL(/\/Emulator\/Payment\//);
    const attempt = await waitUntil(() => db.paymentAttempt.findFirst({ where: { paymentSessionId: started.session.id, status: "ISSUED", paymentSession: { status: "PENDING" } } }), {
      timeoutMs: 15_000,
      message: "the ATM account issued",
    });
    // ECPay's "back to the shop" brings the buyer to our page repeating the account.
    await page.locator("#back-to-shop").click();
    await expect(page.locator("h1")).toHaveText(t(locale, "buyer.atmTitle"));
    await expect(page.locator("html")).toHaveAttribute("lang", locale === "en" ? "en" : "zh-Hant-TW");
    await expect(page.locator("#atm-account")).toHaveText(attempt.vAccount!);
    await expect(page.locator("#atm-bank-code")).toHaveText(attempt.bankCode!);
    await expect(page.locator("#atm-deadline")).toHaveText(attempt.expireDate!);
    await expect(page.locator("#atm-amount")).toHaveText("NT$2,380");
    await expect(page.locator("#order-ref")).toHaveText(started.session.checkoutToken);
    await expect(page.locator("#payment-status")).toHaveText(SHOPIFY_STATUS_WORDS.pending[locale]);
    const copy = page.locator("#copy-atm-account");
    await expect(copy).toHaveText(t(locale, "buyer.copyAccount"));
    await copy.click();
    await expect(copy).toHaveText(t(locale, "buyer.copied"));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(attempt.vAccount);
    buyer[locale] = { ...buyer[locale]!, atm: new URL(page.url()).pathname };
    console.assertClean();
    await context.close();
  });
}

for (const locale of LOCALES) {
  test(`the buyer back from paying by card in ${locale} waits on our page, with the checkout reference and NT$ amount, while Shopify has not answered`, async ({ browser }) => {
    // Shopify refuses the resolve until the last test: the buyer's page keeps waiting meanwhile.
    if (locale === LOCALES[0]) stack.shopify.faults.failNext(100_000, { status: 503, mutation: "paymentSessionResolve" });
    const context = await buyerContext(browser, locale);
    const page = await context.newPage();
    const started = await stack.shopify.startPayment(SHOP, "credit", { test: false, kind: "sale", amount: 1280, customer: { locale } });
    expect(started.ok).toBe(true);
    await page.goto(started.redirectUrl!);
    await page.waitForURL(/\/Emulator\/Payment\//);
    await page.locator("#card-number").fill(TEST_CARD.number);
    await page.locator("#card-expiry").fill(TEST_CARD.expiry);
    await page.locator("#card-cvv").fill(TEST_CARD.cvv);
    await page.locator("#pay").click();
    // ECPay posts the buyer's browser back to OrderResultURL; the waiting page then polls ?wait=1.
    await page.waitForURL(new RegExp(`${stack.server.origin}/(ecpay/credit/result|pay/credit/)`));
    await expect(page.locator("h1")).toHaveText(t(locale, "buyer.waiting"));
    await expect(page.locator("#order-ref")).toHaveText(started.session.checkoutToken);
    await expect(page.locator("#order-amount")).toHaveText("NT$1,280");
    buyer[locale] = { ...buyer[locale]!, waitingId: started.session.id, waiting: `/pay/credit/${encodeURIComponent(started.session.id)}?wait=1` };
    await context.close();
  });
}

// ---------- the shop-wide console ----------

test("one app's list shows every app's payments of the shop, with the app, an app filter and each pending ATM account with its deadline", async ({ page, context }) => {
  const console = watchConsole(page);
  await signIn(context, "credit");
  await openAdmin(page, `${admin()}/transactions`);
  const rowOf = (id: string) => page.locator(`[data-testid=transaction-row][data-payment-id="${id}"]`);
  await expect(rowOf(partial.id)).toHaveAttribute("data-method", "credit");
  await expect(rowOf(otherApp.id)).toHaveAttribute("data-method", "installments");
  const appCell = await row(page, otherApp.id).getByTestId("app-cell").innerText();
  expect(PAYMENT_METHODS.installments.serviceName["zh-TW"]).toContain(appCell.trim());
  const atm = await db.paymentAttempt.findMany({ where: { status: "ISSUED", paymentSession: { shop: SHOP, method: "atm", status: "PENDING" } }, include: { paymentSession: true } });
  expect(atm).toHaveLength(LOCALES.length);
  for (const attempt of atm) {
    await expect(rowOf(attempt.paymentSessionId)).toHaveAttribute("data-method", "atm");
    const account = page.locator(`#atm-${attempt.paymentSessionId}`);
    await expect(account).toContainText(t("zh-TW", "admin.console.atmAccount", { bank: attempt.bankCode!, account: attempt.vAccount! }));
    await expect(account).toContainText(t("zh-TW", "admin.console.atmDeadline", { deadline: "" }).trim());
  }

  // The app filter: only the installments app's payment.
  await page.locator("#app-filter-installments").check({ force: true });
  await page.getByRole("button", { name: t("zh-TW", "admin.transactions.apply") }).click();
  await expect(page).toHaveURL(/app=installments/);
  await expect(rowOf(otherApp.id)).toBeVisible();
  await expect(page.locator("[data-testid=transaction-row]")).toHaveCount(1);
  await expect(rowOf(partial.id)).toHaveCount(0);
  await page.locator("#app-filter-credit").check({ force: true });
  await page.getByRole("button", { name: t("zh-TW", "admin.transactions.apply") }).click();
  await expect(rowOf(partial.id)).toBeVisible();
  await expect(rowOf(otherApp.id)).toBeVisible();
  await expect(page.locator('[data-testid=transaction-row][data-method="atm"]')).toHaveCount(0);

  // A filter that matches nothing says so, with the way back; the shop's payments open from any of its apps.
  await openAdmin(page, `${admin()}/transactions?q=nothing-like-this`);
  await expect(page.locator('[data-testid=transactions-empty][data-empty="no-results"]')).toBeVisible();
  await openAdmin(page, `${admin()}/transactions`);
  await rowOf(otherApp.id).getByRole("link").first().click();
  await expect(page.locator("#money-captured")).toHaveText(formatMoney(1500));
  // The list's name for the app, in the detail's note that the payment's own app acts on it.
  await expect(page.getByText(t("zh-TW", "admin.console.otherApp", { app: appCell.trim() }))).toBeVisible();
  console.assertClean();
});

test("the CSV holds the shop's payments of every app ticked, with the app that took each, in the shop's language", async ({ page, context }) => {
  await signIn(context, "credit");
  const all = await downloadCsv(page);
  const ids = all.map((r) => r[col("paymentId")]);
  expect(ids).toEqual(expect.arrayContaining([partial.id, unpaid.id, otherApp.id]));
  const other = all.find((r) => r[col("paymentId")] === otherApp.id)!;
  const credit = all.find((r) => r[col("paymentId")] === partial.id)!;
  expect(other[col("app")]).not.toBe(credit[col("app")]);
  expect(other).toMatchObject({ [col("amount")]: "1500", [col("captured")]: "1500", [col("refunded")]: "0", [col("net")]: "1500" });

  const installmentsOnly = await downloadCsv(page, ["installments"]);
  expect(installmentsOnly.map((r) => r[col("paymentId")])).toEqual([otherApp.id]);

  // In the shop's language, chosen in any app's admin.
  await chooseLanguage(page, "en");
  const english = await downloadCsv(page, ["credit"]);
  expect(english.find((r) => r[t("en", "export.col.paymentId")] === partial.id)).toMatchObject({
    [t("en", "export.col.status")]: SHOPIFY_STATUS_WORDS.partiallyRefunded.en,
    [t("en", "export.col.net")]: "700",
  });
  await chooseLanguage(page, "zh-TW");
});

test("on a phone the admin's navigation opens from the top bar's menu button", async ({ page, context }) => {
  await signIn(context, "credit");
  await page.setViewportSize(VIEWPORTS[1]);
  await openAdmin(page, admin());
  const transactions = page.getByRole("link", { name: t("zh-TW", "admin.nav.transactions"), exact: true });
  await expect(transactions).toBeHidden();
  await page.locator(".Polaris-TopBar__NavigationIcon").click();
  await transactions.click();
  await expect(page).toHaveURL(/\/apps\/credit\/transactions$/);
  await expect(page.locator("[data-testid=transaction-row]").first()).toBeVisible();
});

// ---------- screenshots ----------

test("the main pages fit a laptop (1280×800) and a phone (390×844) in both languages, without overflowing a card", async ({ page, context }) => {
  test.setTimeout(240_000);
  await signIn(context, "credit");
  for (const locale of LOCALES) {
    await page.setViewportSize(VIEWPORTS[0]);
    await chooseLanguage(page, locale);
    const pages: Array<[string, string]> = [
      ["home", admin()],
      ["transactions", `${admin()}/transactions`],
      ["payment", `${admin()}/transactions/${partial.id}`],
      ["bind", `${admin()}/bind`],
      ["settings", `${admin()}/settings`],
      ["test-mode", `${admin()}/test-mode`],
      ["buyer-atm", `${stack.server.origin}${buyer[locale]!.atm}`],
      ["buyer-result", `${stack.server.origin}${buyer[locale]!.waiting}`],
    ];
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      for (const [name, url] of pages) {
        await page.goto(url);
        // The admin's <html lang> is always zh-Hant-TW (app/root.tsx): its navigation tells the language.
        if (name.startsWith("buyer-")) await expect(page.locator("html")).toHaveAttribute("lang", locale === "en" ? "en" : "zh-Hant-TW");
        else await expect(page.locator("body")).toContainText(t(locale, "admin.nav.transactions"));
        // The waiting page reloads itself every 2 s: a check its reload cut short is made again.
        // Soft: every page that overflows is reported, and every screenshot is taken.
        await expect(async () => {
          await expectNoOverflow(page, { soft: true });
          await page.screenshot({ path: path.join(SHOTS, `${name}-${locale}-${viewport.width}.png`) });
        }).toPass({ timeout: 10_000 });
      }
    }
  }
  await chooseLanguage(page, "zh-TW");
});

test("once Shopify answers, the waiting buyer is taken to Shopify's order status page; the merchant can resend rather than wait for the next retry", async ({ page, context, browser }) => {
  stack.shopify.faults.clear();
  const { waiting, waitingId } = buyer["zh-TW"]!;
  const buyerPage = await browser.newPage();
  await buyerPage.goto(`${stack.server.origin}${waiting}`);
  await signIn(context, "credit");
  await openAdmin(page, `${admin()}/transactions/${waitingId}`);
  // The worker's own retry may come first (its delay doubles with each refusal): then no button is left.
  const resend = page.getByRole("button", { name: t("zh-TW", "admin.detail.retry", { mutation: "paymentSessionResolve" }) });
  if (await resend.isVisible()) {
    await resend.click();
    const answers = [t("zh-TW", "admin.detail.retried"), t("zh-TW", "admin.detail.alreadyDelivered"), t("zh-TW", "admin.detail.inFlight")];
    await expect(page.locator(".Polaris-Banner").filter({ hasText: new RegExp(answers.join("|")) })).toBeVisible();
  }
  await buyerPage.waitForURL(/\/thank-you/, { timeout: 30_000 });
  await page.reload();
  await expect(page.locator("#timeline [data-role=words]").first()).toHaveText(
    t("zh-TW", "admin.timeline.shopifyTold", { what: t("zh-TW", "admin.timeline.mutation.paymentSessionResolve") }),
  );
  await buyerPage.close();
});
