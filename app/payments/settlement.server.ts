// What an ECPay outcome does to our records, in the caller's transaction. applyEcpayOutcome
// (apply-outcome.server.ts) calls these for every message (notification, reconciler, buyer's
// waiting page, merchant's query), so a payment is settled the same way whichever message reports
// it first; the others become harmless duplicates.
import type { PaymentAttempt, PaymentSession, Prisma } from "@prisma/client";
import type { Tx } from "../db.server";
import type { PaidFacts as EcpayPaidFacts } from "../ecpay/outcomes";
import { bilingual } from "../i18n";
import { enqueue } from "./outbox.server";
import { PAYMENT_METHODS, isMethodHandle, paysByUnionPay } from "./methods";
import { nextStatus } from "./payment-state";
import { authorizationExpiresAt as authorizationExpiry, withFlag } from "./settlement-rules";

export { paidCardFacts } from "./settlement-rules";
export { AUTHORIZATION_WINDOW_DAYS } from "./time-limits";

/** What ECPay reported about a paid trade (app/ecpay/outcomes.ts). */
export type PaidFacts = EcpayPaidFacts;

export type SettleOutcome =
  | "ACCEPTED"
  | "DUPLICATE"
  | "SIMULATED_IGNORED"
  | "LATE_PAYMENT"
  | "DUPLICATE_PAYMENT"
  | "FAILED_RECORDED";

export const groupKey = (session: Pick<PaymentSession, "shop" | "group">) => `${session.shop} ${session.group}`;

/**
 * Another writer changed the row between our read and our conditional write (PostgreSQL runs
 * concurrent settlements truly in parallel): the whole transaction must roll back and be decided
 * again from what is now committed. `retryOnSettlementConflict` does that for the callers.
 */
export class SettlementConflict extends Error {
  constructor(what: string) {
    super(`settlement conflict: ${what} changed concurrently`);
    this.name = "SettlementConflict";
  }
}

/** Runs `transaction` (which must re-read its rows) again when it lost a settlement race. */
export async function retryOnSettlementConflict<T>(transaction: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await transaction();
    } catch (error) {
      if (!(error instanceof SettlementConflict) || attempt >= attempts) throw error;
    }
  }
}

/** UPDATE … WHERE status = <the status we read>: the guard that makes concurrent settlements exclusive. */
async function transitionAttempt(tx: Tx, attempt: PaymentAttempt, data: Prisma.PaymentAttemptUpdateManyMutationInput) {
  const { count } = await tx.paymentAttempt.updateMany({ where: { merchantTradeNo: attempt.merchantTradeNo, status: attempt.status }, data });
  if (count !== 1) throw new SettlementConflict(`attempt ${attempt.merchantTradeNo} (expected ${attempt.status})`);
}

async function transitionSession(tx: Tx, session: PaymentSession, data: Prisma.PaymentSessionUpdateManyMutationInput) {
  const { count } = await tx.paymentSession.updateMany({ where: { id: session.id, status: session.status }, data });
  if (count !== 1) throw new SettlementConflict(`payment ${session.id} (expected ${session.status})`);
}

/**
 * Adds a flag outside a settlement (a refused message about a known trade, a mismatching query
 * answer), keeping the flags already there; a concurrent flag write makes it read and try again.
 */
export async function addFlag(db: Pick<Tx, "paymentSession">, sessionId: string, value: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const row = await db.paymentSession.findUnique({ where: { id: sessionId }, select: { flag: true } });
    if (!row) return;
    const { count } = await db.paymentSession.updateMany({ where: { id: sessionId, flag: row.flag }, data: { flag: withFlag(row.flag, value) } });
    if (count === 1) return;
  }
  throw new SettlementConflict(`flags of payment ${sessionId}`);
}

/** Adds a flag to the set the session already carries (settlement-rules.ts), never replacing one. */
async function flag(tx: Tx, session: PaymentSession, value: string) {
  const { count } = await tx.paymentSession.updateMany({
    where: { id: session.id, flag: session.flag },
    data: { flag: withFlag(session.flag, value) },
  });
  if (count !== 1) throw new SettlementConflict(`flags of payment ${session.id}`);
}

/**
 * What the paid trade is and its card state right after ECPay authorized (ecpay-aio §4.1). The
 * trade is UnionPay exactly when the method sends UnionPay=1 (the other card apps send 2, which
 * hides it), and a UnionPay trade is closed at once: nothing to capture, close or void later.
 */
