// Ask ECPay (QueryTradeInfo, server to server, signed answer) what happened to an attempt, and
// settle it exactly as a notification would. Used when the buyer returns without a notification
// having arrived, and by the reconciler for notifications that never come. For an ATM attempt whose
// PaymentInfoURL was lost, QueryPaymentInfo recovers the account so Shopify hears it is pending.
import type { PaymentAttempt, PaymentSession } from "@prisma/client";
import { encodeFormBody } from "../../ecpay/form-body";
import type { EcpayError } from "../../ecpay/types";
import { credentialsForAttempt } from "../bindings.server";
import { customFieldToPaymentId } from "../custom-field";
import type { Deps } from "../deps.server";
import type { Tx } from "../../db.server";
import { countMessage, recordMessage } from "../notification-log.server";
import { addFlag, paidCardFacts, retryOnSettlementConflict, settleAtmIssued, settleFailed, settlePaid, type SettleOutcome } from "../settlement.server";

/** The ports a query settlement uses: our records, the ECPay keys, the gateway and the clock. */
export type SettleFromQueryDeps = Pick<Deps, "db" | "secrets" | "ecpay" | "now">;

/** "rate-limited": ECPay answered 403; ask nothing more for a while (the reconciler pauses). */
export type QuerySettlement = "settled" | "issued" | "unpaid" | "failed" | "error" | "rate-limited";

export interface QueryOptions {
  /** The caller already stamped lastQueriedAt when it claimed the attempt (the reconciler). */
  claimed?: boolean;
}

const failure = (error: EcpayError): QuerySettlement => (error.kind === "rate-limited" ? "rate-limited" : "error");

const queryEntry = (session: PaymentSession, merchantTradeNo: string, rawBody: string, outcome: string) => ({
  channel: "QUERY",
  method: session.method,
  merchantTradeNo,
  rawBody,
  signatureValid: true,
  outcome,
});

/** The reconciler may ask again every pass: the answer is counted, not stored each time. */
async function flagAmountMismatch(deps: SettleFromQueryDeps, session: PaymentSession, merchantTradeNo: string, rawBody: string) {
  await addFlag(deps.db, session.id, "AMOUNT_MISMATCH");
  await countMessage(deps.db, queryEntry(session, merchantTradeNo, rawBody, "AMOUNT_MISMATCH"), deps.now());
}

/** Stores an answer that changed state whole (in its transaction); a duplicate is counted after. */
async function recordAnswer(tx: Tx, session: PaymentSession, merchantTradeNo: string, rawBody: string, outcome: SettleOutcome) {
  if (outcome !== "DUPLICATE") await recordMessage(tx, queryEntry(session, merchantTradeNo, rawBody, outcome));
  return outcome;
}

async function countIfDuplicate(deps: SettleFromQueryDeps, session: PaymentSession, merchantTradeNo: string, rawBody: string, outcome: SettleOutcome) {
  if (outcome === "DUPLICATE") await countMessage(deps.db, queryEntry(session, merchantTradeNo, rawBody, outcome), deps.now());
}

