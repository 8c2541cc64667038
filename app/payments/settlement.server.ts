// What an ECPay outcome does to our records, in the caller's transaction. Shared by the ReturnURL
// and PaymentInfoURL handlers, the buyer's return and the reconciler, so a payment is settled the
// same way whichever message reports it first; the others become harmless duplicates.
import type { PaymentAttempt, PaymentSession } from "@prisma/client";
import type { Tx } from "../db.server";
import { bilingual } from "../i18n";
import { enqueue } from "../jobs/outbox.server";
import { PAYMENT_METHODS, isMethodHandle } from "./methods";
import { nextStatus } from "./payment-state";

/** ECPay refuses to close an authorization after 21 days; tell Shopify a day earlier. */
export const AUTHORIZATION_WINDOW_DAYS = 20;

export interface PaidFacts {
  tradeNo: string;
  tradeAmt: number;
  paymentType: string;
  paymentDate: string | null;
  chargeFee: string | null;
  simulatePaid: boolean;
  gwsr: string | null;
  rtnCode: string;
  rtnMsg: string;
}

export type SettleOutcome =
  | "ACCEPTED"
  | "DUPLICATE"
  | "SIMULATED_IGNORED"
  | "LATE_PAYMENT"
  | "DUPLICATE_PAYMENT"
  | "FAILED_RECORDED";

export const groupKey = (session: Pick<PaymentSession, "shop" | "group">) => `${session.shop} ${session.group}`;

async function flag(tx: Tx, sessionId: string, value: string) {
  await tx.paymentSession.update({ where: { id: sessionId }, data: { flag: value } });
}

/** Card state right after ECPay authorized (ecpay-aio §4.1): UnionPay is closed at once. */
function cardStateAfterPayment(session: PaymentSession): { cardState: string | null; closePending: boolean } {
  if (!isMethodHandle(session.method)) return { cardState: null, closePending: false };
  const def = PAYMENT_METHODS[session.method];
  if (def.ecpay.choosePayment !== "Credit") return { cardState: null, closePending: false };
  if (!def.supportsAuthorization) return { cardState: "CLOSED", closePending: false };
  return { cardState: "AUTHORIZED", closePending: session.kind === "SALE" };
}

/**
 * Claim the checkout group for this session. Returns false when another session of the same
 * checkout already holds it (two tabs paid): Shopify must be resolved only once per group.
 */
async function claimGroup(tx: Tx, session: PaymentSession): Promise<boolean> {
  if (session.settledGroup) return true;
  const key = groupKey(session);
  const holder = await tx.paymentSession.findUnique({ where: { settledGroup: key }, select: { id: true } });
  if (holder && holder.id !== session.id) return false;
  // The unique index settles a race the read above cannot see: the loser's transaction fails and
  // the message is retried, which then takes the duplicate path.
  await tx.paymentSession.update({ where: { id: session.id }, data: { settledGroup: key } });
  return true;
}

export async function settlePaid(
  tx: Tx,
  input: { attempt: PaymentAttempt; session: PaymentSession; facts: PaidFacts; now: Date },
): Promise<SettleOutcome> {
  const { attempt, session, facts, now } = input;
  if (attempt.status === "PAID") return "DUPLICATE";
  if (facts.simulatePaid && !attempt.stage) {
    // 模擬付款 moves no money: never fulfil a live order on it.
    await flag(tx, session.id, "SIMULATED_PAYMENT_IN_PRODUCTION");
    return "SIMULATED_IGNORED";
  }
  await tx.paymentAttempt.update({
    where: { merchantTradeNo: attempt.merchantTradeNo },
    data: {
      status: "PAID",
      tradeNo: facts.tradeNo,
      tradeAmt: facts.tradeAmt,
      paymentType: facts.paymentType,
      paymentDate: facts.paymentDate,
      chargeFee: facts.chargeFee,
      simulatePaid: facts.simulatePaid,
      rtnCode: facts.rtnCode,
      rtnMsg: facts.rtnMsg,
      gwsr: facts.gwsr,
      ...cardStateAfterPayment(session),
    },
  });

  const target = nextStatus(session.status, { type: "paid", kind: session.kind });
  if (!target) {
    // Paid after we rejected (ATM after its deadline) or a second attempt paid: money arrived
    // that Shopify will not see; the merchant has to refund or arrange it.
    await flag(tx, session.id, session.status === "REJECTED" ? "LATE_PAYMENT" : "DUPLICATE_PAYMENT");
    return session.status === "REJECTED" ? "LATE_PAYMENT" : "DUPLICATE_PAYMENT";
  }
  if (!(await claimGroup(tx, session))) {
    const merchantMessage = bilingual("payment.reject.duplicate", { merchantTradeNo: attempt.merchantTradeNo });
    await rejectSession(tx, session, merchantMessage, "DUPLICATE_PAYMENT");
    return "DUPLICATE_PAYMENT";
  }
  const authorizationExpiresAt =
    session.kind === "AUTHORIZATION" ? new Date(now.getTime() + AUTHORIZATION_WINDOW_DAYS * 24 * 3600_000) : null;
  await tx.paymentSession.update({
    where: { id: session.id },
    data: {
      status: target,
      capturedAmount: target === "PAID" ? facts.tradeAmt : 0,
      authorizationExpiresAt,
    },
  });
  await enqueue(tx, {
    shop: session.shop,
    method: session.method,
    mutation: "paymentSessionResolve",
    subjectId: session.id,
    variables: authorizationExpiresAt
      ? { id: session.gid, authorizationExpiresAt: authorizationExpiresAt.toISOString() }
      : { id: session.gid },
  });
  return "ACCEPTED";
}

