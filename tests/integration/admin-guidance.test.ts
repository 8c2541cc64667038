// Method-aware guidance (issue 16) over real HTTP against the built server, the ECPay stage
// emulator and the Shopify simulator: each page's testing, capture and refund copy follows the
// method registry (UnionPay cannot be tested on stage, ATM has no test card and no capture), the
// setup guide ticks "test payment" only after a paid test payment of this app, its links go to
// the simulated Shopify admin with no internal codes, and the item-name help says what ECPay shows.
import { describe, expect, it } from "vitest";
import { DESKTOP_BROWSER } from "../support/checkout-flow";
import { openHandOff, SHOP, submitToEcpay } from "../support/payment-stack";
import { adminStackPerFile } from "../support/per-file";
import { waitUntil } from "../support/wait";

const file = adminStackPerFile();
const page = file.page;

const EN = { "accept-language": "en-US" };
const TEST_CARD = "4311-9522-2222-2222";


/** The setup guide's steps as rendered: key → done. */
const stepsOf = (html: string) =>
  Object.fromEntries([...html.matchAll(/<div[^>]*id="setup-step-([a-z]+)"[^>]*>/g)].map((m) => [m[1]!, /data-done="true"/.test(m[0])]));

/** A test payment handed off to ECPay's stage emulator, not paid yet. */
async function testPayment(method: "credit" | "redeem" | "atm", amount: number) {
  const started = await file.stack.shopify.startPayment(SHOP, method, { test: true, kind: "sale", amount });
  expect(started.ok).toBe(true);
  const form = await openHandOff(started.redirectUrl!, { headers: DESKTOP_BROWSER });
  return { paymentId: started.session.id, form, ecpay: await submitToEcpay(form) };
}

describe("the UnionPay app's test mode", () => {
  it("says ECPay's stage has no UnionPay, with no test card, and the guide has no test or capture step", async () => {
    const zh = await page("/apps/unionpay/test-mode", "unionpay");
    expect(zh).toContain("綠界測試環境沒有此付款方式");
    expect(zh).toContain("10200141");
    expect(zh).toContain("綁定綠界帳號、在 Shopify 啟用此付款方式");
    expect(zh).not.toContain(TEST_CARD);
    expect(zh).not.toContain("id=\"test-card-number\"");
    expect(zh).not.toContain("綠界測試卡號");
    expect(zh).toContain("請讓此付款方式的 Shopify「測試模式」保持關閉");
    expect(zh).not.toContain("測試模式下的訂單會導到綠界測試環境");
    expect(zh).not.toContain("shopify015sub");
    const en = await page("/apps/unionpay/test-mode", "unionpay", EN);
    expect(en).toContain("ECPay&#x27;s stage does not offer this method");
    expect(en).not.toContain(TEST_CARD);

    expect(zh).toContain("本 App 會直接拒絕此付款方式的測試結帳");
    // What the page says is what happens: a UnionPay test checkout is declined at once, and Shopify told why.
    const declined = await file.stack.shopify.startPayment(SHOP, "unionpay", { test: true, kind: "sale", amount: 520 });
    await waitUntil(async () => (await file.stack.prisma.paymentSession.findUnique({ where: { id: declined.session.id } }))?.status === "REJECTED" || null, { timeoutMs: 10_000 });

    expect(stepsOf(await page("/apps/unionpay", "unionpay"))).toEqual({ bind: true, confirm: true, activate: true });
  });

  it("says UnionPay closes at authorization on the capture page, with its refund rule, and no card capture advice", async () => {
    const zh = await page("/apps/unionpay/capture", "unionpay");
    expect(zh).toContain("銀聯卡在授權時即完成關帳");
    expect(zh).toContain("退款：可在 Shopify 訂單頁全額或部分退款");
    expect(zh).not.toContain("結帳時自動請款");
    expect(zh).not.toContain("我已確認請款設定");
    expect(await page("/apps/unionpay/capture", "unionpay", EN)).toContain("UnionPay closes (captures) at authorization");
  });
});