export async function settleFromTradeQuery(
  deps: SettleFromQueryDeps,
  attempt: PaymentAttempt,
  session: PaymentSession,
  options: QueryOptions = {},
): Promise<QuerySettlement> {
  const now = deps.now();
  if (!options.claimed) {
    await deps.db.paymentAttempt.update({ where: { merchantTradeNo: attempt.merchantTradeNo }, data: { lastQueriedAt: now } });
  }
  const credentials = await credentialsForAttempt(deps.db, deps.secrets, attempt, session.shop);
  if (!credentials) return "error";
  const answer = await deps.ecpay.queryTradeInfo(credentials, attempt.merchantTradeNo);
  if (answer.isErr()) return failure(answer.error);
  const info = answer.value;
  const rawBody = encodeFormBody(info.fields);
  const matches = info.tradeAmt === attempt.amount && customFieldToPaymentId(info.customField1) === session.id;

  if (info.tradeStatus === "1") {
    if (!matches) {
      await flagAmountMismatch(deps, session, attempt.merchantTradeNo, rawBody);
      return "error";
    }
    await retryOnSettlementConflict(() =>
      deps.db.$transaction(async (tx) => {
        const fresh = await tx.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: attempt.merchantTradeNo } });
        const freshSession = await tx.paymentSession.findUniqueOrThrow({ where: { id: session.id } });
        const outcome = await settlePaid(tx, {
          attempt: fresh,
          session: freshSession,
          now,
          facts: {
            tradeNo: info.tradeNo,
            tradeAmt: info.tradeAmt,
            paymentType: info.paymentType,
            paymentDate: info.paymentDate,
            chargeFee: info.chargeFee,
            simulatePaid: info.simulatePaid,
            gwsr: info.gwsr,
          ...paidCardFacts(info.fields),
            rtnCode: "1",
            rtnMsg: "QueryTradeInfo TradeStatus=1",
          },
        });
        return recordAnswer(tx, session, attempt.merchantTradeNo, rawBody, outcome);
      }),
    ).then((outcome) => countIfDuplicate(deps, session, attempt.merchantTradeNo, rawBody, outcome));
    return "settled";
  }
  if (info.tradeStatus === "10200095") {
    await retryOnSettlementConflict(() =>
      deps.db.$transaction(async (tx) => {
        const fresh = await tx.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: attempt.merchantTradeNo } });
        const outcome = await settleFailed(tx, fresh, info.tradeStatus, "QueryTradeInfo: 交易訂單未成立");
        return recordAnswer(tx, session, attempt.merchantTradeNo, rawBody, outcome);
      }),
    ).then((outcome) => countIfDuplicate(deps, session, attempt.merchantTradeNo, rawBody, outcome));
    return "failed";
  }
  return "unpaid";
}

/**
 * An unpaid ATM attempt we never heard PaymentInfoURL for: ask ECPay for the account it issued
 * (QueryPaymentInfo, signed answer) and settle it as the lost message would have: the account is
 * stored and Shopify gets paymentSessionPending with the deadline. "unpaid" when ECPay has no
 * account to report (not issued yet, or already paid: QueryTradeInfo settles that).
 */
export async function settleFromPaymentInfoQuery(deps: SettleFromQueryDeps, attempt: PaymentAttempt, session: PaymentSession): Promise<QuerySettlement> {
  const credentials = await credentialsForAttempt(deps.db, deps.secrets, attempt, session.shop);
  if (!credentials) return "error";
  const answer = await deps.ecpay.queryPaymentInfo(credentials, attempt.merchantTradeNo);
  if (answer.isErr()) return failure(answer.error);
  const info = answer.value;
  if (info.rtnCode !== "2" || !info.bankCode || !info.vAccount || !info.expireDate) return "unpaid";
  const rawBody = encodeFormBody(info.fields);
  if (info.tradeAmt !== attempt.amount || customFieldToPaymentId(info.customField1) !== session.id) {
    await flagAmountMismatch(deps, session, attempt.merchantTradeNo, rawBody);
    return "error";
  }
  const { bankCode, vAccount, expireDate } = info;
  await retryOnSettlementConflict(() =>
    deps.db.$transaction(async (tx) => {
      const fresh = await tx.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: attempt.merchantTradeNo } });
      const freshSession = await tx.paymentSession.findUniqueOrThrow({ where: { id: session.id } });
      const outcome = await settleAtmIssued(tx, { attempt: fresh, session: freshSession, tradeNo: info.tradeNo, bankCode, vAccount, expireDate });
      return recordAnswer(tx, session, attempt.merchantTradeNo, rawBody, outcome);
    }),
  ).then((outcome) => countIfDuplicate(deps, session, attempt.merchantTradeNo, rawBody, outcome));
  return "issued";
}
