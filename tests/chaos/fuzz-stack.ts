// Fuzz a running payment stack: first one real authorized payment (so requests can aim at live
// ids), then the generated requests. Shared by `npm run fuzz` and tests/integration/fuzz.test.ts.
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
  await waitUntil(async () => (await stack.prisma.outboxMessage.count({ where: { status: "PENDING" } })) === 0, { timeoutMs: 30_000, message: "outbox drained" });
  return runFuzz({
    origin: stack.server.origin,
    requests: options.requests,
    seed: options.seed,
    prisma: stack.prisma,
    target: { paymentId: started.session.id, merchantTradeNo, shop: SHOP },
    appSecret,
    ...(options.log ? { log: options.log } : {}),
  });
}
