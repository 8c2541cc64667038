// What an ECPay outcome does to our records, in the caller's transaction. applyEcpayOutcome
// (apply-outcome.server.ts) calls these for every message (notification, reconciler, buyer's
// waiting page, merchant's query), so a payment is settled the same way whichever message reports
// it first; the others become harmless duplicates. Each is a few Kysely statements (README "Data
// layer") in the transaction it is handed, a Kysely one or a Prisma interactive one (sqlOf).
import type { PaymentAttempt, PaymentSession } from "@prisma/client";
import type { Updateable } from "kysely";
import type { PaidFacts as EcpayPaidFacts } from "../ecpay/outcomes";
import { sqlOf, type Sql, type SqlTarget } from "../lib/prisma-client.server";
import type { Database } from "../lib/sql-schema";
import { isUniqueViolation } from "./unique-violation";
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
async function transitionAttempt(sql: Sql, attempt: PaymentAttempt, data: Updateable<Database["PaymentAttempt"]>) {
  const { numUpdatedRows } = await sql
    .updateTable("PaymentAttempt")
    .set({ ...data, updatedAt: new Date() })
    .where("merchantTradeNo", "=", attempt.merchantTradeNo)
    .where("status", "=", attempt.status)
    .executeTakeFirst();
  if (numUpdatedRows !== 1n) throw new SettlementConflict(`attempt ${attempt.merchantTradeNo} (expected ${attempt.status})`);
}

/**
 * The session's conditional UPDATE (on the status read, and on the flags read when it sets them).
 * With `claimGroup` the same statement claims the checkout group ("<shop> <group>", unique) unless
 * another session already holds it: then nothing is written and "group-held" says so (two tabs
 * paid: Shopify must be resolved only once per group). A claim racing another one not yet
 * committed meets the unique index instead; that is a conflict too, and the retry then sees the
 * holder.
 */
async function transitionSession(
  sql: Sql,
  session: PaymentSession,
  data: Updateable<Database["PaymentSession"]>,
  options: { claimGroup?: boolean } = {},
): Promise<"done" | "group-held"> {
  const key = options.claimGroup && !session.settledGroup ? groupKey(session) : null;
  let update = sql
    .updateTable("PaymentSession")
    .set({ ...data, ...(key && { settledGroup: key }), updatedAt: new Date() })
    .where("id", "=", session.id)
    .where("status", "=", session.status);
  if ("flag" in data) update = update.where("flag", session.flag === null ? "is" : "=", session.flag);
  if (key) {
    update = update.where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("PaymentSession as holder").select("holder.id").where("holder.settledGroup", "=", key).where("holder.id", "<>", session.id))),
    );
  }
  let updated: bigint;
  try {
    updated = (await update.executeTakeFirst()).numUpdatedRows;
  } catch (error) {
    if (key && isUniqueViolation(error)) throw new SettlementConflict(`checkout group of payment ${session.id}`);
    throw error;
  }
  if (updated === 1n) return "done";
  if (key) {
    // Rare: tell "another session holds the group" from "this row changed".
    const holder = await sql.selectFrom("PaymentSession").select("id").where("settledGroup", "=", key).executeTakeFirst();
    if (holder && holder.id !== session.id) return "group-held";
  }
  throw new SettlementConflict(`payment ${session.id} (expected ${session.status})`);
}

/**
 * Adds a flag outside a settlement (a refused message about a known trade, a mismatching query
 * answer), keeping the flags already there; a concurrent flag write makes it read and try again.
 */
export async function addFlag(db: SqlTarget, sessionId: string, value: string): Promise<void> {
  const sql = sqlOf(db);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const row = await sql.selectFrom("PaymentSession").select("flag").where("id", "=", sessionId).executeTakeFirst();
    if (!row) return;
    const { numUpdatedRows } = await sql
      .updateTable("PaymentSession")
      .set({ flag: withFlag(row.flag, value), updatedAt: new Date() })
      .where("id", "=", sessionId)
      .where("flag", row.flag === null ? "is" : "=", row.flag)
      .executeTakeFirst();
    if (numUpdatedRows === 1n) return;
  }
  throw new SettlementConflict(`flags of payment ${sessionId}`);
}

/** Adds a flag to the set the session already carries (settlement-rules.ts), never replacing one. */
async function flag(sql: Sql, session: PaymentSession, value: string) {
  const { numUpdatedRows } = await sql
    .updateTable("PaymentSession")
    .set({ flag: withFlag(session.flag, value), updatedAt: new Date() })
    .where("id", "=", session.id)
    .where("flag", session.flag === null ? "is" : "=", session.flag)
    .executeTakeFirst();
  if (numUpdatedRows !== 1n) throw new SettlementConflict(`flags of payment ${session.id}`);
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

export async function settlePaid(
  db: SqlTarget,
  input: { attempt: PaymentAttempt; session: PaymentSession; facts: PaidFacts; now: Date },
): Promise<SettleOutcome> {
  const { attempt, session, facts, now } = input;
  const tx = sqlOf(db);
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
  const authorizationExpiresAt = session.kind === "AUTHORIZATION" ? authorizationExpiry(facts.paymentDate, now) : null;
  const claimed = await transitionSession(
    tx,
    session,
    { status: target, capturedAmount: target === "PAID" ? facts.tradeAmt : 0, authorizationExpiresAt },
    { claimGroup: true },
  );
  if (claimed === "group-held") {
    const merchantMessage = bilingual("payment.reject.duplicate", { merchantTradeNo: attempt.merchantTradeNo });
    await rejectSession(tx, session, merchantMessage, "DUPLICATE_PAYMENT");
    return "DUPLICATE_PAYMENT";
  }
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
  db: SqlTarget,
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
  const tx = sqlOf(db);
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
  if (!target || !deadline) return "DUPLICATE";
  if ((await transitionSession(tx, session, { status: target, pendingExpiresAt: deadline }, { claimGroup: true })) === "group-held") return "DUPLICATE";
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
export async function settleFailed(db: SqlTarget, attempt: PaymentAttempt, ecpayCode: string, ecpayMessage: string): Promise<SettleOutcome> {
  if (attempt.status !== "CREATED") return "DUPLICATE";
  await transitionAttempt(sqlOf(db), attempt, { status: "FAILED", rtnCode: ecpayCode, rtnMsg: ecpayMessage });
  return "FAILED_RECORDED";
}

/**
 * An ATM account whose deadline passed unpaid: Shopify shows the order as expired. Both writes are
 * conditional on the statuses read, so a transfer settled at the same moment (settlePaid) and this
 * can never both commit: the loser gets a SettlementConflict and is decided again (a payment then
 * becomes LATE_PAYMENT, an expiry of a paid session nothing).
 */
export async function expireAtm(db: SqlTarget, session: PaymentSession, attempt: PaymentAttempt | null): Promise<boolean> {
  const tx = sqlOf(db);
  const target = nextStatus(session.status, { type: "rejected" });
  if (!target) return false;
  // The attempt first, as settlePaid does: one lock order, no deadlock between the two.
  if (attempt && attempt.status === "ISSUED") await transitionAttempt(tx, attempt, { status: "EXPIRED" });
  await rejectSession(tx, session, bilingual("payment.reject.atmExpired"));
  return true;
}

/** Mark the session rejected and queue the paymentSessionReject that tells Shopify. */
async function rejectSession(tx: Sql, session: PaymentSession, merchantMessage: string, flagValue?: string) {
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
