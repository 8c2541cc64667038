// The merchant console (issue 16) over real HTTP against the built server, the ECPay emulator and
// the Shopify simulator: the transactions search finds a payment by part of any of its ids in any
// case, and a payment's timeline reads newest first in words, with the card's state at each moment.
import { describe, expect, it } from "vitest";
import { listTransactions } from "~/admin/transactions.server";
import { checkoutFlow } from "../support/checkout-flow";
import { SHOP } from "../support/payment-stack";
import { adminStackPerFile } from "../support/per-file";
import { waitUntil } from "../support/wait";

const file = adminStackPerFile();
const page = file.page;

const { startAndHandOff, waitForMutation } = checkoutFlow(() => file.stack);


/** The timeline's events as the merchant reads them: [event type, words, card state or null], top to bottom. */
function timelineOf(html: string): Array<[string, string, string | null]> {
  const timeline = html.slice(html.indexOf('id="timeline"'));
  return timeline
    .split('data-event="')
    .slice(1)
    .map((chunk) => {
      const words = /data-role="words">([^<]*)</.exec(chunk)?.[1];
      const card = /data-role="card">([^<]*)</.exec(chunk)?.[1] ?? null;
      return words === undefined ? null : ([chunk.slice(0, chunk.indexOf('"')), words, card] as [string, string, string | null]);
    })
    .filter((event): event is [string, string, string | null] => event !== null);
}

describe("searching the transactions", () => {
  it("finds a payment by part of its Payment ID, MerchantTradeNo, TradeNo or Shopify checkout id, in any case", async () => {
    const base = { method: "twqr" as const, shop: SHOP, currency: "TWD", kind: "SALE" as const, test: false, status: "PAID" as const, proposedAt: new Date() };
    const session = (id: string, checkout: string) => ({
      ...base,
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      group: `g-${id}`,
      amount: 880,
      amountRaw: "880.00",
      cancelUrl: `https://${SHOP}/checkouts/cn/${checkout}/processing`,
    });
    await file.stack.prisma.paymentSession.createMany({
      data: [session("rSearchTargetAbC123", "Z2NwLWFzaWEtVGFyZ2V0"), session("rSearchDecoyXyZ789", "Z2NwLWFzaWEtRGVjb3k0")],
    });
    await file.stack.prisma.paymentSession.create({ data: { ...session("rOtherShopAbC123", "Z2NwLWFzaWEtVGFyZ2V0"), shop: "other-shop.myshopify.com" } });
    const attempt = (merchantTradeNo: string, paymentSessionId: string, tradeNo: string) => ({
      merchantTradeNo,
      paymentSessionId,
      tradeNo,
      merchantId: "3383001",
      stage: false,
      status: "PAID" as const,
      amount: 880,
      paymentType: "TWQR_OPAY",
    });
    await file.stack.prisma.paymentAttempt.createMany({
      data: [
        attempt("261203140000QWER5678", "rSearchTargetAbC123", "2612031400987654"),
        attempt("261203140000ZXCV0000", "rSearchDecoyXyZ789", "2612031400111111"),
        attempt("261203140000QWER9999", "rOtherShopAbC123", "2612031400987699"),
      ],
    });

    const found = async (q: string) => (await listTransactions(file.stack.prisma, SHOP, "twqr", { q })).rows.map((r) => r.id);
    // Payment ID, MerchantTradeNo, TradeNo and the checkout token: a middle part, in the other case.
    expect(await found("searchtargetabc")).toEqual(["rSearchTargetAbC123"]);
    expect(await found("qwer5678")).toEqual(["rSearchTargetAbC123"]);
    expect(await found("1400987654")).toEqual(["rSearchTargetAbC123"]);
    expect(await found("lwfzawetvgfyz2v0")).toEqual(["rSearchTargetAbC123"]);
    // Whole ids still find it exactly; another shop's payment with the same ids never shows.
    expect(await found("rSearchTargetAbC123")).toEqual(["rSearchTargetAbC123"]);
    expect(await found("261203140000QWER5678")).toEqual(["rSearchTargetAbC123"]);
    expect(await found("nothing-like-this")).toEqual([]);
    // LIKE's wildcards are searched for as themselves.
    expect(await found("%%%")).toEqual([]);
    expect(await found("___")).toEqual([]);

    const html = await page(`/apps/twqr/transactions?q=${encodeURIComponent("QWER5678".toLowerCase())}`, "twqr");
    expect(html).toContain("/transactions/rSearchTargetAbC123");
    expect(html).not.toContain("/transactions/rSearchDecoyXyZ789");
    expect(html).not.toContain("rOtherShopAbC123");
  });
});

describe("the payment's timeline", () => {
  it("reads a paid-then-refunded card payment newest first, in words, with the card's state at each moment", async () => {
    const flow = await startAndHandOff("credit", { amount: 2380 });
    await file.stack.production.pay(flow.merchantTradeNo);
    await waitForMutation(flow.gid, "paymentSessionResolve");
    const order = await waitUntil(() => file.stack.shopify.orderForPayment(flow.paymentId));
    const refund = await file.stack.shopify.refund(order.id);
    expect(refund.ok).toBe(true);
    await waitForMutation(refund.session.gid, "refundSessionResolve", 15_000);
    await waitUntil(
      async () => (await file.stack.prisma.outboxMessage.count({ where: { subjectId: { in: [flow.paymentId, refund.session.id] }, status: { not: "DELIVERED" } } })) === 0 || null,
      { timeoutMs: 10_000 },
    );

    const path = `/apps/credit/transactions/${flow.paymentId}`;
    const zh = timelineOf(await page(path, "credit", { "accept-language": "zh-TW" }));
    expect(zh).toEqual([
      ["outbox", "已通知 Shopify：退款完成", null],
      ["operation", "已退款 NT$2,380", "刷卡狀態：已取消授權"],
      ["outbox", "已通知 Shopify：付款成功", null],
      ["notification", "已付款 NT$2,380（信用卡）", "刷卡狀態：已授權"],
      ["attempt", `建立綠界訂單 ${flow.merchantTradeNo}`, "刷卡狀態：尚未授權"],
      ["session", "Shopify 請求付款 NT$2,380（直接付款）", null],
    ]);
    // What the attempt row shows is its state then, not now (ABANDONED since the refund).
    const attempt = await file.stack.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: flow.merchantTradeNo } });
    expect(attempt.cardState).toBe("ABANDONED");

    const html = await page(`${path}?locale=en`, "credit");
    expect(timelineOf(html).map(([, words, card]) => [words, card])).toEqual([
      ["Shopify told: refund done", null],
      ["Refunded NT$2,380", "Card: authorization cancelled"],
      ["Shopify told: payment succeeded", null],
      ["Paid NT$2,380 by credit card", "Card: authorized"],
      [`ECPay order ${flow.merchantTradeNo} created`, "Card: not authorized yet"],
      ["Shopify asked for NT$2,380 (Sale)", null],
    ]);
    // ECPay's and Shopify's codes are only inside the developer details.
    // The rendered timeline (the page's hydration data after it holds the records for the browser).
    const timeline = html.slice(html.indexOf('id="timeline"'), html.indexOf("<script"));
    const outside = timeline.replace(/<details[\s\S]*?<\/details>/g, "");
    for (const code of ["ACCEPTED", "DELIVERED", "SUCCEEDED", "paymentSessionResolve", "RtnCode"]) {
      expect(outside).not.toContain(code);
      expect(timeline).toContain(code);
    }
    expect(timeline.match(/<summary[^>]*>[\s\S]*?Developer details/g)?.length).toBe(6);
  });
});
