// Admin features over real HTTP against the built server, the ECPay emulator and the Shopify
// simulator: a paymentsAppConfigure call that fails is shown and retried, "retry delivery to
// Shopify" delivers, "query ECPay now" answers in words and settles, binding while ECPay is
// unreachable saves nothing, the capture page's 21-day advice, and the admin's default language.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin-session";
import { openHandOff, SHOP, startPaymentStack, submitToEcpay, type PaymentStack } from "../support/payment-stack";
import { waitUntil } from "../support/wait";

const DAY = 24 * 3600_000;

let stack: PaymentStack;
let admin: ReturnType<typeof adminClient>;

beforeAll(async () => {
  stack = await startPaymentStack(inject("templateDatabaseUrl"), {
    extraEnv: {
      // A failed Shopify call waits minutes before its automatic retry: only the merchant's retry
      // button can deliver it within this test.
      OUTBOX_BACKOFF_BASE_MS: "600000",
      // ECPay's production side is down; test-mode payments still reach the stage emulator.
      ECPAY_PRODUCTION_ORIGIN: "http://127.0.0.1:9",
    },
  });
  admin = adminClient(stack.server.origin, stack.prisma);
});

afterAll(async () => {
  await stack?.close();
});

const text = async (response: Response) => {
  expect(response.status).toBe(200);
  return response.text();
};

describe("Shopify's paymentsAppConfigure", () => {
  it("shows a failed configure call with Shopify's error, and the retry button delivers it", async () => {
    stack.shopify.faults.failNext(1, { status: 500, mutation: "paymentsAppConfigure" });
    expect((await admin.post("/apps/redeem/bind", "redeem", SHOP, { intent: "retry-configure" })).status).toBe(302);
    const failed = await waitUntil(
      () => stack.prisma.outboxMessage.findFirst({ where: { shop: SHOP, method: "redeem", mutation: "paymentsAppConfigure", status: "PENDING", attempts: 1 } }),
      { timeoutMs: 10_000 },
    );
    expect(failed.lastError).toBeTruthy();
    expect(stack.shopify.shop(SHOP).configurations.redeem).toBeUndefined();

    for (const page of ["/apps/redeem", "/apps/redeem/bind"]) {
      const html = await text(await admin.get(page, "redeem", SHOP));
      expect(html).toContain("正在通知 Shopify");
      expect(html).toContain(`已嘗試 1 次，最近一次錯誤：${failed.lastError!.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}`);
      expect(html).toContain("重新傳送給 Shopify");
      expect(html).not.toContain("已就緒");
    }

    expect((await admin.post("/apps/redeem/bind", "redeem", SHOP, { intent: "retry-configure" })).status).toBe(302);
    await stack.shopify.waitFor(() => stack.shopify.shop(SHOP).configurations.redeem?.ready, { timeoutMs: 10_000 });
    expect(stack.shopify.shop(SHOP).configurations.redeem?.externalHandle).toBe("3383001");
    // Shopify can hold the configuration before our worker has recorded the delivery (or while the
    // first, failed call it had already claimed lands): the page is judged once our side agrees.
    await waitUntil(
      async () =>
        (await stack.prisma.outboxMessage.count({ where: { shop: SHOP, method: "redeem", mutation: "paymentsAppConfigure", status: "PENDING" } })) === 0 || null,
      { timeoutMs: 10_000 },
    );
    const home = await text(await admin.get("/apps/redeem", "redeem", SHOP));
    expect(home).not.toContain("正在通知 Shopify");
    expect(home).toContain("已就緒");
  });
});