/** ATM ExpireDate "yyyy/MM/dd" → the end of that day in Taiwan. */
export function atmDeadline(expireDate: string): Date | null {
  const match = /^(\d{4})\/(\d{2})\/(\d{2})/.exec(expireDate);
  if (!match) return null;
  const date = new Date(`${match[1]}-${match[2]}-${match[3]}T23:59:59+08:00`);
  return Number.isNaN(date.getTime()) ? null : date;
}

export async function settleAtmIssued(
  tx: Tx,
  input: {
    attempt: PaymentAttempt;
    session: PaymentSession;
    tradeNo: string;
    bankCode: string;
    vAccount: string;
    expireDate: string;
  },
): Promise<SettleOutcome> {
  const { attempt, session } = input;
  if (attempt.status !== "CREATED") return "DUPLICATE";
  const deadline = atmDeadline(input.expireDate);
  await tx.paymentAttempt.update({
    where: { merchantTradeNo: attempt.merchantTradeNo },
    data: { status: "ISSUED", tradeNo: input.tradeNo, bankCode: input.bankCode, vAccount: input.vAccount, expireDate: input.expireDate },
  });
  const target = nextStatus(session.status, { type: "atm-issued" });
  if (!target || !deadline || !(await claimGroup(tx, session))) return "DUPLICATE";
  await tx.paymentSession.update({ where: { id: session.id }, data: { status: target, pendingExpiresAt: deadline } });
  await enqueue(tx, {
    shop: session.shop,
    method: session.method,
    mutation: "paymentSessionPending",
    subjectId: session.id,
    variables: { id: session.gid, pendingExpiresAt: deadline.toISOString(), reason: "BUYER_ACTION_REQUIRED" },
  });
  return "ACCEPTED";
}

/** ECPay reported a failure (or TradeStatus 10200095): the buyer may retry with a new attempt. */
export async function settleFailed(tx: Tx, attempt: PaymentAttempt, rtnCode: string, rtnMsg: string): Promise<SettleOutcome> {
  if (attempt.status !== "CREATED") return "DUPLICATE";
  await tx.paymentAttempt.update({
    where: { merchantTradeNo: attempt.merchantTradeNo },
    data: { status: "FAILED", rtnCode, rtnMsg },
  });
  return "FAILED_RECORDED";
}

/** An ATM account whose deadline passed unpaid: Shopify shows the order as expired. */
export async function expireAtm(tx: Tx, session: PaymentSession, attempt: PaymentAttempt | null): Promise<boolean> {
  const target = nextStatus(session.status, { type: "rejected" });
  if (!target) return false;
  if (attempt && attempt.status === "ISSUED") {
    await tx.paymentAttempt.update({ where: { merchantTradeNo: attempt.merchantTradeNo }, data: { status: "EXPIRED" } });
  }
  await rejectSession(tx, session, bilingual("payment.reject.atmExpired"));
  return true;
}

/** Mark the session rejected and queue the paymentSessionReject that tells Shopify. */
async function rejectSession(tx: Tx, session: PaymentSession, merchantMessage: string, flagValue?: string) {
  await tx.paymentSession.update({
    where: { id: session.id },
    data: { status: "REJECTED", rejectCode: "PROCESSING_ERROR", merchantMessage, ...(flagValue ? { flag: flagValue } : {}) },
  });
  await enqueue(tx, {
    shop: session.shop,
    method: session.method,
    mutation: "paymentSessionReject",
    subjectId: session.id,
    variables: { id: session.gid, reason: { code: "PROCESSING_ERROR", merchantMessage } },
  });
}
