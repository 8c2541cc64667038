// HTML and script payloads in the outside strings that reach a page, over real HTTP: a Shopify
// session's id and group (shown in the admin, put into the buyer's URLs and ECPay's CustomField1),
// a merchant's item-name setting, and ECPay's free-text RtnMsg (shown in the timeline). Each is
// either refused at the door or shown only escaped, on the buyer's pages and in the admin.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin-session";
import { checkoutFlow, signedEcpayBody } from "../support/checkout-flow";
import { PRODUCTION_MERCHANT, SHOP, startPaymentStack, type PaymentStack } from "../support/payment-stack";

const PAYLOADS = [`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `'><svg onload=alert(1)>`];
/** A payload is "live" when its markup appears as markup, not as escaped text. */
const live = (html: string) => /<script>alert|<img src=x|<svg onload/i.test(html);

let stack: PaymentStack;

beforeAll(async () => {
  stack = await startPaymentStack(inject("templateDatabaseUrl"));
});

afterAll(async () => {
  await stack?.close();
});

const { startAndHandOff, postEcpay } = checkoutFlow(() => stack);

function sessionBody(id: string, group: string) {
  return {
    id,
    gid: `gid://shopify/PaymentSession/inj${Date.now()}`,
    group,
    amount: "500.00",
    currency: "TWD",
    test: false,
    payment_method: { type: "offsite", data: { cancel_url: `https://${SHOP}/checkouts/cn/abc/processing` } },
    proposed_at: new Date().toISOString(),
    kind: "sale",
  };
}

describe("outside strings with markup", () => {
  it("in a Shopify session's id or group are refused or shown escaped on the buyer's page and in the admin", async () => {
    const admin = adminClient(stack.server.origin, stack.prisma);
    for (const payload of PAYLOADS) {
      const body = sessionBody(`inj${payload}`, `grp${payload}`);
      const answer = await fetch(`${stack.server.origin}/payments/credit/session`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Shopify-Shop-Domain": SHOP, "Shopify-Request-Id": crypto.randomUUID(), "Shopify-Api-Version": "2026-07" },
        body: JSON.stringify(body),
      });
      const text = await answer.text();
      expect(live(text)).toBe(false);
      if (answer.status !== 200) continue;
      const { redirect_url } = JSON.parse(text) as { redirect_url: string };
      const page = await fetch(redirect_url, { headers: { "User-Agent": "Mozilla/5.0 Chrome/120" } });
      expect(live(await page.text())).toBe(false);
      const list = await admin.get(`/apps/credit/transactions?q=inj`, "credit", SHOP);
      expect(list.status).toBe(200);
      expect(live(await list.text())).toBe(false);
    }
  });

  it("in the item-name setting are refused with a field error and change nothing", async () => {
    const admin = adminClient(stack.server.origin, stack.prisma);
    const before = await stack.prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "credit", shop: SHOP } } });
    for (const payload of PAYLOADS) {
      const answer = await admin.post("/apps/credit/settings", "credit", SHOP, { itemName: payload });
      expect(answer.status).toBeLessThan(500);
      expect(live(await answer.text())).toBe(false);
    }
    const after = await stack.prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "credit", shop: SHOP } } });
    expect(after.settings).toBe(before.settings);
  });

  it("in ECPay's free-text RtnMsg of a signed failure are shown only escaped in the payment's timeline", async () => {
    const flow = await startAndHandOff("credit", { amount: 700 });
    const failed = signedEcpayBody({
      MerchantID: PRODUCTION_MERCHANT.merchantId,
      MerchantTradeNo: flow.merchantTradeNo,
      RtnCode: "10100058",
      RtnMsg: PAYLOADS.join(" "),
      TradeNo: "2412020000000777",
      TradeAmt: "700",
      PaymentType: "Credit_CreditCard",
      PaymentDate: "",
      TradeDate: "2026/12/02 11:59:00",
      SimulatePaid: "0",
      CustomField1: flow.form.fields.CustomField1!,
    });
    expect((await postEcpay("/ecpay/credit/return", failed)).status).toBeLessThan(500);
    const admin = adminClient(stack.server.origin, stack.prisma);
    const detail = await admin.get(`/apps/credit/transactions/${flow.paymentId}`, "credit", SHOP);
    expect(detail.status).toBe(200);
    expect(live(await detail.text())).toBe(false);
    const retry = await fetch(`${stack.server.origin}/pay/credit/${flow.paymentId}?wait=1`);
    expect(live(await retry.text())).toBe(false);
  });
});