describe("retry delivery to Shopify", () => {
  it("delivers a payment's undelivered resolve at once when the merchant asks", async () => {
    stack.shopify.faults.failNext(1, { status: 503, mutation: "paymentSessionResolve" });
    const started = await stack.shopify.startPayment(SHOP, "credit", { test: true, kind: "sale", amount: 640 });
    expect(started.ok).toBe(true);
    const form = await openHandOff(started.redirectUrl!, { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120" } });
    expect((await submitToEcpay(form)).status).toBe(302);
    await stack.stage.pay(form.fields.MerchantTradeNo!);
    const message = await waitUntil(
      () => stack.prisma.outboxMessage.findFirst({ where: { subjectId: started.session.id, mutation: "paymentSessionResolve", attempts: 1, status: "PENDING" } }),
      { timeoutMs: 10_000 },
    );
    expect(stack.shopify.paymentSession(started.session.id)?.state.code).not.toBe("RESOLVED");

    const page = `/apps/credit/transactions/${started.session.id}`;
    expect(await text(await admin.get(page, "credit", SHOP))).toContain("重新傳送 paymentSessionResolve 給 Shopify");
    const answer = await text(await admin.post(page, "credit", SHOP, { intent: "retry", messageId: message.id }));
    expect(answer).toContain("已排入立即重送");
    await waitUntil(() => stack.prisma.outboxMessage.findFirst({ where: { id: message.id, status: "DELIVERED" } }), { timeoutMs: 10_000 });
    expect(stack.shopify.paymentSession(started.session.id)?.state.code).toBe("RESOLVED");
    const after = await text(await admin.get(page, "credit", SHOP));
    expect(after).not.toContain("重新傳送 paymentSessionResolve 給 Shopify");
    // The timeline keeps both attempts: the failed one with its error, then the delivery.
    const attempts = await stack.prisma.outboxAttempt.findMany({ where: { messageId: message.id }, orderBy: { at: "asc" } });
    expect(attempts.map((a) => a.ok)).toEqual([false, true]);
    expect(after).toContain(attempts[0]!.error!.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;"));
  });
});

describe("query ECPay now", () => {
  /** A test-mode card payment handed off to ECPay's stage and not paid yet. */
  const handedOff = async (amount: number, method: "credit" | "atm" = "credit") => {
    const started = await stack.shopify.startPayment(SHOP, method, { test: true, kind: "sale", amount });
    expect(started.ok).toBe(true);
    const form = await openHandOff(started.redirectUrl!, { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120" } });
    const submitted = await submitToEcpay(form);
    expect(submitted.status).toBe(302);
    return {
      paymentId: started.session.id,
      merchantTradeNo: form.fields.MerchantTradeNo!,
      ecpayPage: new URL(submitted.headers.get("location")!, stack.stage.origin).toString(),
    };
  };
  const queriesAbout = (merchantTradeNo: string) =>
    stack.stage.apiRequests().filter((r) => r.path === "/Cashier/QueryTradeInfo/V5" && r.merchantTradeNo === merchantTradeNo).length;
  const click = async (paymentId: string, headers: Record<string, string> = {}, method = "credit") =>
    text(await admin.post(`/apps/${method}/transactions/${paymentId}`, method, SHOP, { intent: "query" }, { headers }));
  const queryOutcomes = async (merchantTradeNo: string) =>
    (await stack.prisma.ecpayNotification.findMany({ where: { channel: "QUERY", merchantTradeNo }, orderBy: { receivedAt: "asc" } })).map((n) => n.outcome);

  it("answers an unpaid trade and then a paid one in words, asking ECPay once per click and settling the paid answer", async () => {
    const flow = await handedOff(720);
    const unpaid = await click(flow.paymentId);
    expect(unpaid).toContain(`綠界回覆：未付款（綠界訂單 ${flow.merchantTradeNo}）`);
    expect(unpaid).toContain("與目前的紀錄一致，沒有變更");
    expect(queriesAbout(flow.merchantTradeNo)).toBe(1);
    expect(await queryOutcomes(flow.merchantTradeNo)).toEqual(["QUERY_UNPAID"]);

    // The buyer pays but ReturnURL never arrives: only the merchant's query can settle it here.
    stack.stage.setNotificationFault({ drop: 1_000 });
    try {
      await stack.stage.pay(flow.merchantTradeNo);
      await stack.stage.whenNotificationsSettled();
    } finally {
      stack.stage.setNotificationFault(null);
    }
    const paid = await click(flow.paymentId);
    expect(paid).toContain(`綠界回覆：已付款（綠界訂單 ${flow.merchantTradeNo}）`);
    expect(paid).toContain("已據此更新這筆交易並通知 Shopify");
    expect(queriesAbout(flow.merchantTradeNo)).toBe(2);
    expect((await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } })).status).toBe("PAID");
    // One answer, stored once, as the settlement it caused.
    expect(await queryOutcomes(flow.merchantTradeNo)).toEqual(["QUERY_UNPAID", "ACCEPTED"]);
    await stack.shopify.waitFor(() => stack.shopify.paymentSession(flow.paymentId)?.state.code === "RESOLVED", { timeoutMs: 10_000 });

    // Asked again, the paid answer changes nothing and says so, in the merchant's language.
    const again = await click(flow.paymentId, { "accept-language": "en-US,en;q=0.9" });
    expect(again).toContain(`ECPay says: Paid (ECPay order ${flow.merchantTradeNo})`);
    expect(again).toContain("This matches our records; nothing changed.");
    expect(queriesAbout(flow.merchantTradeNo)).toBe(3);
    expect(await queryOutcomes(flow.merchantTradeNo)).toEqual(["QUERY_UNPAID", "ACCEPTED", "QUERY_PAID"]);
  });

  it("answers an ATM account still waiting for the transfer as issued, with the account", async () => {
    const flow = await handedOff(740, "atm");
    const issued = await waitUntil(
      () => stack.prisma.paymentAttempt.findFirst({ where: { merchantTradeNo: flow.merchantTradeNo, status: "ISSUED" } }),
      { timeoutMs: 10_000 },
    );
    const answer = await click(flow.paymentId, {}, "atm");
    expect(answer).toContain(`綠界回覆：ATM 已取號，買家尚未轉帳（綠界訂單 ${flow.merchantTradeNo}）`);
    expect(answer).toContain(`銀行代碼 ${issued.bankCode} · 虛擬帳號 ${issued.vAccount}`);
    expect(queriesAbout(flow.merchantTradeNo)).toBe(1);
  });

  it("says when ECPay has no such trade, and when ECPay cannot be reached, in words", async () => {
    // The buyer opened our hand-off page but never reached ECPay: ECPay has never heard of the trade.
    const neverSent = await stack.shopify.startPayment(SHOP, "credit", { test: true, kind: "sale", amount: 750 });
    const form = await openHandOff(neverSent.redirectUrl!, { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120" } });
    expect(await click(neverSent.session.id)).toContain(`綠界回覆：查無此筆（${form.fields.MerchantTradeNo}）`);
    expect(await queryOutcomes(form.fields.MerchantTradeNo!)).toEqual(["QUERY_NOT_FOUND"]);

    // A live payment while ECPay's production side is down (this file's ECPAY_PRODUCTION_ORIGIN).
    const live = await stack.shopify.startPayment(SHOP, "credit", { test: false, kind: "sale", amount: 760 });
    await openHandOff(live.redirectUrl!, { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120" } });
    const down = await click(live.session.id, { "accept-language": "en-US" });
    expect(down).toContain("ECPay cannot be reached or did not answer, so the payment&#x27;s state is unknown.");
  });

  it("answers a trade the buyer abandoned (TradeStatus 10200095) as not paid, never as a failed query", async () => {
    const flow = await handedOff(730);
    const cancelled = await fetch(`${flow.ecpayPage}/cancel`, { method: "POST", body: new URLSearchParams(), redirect: "manual" });
    expect([200, 302]).toContain(cancelled.status);
    const answer = await click(flow.paymentId);
    expect(answer).toContain(`綠界回覆：未付款，買家沒有完成付款，這筆綠界訂單未成立（${flow.merchantTradeNo}）`);
    expect(answer).toContain("已將這筆綠界訂單記為未完成；買家可以重新付款。");
    expect(queriesAbout(flow.merchantTradeNo)).toBe(1);
    expect((await stack.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: flow.merchantTradeNo } })).status).toBe("FAILED");
    const outcomes = await queryOutcomes(flow.merchantTradeNo);
    expect(outcomes).not.toContain("QUERY_FAILED");
    expect(outcomes).toEqual(["FAILED_RECORDED"]);
    // The payment itself stays open: the buyer may try again.
    expect((await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } })).status).not.toBe("REJECTED");
  });
});

