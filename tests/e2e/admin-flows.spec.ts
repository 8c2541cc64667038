// The merchant admin end to end, in Chromium, against the ECPay emulator (production + stage) and
// the Shopify simulator: bind (wrong keys, right keys, confirm, ready), rebind, reuse in a second
// app, method settings, transactions with search and timeline, CSV export, language switch.
import { readFileSync } from "node:fs";
import { test, expect, type BrowserContext, type Page } from "@playwright/test";
import type { PrismaClient } from "@prisma/client";
import { startEcpayEmulator, type EcpayEmulator } from "../emulators/ecpay";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { adminSessionCookies } from "../support/admin-session";
import { prismaFor } from "../support/db-client";
import { startE2EStack, watchConsole, type E2EStack } from "../support/e2e-stack";
import { appSecret } from "../support/test-env";

const SHOP = "admin-flows.myshopify.com";
const OTHER_SHOP = "someone-else.myshopify.com";
const MERCHANT_A = { merchantId: "3150001", hashKey: "AbCdEfGh12345678", hashIv: "IvIvIvIv87654321" };
const MERCHANT_B = { merchantId: "3150002", hashKey: "ZyXwVuTs11112222", hashIv: "QqQqWwWwEeEeRrRr" };
const ART = "tests/artifacts";

// Many steps against three servers: allow for a loaded machine.
test.describe.configure({ timeout: 240_000 });

let production: EcpayEmulator;
let stage: EcpayEmulator;
let shopify: ShopifySimulator;
let stack: E2EStack;
let db: PrismaClient;

test.beforeAll(async () => {
  production = await startEcpayEmulator({ environment: "production", merchants: [MERCHANT_A, MERCHANT_B] });
  stage = await startEcpayEmulator({ environment: "stage" });
  // The admin never receives session requests in this test; the simulator only answers GraphQL.
  shopify = await startShopifySimulator({ appOrigin: "http://127.0.0.1:9" });
  shopify.addShop(SHOP, { credit: "shpat_credit", installments: "shpat_installments" });
  stack = await startE2EStack({
    ECPAY_PRODUCTION_ORIGIN: production.origin,
    ECPAY_STAGE_ORIGIN: stage.origin,
    SHOPIFY_PAYMENTS_API_ORIGIN: shopify.paymentsApiOrigin,
  });
  stack.seed("credit", SHOP);
  stack.seed("installments", SHOP);
  db = prismaFor(stack.db.url);
});

test.afterAll(async () => {
  await db?.$disconnect();
  await stack?.close();
  await shopify?.close();
  await stage?.close();
  await production?.close();
});