function cardStateAfterPayment(session: PaymentSession): { unionPay: boolean; cardState: string | null; closePending: boolean } {
  if (!isMethodHandle(session.method)) return { unionPay: false, cardState: null, closePending: false };
  const def = PAYMENT_METHODS[session.method];
  if (def.ecpay.choosePayment !== "Credit") return { unionPay: false, cardState: null, closePending: false };
  if (paysByUnionPay(def)) return { unionPay: true, cardState: "CLOSED", closePending: false };
  return { unionPay: false, cardState: "AUTHORIZED", closePending: session.kind === "SALE" };
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
    await flag(tx, session, "SIMULATED_PAYMENT_IN_PRODUCTION");
    return "SIMULATED_IGNORED";
  }
  await transitionAttempt(tx, attempt, {
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
      installmentStages: facts.installmentStages,
      redeemedAmount: facts.redeemedAmount,
      ...cardStateAfterPayment(session),
  });

  const target = nextStatus(session.status, { type: "paid", kind: session.kind });
  if (!target) {
    // Paid after we rejected (ATM after its deadline) or a second attempt paid: money arrived
    // that Shopify will not see; the merchant has to refund or arrange it.
    await flag(tx, session, session.status === "REJECTED" ? "LATE_PAYMENT" : "DUPLICATE_PAYMENT");
    return session.status === "REJECTED" ? "LATE_PAYMENT" : "DUPLICATE_PAYMENT";
  }
  if (!(await claimGroup(tx, session))) {
    const merchantMessage = bilingual("payment.reject.duplicate", { merchantTradeNo: attempt.merchantTradeNo });
    await rejectSession(tx, session, merchantMessage, "DUPLICATE_PAYMENT");
    return "DUPLICATE_PAYMENT";
  }
  const authorizationExpiresAt = session.kind === "AUTHORIZATION" ? authorizationExpiry(facts.paymentDate, now) : null;
  await transitionSession(tx, session, {
    status: target,
    capturedAmount: target === "PAID" ? facts.tradeAmt : 0,
    authorizationExpiresAt,
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
  await transitionAttempt(tx, attempt, {
    status: "ISSUED",
    tradeNo: input.tradeNo,
    bankCode: input.bankCode,
    vAccount: input.vAccount,
    expireDate: input.expireDate,
  });
  const target = nextStatus(session.status, { type: "atm-issued" });
  if (!target || !deadline || !(await claimGroup(tx, session))) return "DUPLICATE";
  await transitionSession(tx, session, { status: target, pendingExpiresAt: deadline });
  await enqueue(tx, {
    shop: session.shop,
    method: session.method,
    mutation: "paymentSessionPending",
    subjectId: session.id,
    variables: { id: session.gid, pendingExpiresAt: deadline.toISOString(), reason: "BUYER_ACTION_REQUIRED" },
  });
  return "ACCEPTED";
}

/** ECPay reported a failure, or that the buyer never completed the payment: the buyer may retry with a new attempt. */
export async function settleFailed(tx: Tx, attempt: PaymentAttempt, ecpayCode: string, ecpayMessage: string): Promise<SettleOutcome> {
  if (attempt.status !== "CREATED") return "DUPLICATE";
  await transitionAttempt(tx, attempt, { status: "FAILED", rtnCode: ecpayCode, rtnMsg: ecpayMessage });
  return "FAILED_RECORDED";
}

/**
 * An ATM account whose deadline passed unpaid: Shopify shows the order as expired. Both writes are
 * conditional on the statuses read, so a transfer settled at the same moment (settlePaid) and this
 * can never both commit: the loser gets a SettlementConflict and is decided again (a payment then
 * becomes LATE_PAYMENT, an expiry of a paid session nothing).
 */
export async function expireAtm(tx: Tx, session: PaymentSession, attempt: PaymentAttempt | null): Promise<boolean> {
  const target = nextStatus(session.status, { type: "rejected" });
  if (!target) return false;
  // The attempt first, as settlePaid does: one lock order, no deadlock between the two.
  if (attempt && attempt.status === "ISSUED") await transitionAttempt(tx, attempt, { status: "EXPIRED" });
  await rejectSession(tx, session, bilingual("payment.reject.atmExpired"));
  return true;
}

/** Mark the session rejected and queue the paymentSessionReject that tells Shopify. */
async function rejectSession(tx: Tx, session: PaymentSession, merchantMessage: string, flagValue?: string) {
  await transitionSession(tx, session, {
    status: "REJECTED",
    rejectCode: "PROCESSING_ERROR",
    merchantMessage,
    ...(flagValue ? { flag: withFlag(session.flag, flagValue) } : {}),
  });
  await enqueue(tx, {
    shop: session.shop,
    method: session.method,
    mutation: "paymentSessionReject",
    subjectId: session.id,
    variables: { id: session.gid, reason: { code: "PROCESSING_ERROR", merchantMessage } },
  });
}