describe("binding while ECPay is unreachable", () => {
  it("answers a clear, retryable error on the form and saves nothing", async () => {
    const before = await stack.prisma.ecpayBinding.count();
    const installation = await stack.prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "twqr", shop: SHOP } } });
    const html = await text(await admin.post("/apps/twqr/bind", "twqr", SHOP, { intent: "verify", merchantId: "3150009", hashKey: "AbCdEfGh12345678", hashIv: "IvIvIvIv87654321" }));
    expect(html).toContain("目前無法連線到綠界，請稍後再試；尚未儲存任何資料");
    expect(html).not.toContain("賣家資料確認");
    expect(await stack.prisma.ecpayBinding.count()).toBe(before);
    const after = await stack.prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "twqr", shop: SHOP } } });
    expect(after.bindingId).toBe(installation.bindingId);
  });
});

describe("capture advice", () => {
  it("warns about ECPay's 21-day close limit after live authorizations and lists those close to it", async () => {
    const now = Date.now();
    const authorization = (id: string, ageDays: number, test = false) => ({
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      method: "credit" as const,
      shop: SHOP,
      group: `g-${id}`,
      amount: 900,
      amountRaw: "900.00",
      currency: "TWD",
      kind: "AUTHORIZATION" as const,
      test,
      status: "AUTHORIZED" as const,
      cancelUrl: `https://${SHOP}/checkouts/cn/tok${id}/processing`,
      proposedAt: new Date(now - ageDays * DAY),
      createdAt: new Date(now - ageDays * DAY),
    });
    const before = await text(await admin.get("/apps/credit/capture", "credit", SHOP));
    expect(before).not.toContain("近期有僅授權的訂單");
    expect(before).toContain("沒有即將到期的授權");

    await stack.prisma.paymentSession.createMany({
      data: [authorization("authNearLimit19d", 19), authorization("authFresh5d", 5), authorization("authTestOld19d", 19, true)],
    });
    const html = await text(await admin.get("/apps/credit/capture", "credit", SHOP));
    expect(html).toContain("近期有僅授權的訂單");
    expect(html).toContain("最近 30 天有 2 筆付款為「授權」而非直接付款");
    expect(html).toContain("請記得在 21 天內請款");
    expect(html).toContain("/transactions/authNearLimit19d");
    // Counted to the 20-day expiry Shopify is told (ECPay's own limit is 21): one day left at 19 days.
    expect(html).toMatch(/authNearLimit19d[\s\S]*?>1 天</);
    expect(html).not.toContain("/transactions/authFresh5d");
    expect(html).not.toContain("/transactions/authTestOld19d");
  });
});

