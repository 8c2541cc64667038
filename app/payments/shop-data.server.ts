// What happens to a shop's data when Shopify tells us about uninstall and privacy requests
// (DESIGN §3 "Uninstall and privacy"). Transaction records survive uninstall; shop/redact purges.
import type { PrismaClient } from "@prisma/client";
import { encodeFormBody, parseFormBody } from "../ecpay/form-body";
import type { MethodHandle } from "./methods";

export async function markUninstalled(db: PrismaClient, method: MethodHandle, shop: string): Promise<void> {
  await db.$transaction([
    db.session.deleteMany({ where: { shop, id: { startsWith: `${method}:` } } }),
    // Nobody stays signed in to an app the shop removed.
    db.adminSession.deleteMany({ where: { method, shop } }),
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

/**
 * What ECPay tells us about the payer rather than the payment, inside the stored raw messages: card
 * number fragments (NeedExtraPaidInfo), the payer's ATM/WebATM bank and account digits, the virtual
 * account or CVS code issued to them (ecpay-aio §3.2, §3.3). customers/redact blanks these; amounts,
 * ids, dates and result codes stay for the books.
 */
export const ECPAY_BUYER_FIELDS = [
  "card4no",
  "card6no",
  "ATMAccBank",
  "ATMAccNo",
  "WebATMAccBank",
  "WebATMAccNo",
  "WebATMBankName",
  "vAccount",
  "PaymentNo",
  "AlipayID",
] as const;

/** The buyer fields with a value in one stored ECPay message (a form body). */
export function ecpayBuyerFields(rawBody: string): Record<string, string> {
  const parsed = parseFormBody(rawBody);
  if (parsed.isErr()) return {};
  return Object.fromEntries(ECPAY_BUYER_FIELDS.filter((f) => parsed.value[f]).map((f) => [f, parsed.value[f]!]));
}

/** The message with every buyer field blanked (kept, empty), or null when it holds none. */
export function scrubEcpayBuyerFields(rawBody: string): string | null {
  const parsed = parseFormBody(rawBody);
  if (parsed.isErr() || Object.keys(ecpayBuyerFields(rawBody)).length === 0) return null;
  const fields = { ...parsed.value };
  for (const field of ECPAY_BUYER_FIELDS) if (fields[field]) fields[field] = "";
  return encodeFormBody(fields);
}

/** customers/data_request: the payment records we hold for that buyer, with what ECPay told us about them. */
export async function customerDataReport(db: PrismaClient, shop: string, who: CustomerIdentity) {
  const where = customerFilter(shop, who);
  if (!where) return { payments: [] };
  const sessions = await db.paymentSession.findMany({
    where,
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      method: true,
      amount: true,
      currency: true,
      status: true,
      createdAt: true,
      customer: true,
      attempts: { orderBy: { createdAt: "asc" }, select: { merchantTradeNo: true, tradeNo: true, paymentType: true, bankCode: true, vAccount: true } },
    },
  });
  const tradeNos = sessions.flatMap((s) => s.attempts.map((a) => a.merchantTradeNo));
  const messages = await db.ecpayNotification.findMany({
    where: { merchantTradeNo: { in: tradeNos } },
    orderBy: { receivedAt: "asc" },
    select: { merchantTradeNo: true, rawBody: true },
  });
  const fromEcpay = new Map<string, Record<string, string>>();
  for (const m of messages) {
    const fields = ecpayBuyerFields(m.rawBody);
    if (m.merchantTradeNo && Object.keys(fields).length > 0) fromEcpay.set(m.merchantTradeNo, { ...fromEcpay.get(m.merchantTradeNo), ...fields });
  }
  const payments = sessions.map(({ customer, attempts, ...session }) => ({
    ...session,
    customer: customer ? (JSON.parse(customer) as unknown) : null,
    attempts: attempts.map((a) => ({ ...a, buyerDataFromEcpay: fromEcpay.get(a.merchantTradeNo) ?? {} })),
  }));
  return { payments };
}

export interface RedactReport {
  /** Payment sessions whose buyer data was scrubbed. */
  payments: number;
  /** ECPay attempts whose issued virtual account was removed. */
  attempts: number;
  /** Stored ECPay messages whose buyer fields were blanked. */
  notifications: number;
}

/**
 * customers/redact: scrub the buyer's personal data, keep the amounts and ids for the books.
 * The buyer's payments are found by email or phone: an offsite payment session carries no Shopify
 * order id (../shared/docs/shopify-payments-apps.md §2.2: the request has none), so the payload's
 * orders_to_redact cannot name anything we hold beyond what the customer's identity already finds.
 */
export async function redactCustomer(db: PrismaClient, shop: string, who: CustomerIdentity): Promise<RedactReport> {
  const where = customerFilter(shop, who);
  if (!where) return { payments: 0, attempts: 0, notifications: 0 };
  return db.$transaction(async (tx) => {
    const sessions = await tx.paymentSession.findMany({ where, select: { id: true, attempts: { select: { merchantTradeNo: true } } } });
    const tradeNos = sessions.flatMap((s) => s.attempts.map((a) => a.merchantTradeNo));
    await tx.paymentSession.updateMany({ where: { id: { in: sessions.map((s) => s.id) } }, data: { customer: null, customerEmail: null } });
    const attempts = await tx.paymentAttempt.updateMany({ where: { merchantTradeNo: { in: tradeNos }, vAccount: { not: null } }, data: { vAccount: null } });
    let notifications = 0;
    const messages = await tx.ecpayNotification.findMany({ where: { merchantTradeNo: { in: tradeNos } }, select: { id: true, rawBody: true } });
    for (const message of messages) {
      const scrubbed = scrubEcpayBuyerFields(message.rawBody);
      if (scrubbed === null) continue;
      await tx.ecpayNotification.update({ where: { id: message.id }, data: { rawBody: scrubbed } });
      notifications += 1;
    }
    return { payments: sessions.length, attempts: attempts.count, notifications };
  });
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
    db.adminSession.deleteMany({ where: { shop } }),
  ]);
}
