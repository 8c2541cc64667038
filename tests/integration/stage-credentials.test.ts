// A test-mode checkout for a shop with its own ECPay stage account (ops seed-shop --stage-merchant-id
// --stage-hash-key --stage-hash-iv) goes to ECPay's stage signed with those keys, not with ECPay's
// public stage merchant, and its notifications are verified with them (issue 3 "Stage vs production").
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PUBLIC_STAGE_MERCHANT } from "~/ecpay/public-stage-merchant";
import { runOps } from "../support/ops";
import { openHandOff, PRODUCTION_MERCHANT, startPaymentStack, submitToEcpay, type PaymentStack } from "../support/payment-stack";

const OWN_SHOP = "own-stage-account.myshopify.com";
/** The shop's own stage account, as ECPay's stage knows it (the emulator has it registered). */
const OWN_STAGE = { merchantId: "3085340", hashKey: "OwnStageKey7Hq2Z", hashIv: "OwnStageIv4Nd8Wc" };
const BROWSER = { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120" };

let stack: PaymentStack;

beforeAll(async () => {
  stack = await startPaymentStack(inject("templateDatabaseUrl"));
  stack.stage.addMerchant(OWN_STAGE);
  stack.shopify.addShop(OWN_SHOP, { credit: "shpat_own_credit", atm: "shpat_own_atm" });
  for (const method of ["credit", "atm"]) {
    const seeded = runOps(
      [
        "seed-shop",
        ...["--method", method, "--shop", OWN_SHOP, "--access-token", `shpat_own_${method}`],
        ...["--merchant-id", PRODUCTION_MERCHANT.merchantId, "--hash-key", PRODUCTION_MERCHANT.hashKey, "--hash-iv", PRODUCTION_MERCHANT.hashIv],
        ...["--stage-merchant-id", OWN_STAGE.merchantId, "--stage-hash-key", OWN_STAGE.hashKey, "--stage-hash-iv", OWN_STAGE.hashIv],
      ],
      stack.env,
    );
    expect(seeded.status, seeded.stderr).toBe(0);
  }
});

afterAll(async () => {
  await stack?.close();
});

async function testCheckout(method: "credit" | "atm") {
  const started = await stack.shopify.startPayment(OWN_SHOP, method, { test: true, kind: "sale", amount: 990 });
  expect(started.ok, JSON.stringify(started.request)).toBe(true);
  const form = await openHandOff(started.redirectUrl!, { headers: BROWSER });
  return { started, form, merchantTradeNo: form.fields.MerchantTradeNo! };
}

describe("a test-mode checkout of a shop with its own stage account", () => {
  it("goes to ECPay's stage with the shop's stage MerchantID and keys, and is resolved from the notification they sign", async () => {
    const { started, form, merchantTradeNo } = await testCheckout("credit");
    expect(form.action).toBe(`${stack.stage.origin}/Cashier/AioCheckOut/V5`);
    expect(form.fields.MerchantID).toBe(OWN_STAGE.merchantId);
    expect(form.fields.MerchantID).not.toBe(PUBLIC_STAGE_MERCHANT.merchantId);
    // The stage accepts the form only if it was signed with this merchant's HashKey/HashIV.
    const ecpay = await submitToEcpay(form);
    expect(ecpay.status, await ecpay.clone().text()).toBe(302);
    expect(stack.stage.order(merchantTradeNo, { merchantId: OWN_STAGE.merchantId })).toMatchObject({ merchantId: OWN_STAGE.merchantId, totalAmount: 990 });
    expect(stack.production.orders()).toEqual([]);

    await stack.stage.pay(merchantTradeNo, { merchantId: OWN_STAGE.merchantId });
    const gid = started.session.gid;
    await stack.shopify.waitFor(() => stack.shopify.orderForPayment(gid)?.financialStatus === "paid", { timeoutMs: 10_000, message: "the order is paid" });
    const session = await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: started.session.id }, include: { attempts: true } });
    expect(session.status).toBe("PAID");
    expect(session.attempts).toMatchObject([{ merchantTradeNo, merchantId: OWN_STAGE.merchantId, stage: true, status: "PAID", tradeAmt: 990 }]);
    const notes = await stack.prisma.ecpayNotification.findMany({ where: { merchantTradeNo } });
    expect(notes.map((n) => [n.signatureValid, n.outcome])).toContainEqual([true, "ACCEPTED"]);
    expect(stack.stage.notificationLog().filter((n) => n.merchantTradeNo === merchantTradeNo).at(-1)?.acknowledged).toBe(true);
  });

  it("signs a pending ATM checkout with the same stage account", async () => {
    const { form, merchantTradeNo } = await testCheckout("atm");
    expect(form.fields.MerchantID).toBe(OWN_STAGE.merchantId);
    expect((await submitToEcpay(form)).status).toBe(302);
    // The account notice (PaymentInfoURL) is signed with the shop's stage keys and accepted.
    await stack.stage.whenNotificationsSettled();
    const attempt = await stack.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo } });
    expect(attempt).toMatchObject({ merchantId: OWN_STAGE.merchantId, stage: true, status: "ISSUED" });
    expect(attempt.vAccount).toMatch(/^\d+$/);
  });
});