describe("the ATM app's guidance", () => {
  it("tells an ATM test payment to be paid with the emulator's simulated transfer, never the test card", async () => {
    const zh = await page("/apps/atm/test-mode", "atm");
    expect(zh).toContain("Simulate bank transfer 模擬轉帳");
    expect(zh).toContain("不使用測試卡號");
    expect(zh).not.toContain(TEST_CARD);
    expect(zh).not.toContain("綠界測試卡號");
    expect(zh).toContain("沒有請款步驟");
    expect(zh).toContain("測試訂單在 Shopify 點選「退款」同樣會被拒絕");
    expect(zh).not.toContain("測試訂單的請款、作廢與退款會直接完成");
    const en = await page("/apps/atm/test-mode", "atm", EN);
    expect(en).toContain("click Simulate bank transfer 模擬轉帳");
    expect(en).not.toContain(TEST_CARD);
    expect(en).toContain("there is no capture step");
  });

  it("gives ATM no capture step or capture advice, and its refund rule on the help page", async () => {
    const home = await page("/apps/atm", "atm");
    expect(Object.keys(stepsOf(home))).toEqual(["bind", "confirm", "activate", "test"]);
    expect(home).not.toContain("確認請款方式");
    // Nor a capture page in its navigation; a card app keeps it.
    expect(home).not.toContain('href="/apps/atm/capture"');
    expect(await page("/apps/credit", "credit")).toContain('href="/apps/credit/capture"');
    expect(home).not.toContain("綠界測試卡號");
    expect(home).toContain("不使用測試卡號");
    expect(await page("/apps/atm", "atm", EN)).not.toContain("ECPay&#x27;s test card");

    const capture = await page("/apps/atm/capture", "atm");
    expect(capture).toContain("此付款方式在顧客付款時即完成收款");
    expect(capture).toContain("ATM 虛擬帳號與網路 ATM 無法線上退款");
    expect(capture).not.toContain("結帳時自動請款");
    expect(capture).not.toContain("每日自動關帳");

    const help = await page("/apps/atm/help", "atm");
    expect(help).toContain("此付款方式在顧客付款時即完成收款");
    expect(help).not.toContain("於訂單列表勾選「已授權」訂單");
    expect(help).toContain("選「退款」會被拒絕");
    expect(await page("/apps/atm/help", "atm", EN)).toContain("cannot be refunded through ECPay online, so &quot;Refund&quot; is refused");
  });

  it("pays an ATM test payment the way the page says: the emulator's simulated transfer, with no card", async () => {
    const atm = await testPayment("atm", 1450);
    expect(atm.ecpay.status).toBe(302);
    const atmPage = await (await fetch(new URL(atm.ecpay.headers.get("location")!, file.stack.stage.origin))).text();
    expect(atmPage).toContain("Simulate bank transfer 模擬轉帳");
    expect(atmPage).not.toContain("card-form");
    await waitUntil(async () => (await file.stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: atm.paymentId } })).status === "PENDING" || null, { timeoutMs: 10_000 });
    expect(stepsOf(await page("/apps/atm", "atm")).test).toBe(false);
    await file.stack.stage.pay(atm.form.fields.MerchantTradeNo!);
    await waitUntil(async () => (await file.stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: atm.paymentId } })).status === "PAID" || null, { timeoutMs: 10_000 });
    expect(stepsOf(await page("/apps/atm", "atm")).test).toBe(true);
  });
});

