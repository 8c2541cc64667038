// Fuzz a running payment stack: first one real authorized payment (so requests can aim at live
// ids), then the generated requests. Shared by `npm run fuzz` and tests/integration/fuzz.test.ts.
import { PUBLIC_STAGE_MERCHANT } from "~/ecpay/public-stage-merchant";
import { openHandOff, SHOP, submitToEcpay, type PaymentStack } from "../support/payment-stack";
import { appSecret } from "../support/test-env";
import { waitUntil } from "../support/wait";
import { runFuzz, type FuzzReport } from "./fuzz";

export async function fuzzPaymentStack(stack: PaymentStack, options: { requests: number; seed: number; log?: (line: string) => void }): Promise<FuzzReport> {
  const started = await stack.shopify.startPayment(SHOP, "credit", { test: false, kind: "authorization", amount: 1280 });
  if (!started.ok || !started.redirectUrl) throw new Error("could not start the target payment");
  const form = await openHandOff(started.redirectUrl, { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120" } });
  await submitToEcpay(form);
  const merchantTradeNo = form.fields.MerchantTradeNo!;
  await stack.production.pay(merchantTradeNo);
  await waitUntil(() => stack.shopify.paymentSession(started.session.id)?.finalMutation, { timeoutMs: 30_000, message: "the target payment resolved" });
  await stack.production.whenNotificationsSettled();
  // A test-mode ATM attempt whose PaymentInfoURL is lost: it waits for an account anyone could sign.
  stack.stage.setNotificationFault({ drop: 1000 });
  const atm = await stack.shopify.startPayment(SHOP, "atm", { test: true, kind: "sale", amount: 2480 });
  if (!atm.ok || !atm.redirectUrl) throw new Error("could not start the stage ATM payment");
  const atmForm = await openHandOff(atm.redirectUrl, { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120" } });
  await submitToEcpay(atmForm);
  await stack.stage.whenNotificationsSettled();
  stack.stage.setNotificationFault(null);
  await waitUntil(async () => (await stack.prisma.outboxMessage.count({ where: { status: "PENDING" } })) === 0, { timeoutMs: 30_000, message: "outbox drained" });
  return runFuzz({
    origin: stack.server.origin,
    requests: options.requests,
    seed: options.seed,
    prisma: stack.prisma,
    target: { paymentId: started.session.id, merchantTradeNo, shop: SHOP },
    stageAtm: { paymentId: atm.session.id, merchantTradeNo: atmForm.fields.MerchantTradeNo!, amount: 2480, keys: PUBLIC_STAGE_MERCHANT },
    appSecret,
    ...(options.log ? { log: options.log } : {}),
  });
}