describe("the admin's language", () => {
  it("follows the merchant's browser until they choose: Chinese for zh, English otherwise", async () => {
    await stack.prisma.shopSettings.deleteMany({ where: { shop: SHOP } });
    const home = (acceptLanguage?: string) => admin.get("/apps/webatm", "webatm", SHOP, acceptLanguage ? { "accept-language": acceptLanguage } : {}).then(text);
    expect(await home("zh-TW,zh;q=0.9,en;q=0.8")).toContain("設定指南");
    expect(await home("en-US,en;q=0.9")).toContain("Setup guide");
    expect(await home("ja-JP,ja;q=0.9")).toContain("Setup guide");
    expect(await home()).toContain("設定指南");
    // Shopify's locale parameter wins over the browser.
    expect(await text(await admin.get("/apps/webatm?locale=zh-TW", "webatm", SHOP, { "accept-language": "en-US" }))).toContain("設定指南");
    // The merchant's choice wins over both.
    expect((await admin.post("/apps/webatm/locale", "webatm", SHOP, { locale: "en" })).status).toBe(200);
    expect(await home("zh-TW")).toContain("Setup guide");
  });

  it("is one setting for the shop: switching in one app's admin switches every app's admin", async () => {
    await stack.prisma.shopSettings.deleteMany({ where: { shop: SHOP } });
    const home = (method: "webatm" | "credit" | "atm") => admin.get(`/apps/${method}`, method, SHOP, { "accept-language": "zh-TW" }).then(text);
    for (const method of ["webatm", "credit", "atm"] as const) expect(await home(method)).toContain("設定指南");
    expect(await home("credit")).toContain('<html lang="zh-Hant-TW">');
    expect((await admin.post("/apps/atm/locale", "atm", SHOP, { locale: "en" })).status).toBe(200);
    for (const method of ["webatm", "credit", "atm"] as const) expect(await home(method), method).toContain("Setup guide");
    // The document says its language too (screen readers, the browser's translate offer).
    expect(await home("credit")).toContain('<html lang="en">');
    expect((await admin.post("/apps/credit/locale", "credit", SHOP, { locale: "zh-TW" })).status).toBe(200);
    for (const method of ["webatm", "credit", "atm"] as const) expect(await home(method), method).toContain("設定指南");
    expect(await stack.prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ locale: "zh-TW" });
  });
});