describe("the setup guide's test payment step", () => {
  it("stays open after failed test payments and after another app's paid one, and is done once this app's test payment is paid", async () => {
    const open = () => page("/apps/redeem", "redeem").then((html) => stepsOf(html).test);
    expect(await open()).toBe(false);

    // Declined card, then the buyer gives up on ECPay's page.
    const declined = await testPayment("redeem", 880);
    const ecpayPage = new URL(declined.ecpay.headers.get("location")!, file.stack.stage.origin).toString();
    const refusal = await fetch(`${ecpayPage}/pay`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ cardNumber: "4000-2211-1111-1111", cardExpiry: "12/39", cardCvv: "222" }).toString(),
    });
    expect(await refusal.text()).toContain("授權失敗");
    await fetch(`${ecpayPage}/cancel`, { method: "POST", body: new URLSearchParams(), redirect: "manual" });
    // And a test payment Shopify was told failed (as an expired or refused one is).
    await file.stack.prisma.paymentSession.create({
      data: {
        id: "rGuideRejectedTest01",
        gid: "gid://shopify/PaymentSession/rGuideRejectedTest01",
        group: "g-guide-rejected",
        shop: SHOP,
        method: "redeem",
        amount: 300,
        amountRaw: "300.00",
        currency: "TWD",
        kind: "SALE",
        test: true,
        status: "REJECTED",
        proposedAt: new Date(),
        cancelUrl: `https://${SHOP}/checkouts/cn/guide-rejected/processing`,
      },
    });
    expect(await open()).toBe(false);

    // A paid test payment of another app does not count for this one.
    const other = await testPayment("credit", 640);
    await file.stack.stage.pay(other.form.fields.MerchantTradeNo!);
    await waitUntil(async () => (await file.stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: other.paymentId } })).status === "PAID" || null, { timeoutMs: 10_000 });
    expect(await open()).toBe(false);

    const paid = await testPayment("redeem", 990);
    await file.stack.stage.pay(paid.form.fields.MerchantTradeNo!);
    await waitUntil(async () => (await file.stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: paid.paymentId } })).status === "PAID" || null, { timeoutMs: 10_000 });
    expect(await open()).toBe(true);
    const home = await page("/apps/redeem", "redeem");
    expect(home).toContain("只有付款成功的測試訂單會讓此步驟完成；付款失敗的不算。");
    expect(await page("/apps/redeem", "redeem", EN)).toContain("Only a test payment that was paid marks this step done; a failed one does not.");
  });
});

describe("links and words in the sandbox", () => {
  it("sends every Shopify file.admin link of the guide, test mode and capture pages to the simulator, and names the method in words", async () => {
    const simulatorSettings = `${file.stack.shopify.origin}/admin/${SHOP}/settings`;
    for (const locale of [{}, EN]) {
      for (const path of ["/apps/credit", "/apps/credit/test-mode", "/apps/credit/capture"]) {
        const html = await page(path, "credit", locale);
        expect(html, path).toContain(`href="${simulatorSettings}"`);
        expect(html, path).not.toContain("admin.shopify.com");
        expect(html, path).not.toContain(`https://${SHOP}`);
      }
    }
    expect((await fetch(simulatorSettings)).status).toBe(200);

    const zh = await page("/apps/credit", "credit");
    expect(zh).not.toContain("付款方式代碼");
    expect(zh).toContain("付款方式：綠界科技 - 信用卡一次付清");
    const en = await page("/apps/credit", "credit", EN);
    expect(en).not.toContain("Method handle");
    expect(en).toContain("Payment method: ECPay - Credit card (one-time)");

    // The emulator has no back office: its trades page stands in for the real stage's.
    const testMode = await page("/apps/credit/test-mode", "credit");
    expect(testMode).toContain(`href="${file.stack.stage.origin}/_emulator/orders"`);
    expect((await fetch(`${file.stack.stage.origin}/_emulator/orders`)).status).toBe(200);
  });
});

describe("the item name setting", () => {
  it("says an empty item name shows 網路商品一批 on ECPay's page, which is what the hand-off sends", async () => {
    const zh = await page("/apps/credit/settings", "credit");
    expect(zh).toContain("留空則顯示「網路商品一批」");
    expect(zh).not.toContain("留空則使用商店名稱");
    const en = await page("/apps/credit/settings", "credit", EN);
    expect(en).toContain("left empty, the page shows &quot;網路商品一批&quot;");
    expect(en).not.toContain("empty uses the shop and order");

    const installation = await file.stack.prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "credit", shop: SHOP } } });
    expect(JSON.parse(installation.settings || "{}").itemName).toBeUndefined();
    const handOff = await testPayment("credit", 450);
    expect(handOff.form.fields.ItemName).toBe("網路商品一批");
  });
});
