// What happens to a shop's data when Shopify tells us about uninstall and privacy requests
// (DESIGN §3 "Uninstall and privacy"). Transaction records survive uninstall; shop/redact purges.
import type { PrismaClient } from "@prisma/client";
import type { MethodHandle } from "./methods";

export async function markUninstalled(db: PrismaClient, method: MethodHandle, shop: string): Promise<void> {
  await db.$transaction([
    db.session.deleteMany({ where: { shop, id: { startsWith: `${method}:` } } }),
    db.shopInstallation.updateMany({
      where: { method, shop },
      data: { status: "UNINSTALLED", uninstalledAt: new Date(), configuredReady: false },
    }),
  ]);
}

export async function updateScopes(db: PrismaClient, method: MethodHandle, shop: string, scopes: string[]): Promise<void> {
  await db.session.updateMany({
    where: { shop, id: { startsWith: `${method}:` } },
    data: { scope: scopes.join(",") },
  });
}

export interface CustomerIdentity {
  email?: string | null;
  phone?: string | null;
}

function customerFilter(shop: string, who: CustomerIdentity) {
  const or: { customerEmail?: string; customer?: { contains: string } }[] = [];
  if (who.email) or.push({ customerEmail: who.email.toLowerCase() });
  if (who.phone) or.push({ customer: { contains: JSON.stringify(who.phone).slice(1, -1) } });
  return or.length > 0 ? { shop, OR: or } : null;
}

/** customers/data_request: the payment records we hold for that buyer. */
export async function customerDataReport(db: PrismaClient, shop: string, who: CustomerIdentity) {
  const where = customerFilter(shop, who);
  if (!where) return { payments: [] };
  const payments = await db.paymentSession.findMany({
    where,
    select: {
      id: true,
      method: true,
      amount: true,
      currency: true,
      status: true,
      createdAt: true,
      customer: true,
      attempts: { select: { merchantTradeNo: true, tradeNo: true, paymentType: true, bankCode: true, vAccount: true } },
    },
  });
  return { payments };
}

/** customers/redact: scrub the buyer's personal data, keep the amounts and ids for the books. */
export async function redactCustomer(db: PrismaClient, shop: string, who: CustomerIdentity): Promise<number> {
  const where = customerFilter(shop, who);
  if (!where) return 0;
  const { count } = await db.paymentSession.updateMany({ where, data: { customer: null, customerEmail: null } });
  return count;
}

/** shop/redact (48 h after uninstall): remove everything we hold for the shop. */
export async function purgeShop(db: PrismaClient, shop: string): Promise<void> {
  const tradeNos = await db.paymentAttempt.findMany({
    where: { paymentSession: { shop } },
    select: { merchantTradeNo: true },
  });
  await db.$transaction([
    db.ecpayNotification.deleteMany({ where: { merchantTradeNo: { in: tradeNos.map((t) => t.merchantTradeNo) } } }),
    db.outboxMessage.deleteMany({ where: { shop } }),
    db.paymentSession.deleteMany({ where: { shop } }),
    db.shopInstallation.deleteMany({ where: { shop } }),
    db.ecpayBinding.deleteMany({ where: { shop } }),
    db.session.deleteMany({ where: { shop } }),
  ]);
}