async function signIn(context: BrowserContext, method: string) {
  const domain = new URL(stack.server.origin).hostname;
  await context.addCookies(adminSessionCookies(method, SHOP, appSecret(method)).map((c) => ({ ...c, domain })));
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${ART}/${name}.png`, fullPage: true });
}

/** Every body our server sent to the browser, to prove no key ever comes back in one. */
function recordResponses(page: Page): string[] {
  const bodies: string[] = [];
  page.on("response", (response) => {
    if (!response.url().startsWith(stack.server.origin)) return;
    void response.text().then(
      (text) => bodies.push(text),
      () => undefined,
    );
  });
  return bodies;
}

async function fillBinding(page: Page, values: { merchantId: string; hashKey: string; hashIv: string }) {
  await page.locator("#merchantId").fill(values.merchantId);
  await page.locator("#hashKey").fill(values.hashKey);
  await page.locator("#hashIv").fill(values.hashIv);
  await page.getByRole("button", { name: "向綠界驗證" }).click();
}

test("a merchant binds ECPay, is confirmed ready by Shopify, rebinds and reuses the binding in a second app", async ({ page, context }) => {
  const console = watchConsole(page);
  const bodies = recordResponses(page);
  await signIn(context, "credit");
  const base = `${stack.server.origin}/apps/credit`;

  await test.step("a fresh install shows the setup guide with nothing done", async () => {
    await page.goto(base);
    await expect(page.getByRole("heading", { name: "設定指南" })).toBeVisible();
    await expect(page.locator("#setup-progress")).toHaveText("已完成 0 / 5 個步驟");
    await expect(page.locator("#bound-merchant-id")).toContainText("尚未綁定");
    await expect(page.getByRole("link", { name: /services\/payments_partners\/gateways\/test-api-key-credit\/settings/ })).toBeVisible();
    await shot(page, "admin-01-home-fresh");
  });

  await test.step("wrong keys are refused with the likely field named, and nothing is saved", async () => {
    await page.getByRole("link", { name: "綁定帳號" }).click();
    await expect(page.getByRole("heading", { name: "綁定綠界賣家帳號" })).toBeVisible();
    await page.getByRole("button", { name: "向綠界驗證" }).click();
    await expect(page.getByText("此欄位必填").first()).toBeVisible();
    await fillBinding(page, { ...MERCHANT_A, hashKey: "WrongWrongWrong1" });
    await expect(page.getByText(/HashKey 或 HashIV 可能有誤/).first()).toBeVisible();
    await shot(page, "admin-02-bind-wrong-keys");
    await fillBinding(page, { ...MERCHANT_A, merchantId: "3159999" });
    await expect(page.getByText(/綠界不認得此商店代號/).first()).toBeVisible();
    expect(await db.ecpayBinding.count({ where: { shop: SHOP } })).toBe(0);
  });

  await test.step("the right keys lead to 賣家資料確認, and Confirm makes Shopify mark the app ready", async () => {
    await fillBinding(page, MERCHANT_A);
    await expect(page.locator("#confirm-title")).toHaveText("賣家資料確認 Membership Confirmation");
    await expect(page.getByText("綠界科技 - 信用卡一次付清")).toBeVisible();
    await expect(page.getByText(MERCHANT_A.merchantId, { exact: true })).toBeVisible();
    expect(await db.ecpayBinding.count({ where: { shop: SHOP } })).toBe(0);
    await shot(page, "admin-03-bind-confirm");
    await page.getByRole("button", { name: "確認" }).click();
    await shopify.waitFor(() => shopify.shop(SHOP).configurations.credit?.ready, { timeoutMs: 15_000 });
    expect(shopify.shop(SHOP).configurations.credit?.externalHandle).toBe(MERCHANT_A.merchantId);
    await expect(async () => {
      await page.goto(base);
      await expect(page.locator("#setup-step-confirm")).toHaveAttribute("data-done", "true", { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await expect(page.locator("#bound-merchant-id")).toContainText(MERCHANT_A.merchantId);
    await expect(page.getByText("已就緒").first()).toBeVisible();
    const binding = await db.ecpayBinding.findFirstOrThrow({ where: { shop: SHOP } });
    expect(binding.hashKeyEnc).not.toContain(MERCHANT_A.hashKey);
    await shot(page, "admin-04-home-ready");
  });

  await test.step("rebinding goes through the same verification and confirmation", async () => {
    await page.goto(`${base}/bind`);
    await expect(page.locator("#current-merchant-id")).toHaveText(MERCHANT_A.merchantId);
    await page.getByRole("button", { name: "更換綁定帳號" }).click();
    await fillBinding(page, MERCHANT_B);
    await expect(page.locator("#confirm-title")).toBeVisible();
    await page.getByRole("button", { name: "確認" }).click();
    await shopify.waitFor(() => shopify.shop(SHOP).configurations.credit?.externalHandle === MERCHANT_B.merchantId, { timeoutMs: 15_000 });
    await page.goto(`${base}/bind`);
    await expect(page.locator("#current-merchant-id")).toHaveText(MERCHANT_B.merchantId);
    await shot(page, "admin-05-bind-current");
    // No page or action answer ever carried a key back to the browser.
    for (const secret of [MERCHANT_A.hashKey, MERCHANT_A.hashIv, MERCHANT_B.hashKey, MERCHANT_B.hashIv]) {
      expect(bodies.filter((b) => b.includes(secret))).toEqual([]);
    }
    expect(bodies.length).toBeGreaterThan(5);
  });

  await test.step("a second app reuses the shop's binding with one confirmation", async () => {
    await signIn(context, "installments");
    await page.goto(`${stack.server.origin}/apps/installments`);
    await expect(page.getByRole("heading", { name: "使用已綁定的綠界帳號" })).toBeVisible();
    await page.getByRole("link", { name: "使用此帳號" }).first().click();
    await expect(page.locator("#confirm-title")).toBeVisible();
    await expect(page.getByText("綠界科技 - 信用卡分期")).toBeVisible();
    await shot(page, "admin-06-reuse-confirm");
    await page.getByRole("button", { name: "確認" }).click();
    await shopify.waitFor(() => shopify.shop(SHOP).configurations.installments?.ready, { timeoutMs: 15_000 });
    expect(shopify.shop(SHOP).configurations.installments?.externalHandle).toBe(MERCHANT_B.merchantId);
    const installation = await db.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "installments", shop: SHOP } }, include: { binding: true } });
    expect(installation.binding?.merchantId).toBe(MERCHANT_B.merchantId);
  });

  await test.step("installment periods: an empty choice is refused inline and nothing is saved; a valid one is saved", async () => {
    await page.goto(`${stack.server.origin}/apps/installments/settings`);
    for (const label of ["3 期", "6 期", "12 期"]) await page.getByLabel(label, { exact: true }).uncheck();
    await expect(page.getByText("尚未儲存的變更")).toBeVisible();
    await page.getByRole("button", { name: "儲存" }).first().click();
    await expect(page.getByText("請至少選擇一個分期期數")).toBeVisible();
    expect((await db.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "installments", shop: SHOP } } })).settings).toBe("{}");
    await shot(page, "admin-07-settings-error");
    await page.getByLabel("24 期", { exact: true }).check();
    await page.getByLabel("6 期", { exact: true }).check();
    await page.getByRole("button", { name: "儲存" }).first().click();
    await expect(page.getByText("已儲存")).toBeVisible();
    const saved = JSON.parse((await db.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "installments", shop: SHOP } } })).settings) as { periods: string[] };
    expect([...saved.periods].sort()).toEqual(["24", "6"]);
    await shot(page, "admin-08-settings-saved");
  });

  console.assertClean();
});

const LIVE = { id: "rLivePaymentA1b2C3d4", mtn: "2501011200LIVE0001", tradeNo: "2501011200123456" };
const TEST = { id: "rTestPaymentZ9y8X7w6", mtn: "2501021200TEST0001", tradeNo: "2501021200654321" };

async function seedTransactions() {
  const base = { method: "credit", currency: "TWD", kind: "SALE" as const, proposedAt: new Date() };
  await db.paymentSession.create({
    data: {
      ...base,
      id: LIVE.id,
      gid: `gid://shopify/PaymentSession/${LIVE.id}`,
      shop: SHOP,
      group: "g-live",
      amount: 1280,
      amountRaw: "1280.00",
      test: false,
      status: "PAID",
      capturedAmount: 1280,
      cancelUrl: "https://admin-flows.myshopify.com/checkouts/cn/Z2NwLWFzaWEtc291dGhlYXN0MTpMIVE/processing",
      createdAt: new Date(Date.now() - 3600_000),
      attempts: {
        create: {
          merchantTradeNo: LIVE.mtn,
          merchantId: MERCHANT_B.merchantId,
          stage: false,
          status: "PAID",
          amount: 1280,
          tradeNo: LIVE.tradeNo,
          paymentType: "Credit_CreditCard",
          tradeAmt: 1280,
          chargeFee: "35",
          paymentDate: "2025/01/01 12:01:00",
          rtnCode: "1",
          rtnMsg: "交易成功",
        },
      },
    },
  });
  await db.paymentSession.create({
    data: {
      ...base,
      id: TEST.id,
      gid: `gid://shopify/PaymentSession/${TEST.id}`,
      shop: SHOP,
      group: "g-test",
      amount: 50,
      amountRaw: "50.00",
      test: true,
      status: "PAID",
      cancelUrl: "https://admin-flows.myshopify.com/checkouts/cn/VGVzdENoZWNrb3V0VG9rZW4/processing",
      attempts: {
        create: {
          merchantTradeNo: TEST.mtn,
          merchantId: "3002607",
          stage: true,
          status: "PAID",
          amount: 50,
          tradeNo: TEST.tradeNo,
          paymentType: "Credit_CreditCard",
          tradeAmt: 50,
          simulatePaid: true,
          rtnCode: "1",
          rtnMsg: "交易成功",
        },
      },
    },
  });
  await db.ecpayNotification.createMany({
    data: [
      {
        channel: "RETURN",
        method: "credit",
        merchantTradeNo: TEST.mtn,
        rawBody: `MerchantID=3002607&MerchantTradeNo=${TEST.mtn}&RtnCode=1&RtnMsg=%E4%BA%A4%E6%98%93%E6%88%90%E5%8A%9F&TradeNo=${TEST.tradeNo}&TradeAmt=50&SimulatePaid=1&CheckMacValue=ABC`,
        signatureValid: true,
        outcome: "ACCEPTED",
      },
      {
        channel: "RETURN",
        method: "credit",
        merchantTradeNo: TEST.mtn,
        rawBody: `MerchantID=3002607&MerchantTradeNo=${TEST.mtn}&RtnCode=1&CheckMacValue=FORGED`,
        signatureValid: false,
        outcome: "BAD_SIGNATURE",
      },
    ],
  });
  const message = await db.outboxMessage.create({
    data: {
      shop: SHOP,
      method: "credit",
      mutation: "paymentSessionResolve",
      subjectId: TEST.id,
      variables: JSON.stringify({ id: `gid://shopify/PaymentSession/${TEST.id}` }),
      status: "DELIVERED",
      attempts: 2,
      deliveredAt: new Date(),
    },
  });
  await db.outboxAttempt.createMany({
    data: [
      { messageId: message.id, ok: false, httpStatus: 503, error: "Service Unavailable" },
      { messageId: message.id, ok: true, response: JSON.stringify({ paymentSessionResolve: { userErrors: [] } }) },
    ],
  });
  // Rows that must never show: another shop's payment and another app's payment.
  await db.paymentSession.create({
    data: { ...base, id: "rOtherShopPayment0001", gid: "gid://shopify/PaymentSession/rOtherShopPayment0001", shop: OTHER_SHOP, group: "g-o", amount: 99, amountRaw: "99.00", test: false, status: "PAID", cancelUrl: "https://x/checkouts/cn/abcdefgh" },
  });
  await db.paymentSession.create({
    data: { ...base, method: "atm", id: "rOtherAppPayment00001", gid: "gid://shopify/PaymentSession/rOtherAppPayment00001", shop: SHOP, group: "g-a", amount: 77, amountRaw: "77.00", test: false, status: "PENDING", cancelUrl: "https://x/checkouts/cn/abcdefgh" },
  });
}

