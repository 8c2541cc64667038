// Finding the ECPay trade and account behind a payment, shared by operations and pending closes.
import type { EcpayBinding, PaymentAttempt, PrismaClient } from "@prisma/client";
import type { MethodHandle } from "../methods";

/** The attempt ECPay reported paid (the newest, should a buyer somehow have paid twice). */
export function paidAttempt<A extends Pick<PaymentAttempt, "status" | "createdAt">>(attempts: readonly A[]): A | null {
  return [...attempts].filter((a) => a.status === "PAID").sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0] ?? null;
}

/**
 * The binding that holds the trade: the shop's account with the attempt's MerchantID (it may have
 * been rebound since), else the one the app is bound to now.
 */
export async function bindingForTrade(db: PrismaClient, shop: string, method: MethodHandle, merchantId: string | null): Promise<EcpayBinding | null> {
  if (merchantId) {
    const exact = await db.ecpayBinding.findFirst({ where: { shop, merchantId }, orderBy: { updatedAt: "desc" } });
    if (exact) return exact;
  }
  const installation = await db.shopInstallation.findUnique({ where: { method_shop: { method, shop } }, include: { binding: true } });
  return installation?.binding ?? null;
}

/** The amount ECPay authorized for the trade (DoAction N, QueryTrade/V2 CreditAmount). */
export function authorizedAmountOf(attempt: Pick<PaymentAttempt, "tradeAmt" | "amount">): number {
  return attempt.tradeAmt ?? attempt.amount;
}