test("transactions: TEST badge, search by each id, the detail timeline, CSV export and the language switch", async ({ page, context }) => {
  const console = watchConsole(page);
  await seedTransactions();
  await signIn(context, "credit");
  const base = `${stack.server.origin}/apps/credit`;

  await test.step("the index lists this app's payments for this shop only, with a TEST badge", async () => {
    await page.goto(`${base}/transactions`);
    await expect(page.getByRole("link", { name: LIVE.id })).toBeVisible();
    await expect(page.getByRole("link", { name: TEST.id })).toBeVisible();
    await expect(page.getByText("rOtherShopPayment0001")).toHaveCount(0);
    await expect(page.getByText("rOtherAppPayment00001")).toHaveCount(0);
    const testRow = page.getByRole("row").filter({ hasText: TEST.id });
    await expect(testRow.getByText("測試", { exact: true })).toBeVisible();
    await expect(testRow.getByText("模擬付款")).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: LIVE.id }).getByText("測試", { exact: true })).toHaveCount(0);
    await expect(page.getByRole("row").filter({ hasText: LIVE.id })).toContainText("Z2NwLWFzaWEtc291dGhlYXN0MTpMIVE");
    await shot(page, "admin-09-transactions");
  });

  await test.step("search finds a payment by Shopify Payment ID, MerchantTradeNo and ECPay TradeNo", async () => {
    for (const q of [LIVE.id, LIVE.mtn, LIVE.tradeNo]) {
      await page.locator("#search").fill(q);
      await page.getByRole("button", { name: "套用" }).click();
      await expect(page).toHaveURL(new RegExp(`q=${q}`));
      await expect(page.getByRole("link", { name: LIVE.id })).toBeVisible();
      await expect(page.getByRole("link", { name: TEST.id })).toHaveCount(0);
    }
    await page.locator("#search").fill("rOtherShopPayment0001");
    await page.getByRole("button", { name: "套用" }).click();
    await expect(page.getByText("沒有符合條件的交易")).toBeVisible();
  });

  await test.step("the detail page shows the full timeline and queries ECPay on demand", async () => {
    await page.goto(`${base}/transactions`);
    await page.getByRole("link", { name: TEST.id }).click();
    await expect(page.getByRole("heading", { name: "時間軸" })).toBeVisible();
    const timeline = page.locator("#timeline");
    await expect(timeline.locator('[data-event="session"]')).toHaveCount(1);
    await expect(timeline.locator('[data-event="attempt"]')).toContainText(TEST.mtn);
    await expect(timeline.getByText("簽章正確")).toBeVisible();
    await expect(timeline.getByText("簽章錯誤")).toBeVisible();
    await expect(timeline.locator('[data-event="outboxAttempt"]')).toHaveCount(2);
    await expect(timeline.getByText("HTTP 503")).toBeVisible();
    await page.getByRole("button", { name: "立即向綠界查詢" }).click();
    await expect(page.getByText(/^綠界回覆 .*TradeStatus=10200047/)).toBeVisible();
    await expect(timeline.getByText("QUERY_NOT_FOUND")).toBeVisible();
    await shot(page, "admin-10-transaction-detail");
    // Another shop's payment id: 404 with the not-found page (fetched outside the watched page,
    // whose console would rightly report the 404 document as an error).
    const other = await page.request.get(`${base}/transactions/rOtherShopPayment0001`);
    expect(other.status()).toBe(404);
    expect(await other.text()).toContain("找不到這筆交易");
    expect(await other.text()).not.toContain("99.00");
  });

  await test.step("the CSV export has a BOM, ECPay's Shopify columns and this shop's rows", async () => {
    await page.goto(`${base}/transactions`);
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "下載 CSV" }).click();
    const file = await (await download).path();
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").slice(1).trim().split("\r\n");
    expect(lines[0]).toBe("商店代號,綠界訂單編號,廠商訂單編號,PaymentID,付款方式,交易金額,手續費,訂單成立時間,付款時間,交易狀態,測試");
    expect(lines).toHaveLength(3);
    expect(lines).toContain(`${MERCHANT_B.merchantId},${LIVE.tradeNo},${LIVE.mtn},${LIVE.id},綠界科技 - 信用卡一次付清,1280,35,${lines.find((l) => l.includes(LIVE.id))!.split(",")[7]},2025/01/01 12:01:00,已付款,N`);
    expect(lines.find((l) => l.includes(TEST.id))).toMatch(/,Y$/);
    expect(bytes.toString("utf8")).not.toContain("rOtherShopPayment0001");
  });

  await test.step("test mode, capture and help pages", async () => {
    await page.goto(`${base}/test-mode`);
    await expect(page.locator("#test-card-number")).toHaveText("4311-9522-2222-2222");
    await expect(page.getByText("shopify015sub")).toBeVisible();
    await expect(page.locator("#stage-merchant")).toContainText("3002607");
    await expect(page.getByRole("link", { name: TEST.id })).toBeVisible();
    await shot(page, "admin-11-test-mode");
    await page.goto(`${base}/capture`);
    await page.getByRole("button", { name: "我已確認請款設定" }).click();
    await expect(page.locator("#capture-reviewed")).toContainText("已於");
    await shot(page, "admin-12-capture");
    await page.goto(`${base}/help`);
    await expect(page.getByRole("link", { name: "綠界 Shopify 服務常見問題 (FAQ)" })).toHaveAttribute("href", "https://p.ecpay.com.tw/607FE86");
    await shot(page, "admin-13-help");
    await page.goto(base);
    // Payments arrived (so the method is active), one was a test, and the capture setting was checked.
    for (const step of ["activate", "test", "capture"]) {
      await expect(page.locator(`#setup-step-${step}`)).toHaveAttribute("data-done", "true");
    }
  });

  await test.step("switching to English is remembered for the installation", async () => {
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("heading", { name: "Setup guide" })).toBeVisible();
    await page.goto(`${base}/transactions`);
    await expect(page.getByRole("heading", { name: "Transactions", exact: true })).toBeVisible();
    expect((await db.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "credit", shop: SHOP } } })).locale).toBe("en");
    await shot(page, "admin-14-transactions-en");
    await page.getByRole("button", { name: "中文" }).click();
    await expect(page.getByRole("heading", { name: "交易紀錄", exact: true })).toBeVisible();
  });

  console.assertClean();
});
