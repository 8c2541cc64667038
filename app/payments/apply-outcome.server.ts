// The one place an ECPay outcome changes our records, whoever brought it: a notification
// (ReturnURL, PaymentInfoURL), the reconciler's or the buyer's waiting page's query, or the
// merchant's "query ECPay now". Attempt and session are read again inside the transaction, the
// outcome is settled (settlement.server.ts), the message that reported it is stored in the same
// transaction and the Shopify mutation queued with it; a duplicate changes nothing and is counted.
// Waking the outbox is the caller's: only it knows when its answer to ECPay or the buyer is due.
import type { PaymentAttempt, PaymentSession } from "@prisma/client";
import type { EcpayOutcome, EcpayOutcomeKind } from "../ecpay/outcomes";
import { customFieldToPaymentId } from "./custom-field";
import type { Deps } from "./ports";
import { countMessage, recordMessage, type NotificationEntry } from "./notification-log.server";
import { inTransaction } from "../lib/prisma-client.server";
import { readTrade } from "./trade-read.server";
import { addFlag, retryOnSettlementConflict, settleAtmIssued, settleFailed, settlePaid, type SettleOutcome } from "./settlement.server";

/** How the message reached us; the notification log's channel. */
export type MessageChannel = "RETURN" | "PAYMENT_INFO" | "QUERY";

export interface OutcomeMessage {
  channel: MessageChannel;
  /** The message as received (a notification's body, a query answer's fields form-encoded). */
  rawBody: string;
  /**
   * The merchant asked ("query ECPay now"): the answer goes on the timeline whole even when it
   * changed nothing, labelled with queryLabel(kind). Otherwise such an answer is counted (a
   * duplicate) or not kept at all (a query that settles nothing).
   */
  keepUnchanged?: boolean;
}

/**
 * What applying did:
 * - a SettleOutcome: the settlement's verdict (DUPLICATE: nothing changed)
 * - AMOUNT_MISMATCH: the answer's amount or payment id is not our attempt's; flagged, nothing settled
 * - NOTHING_TO_SETTLE: the outcome settles nothing (unpaid, not found, unrecognised)
 */
export type AppliedOutcome = SettleOutcome | "AMOUNT_MISMATCH" | "NOTHING_TO_SETTLE";

/** The notification log's outcome for a merchant's query answer that changed nothing. */
export function queryLabel(kind: EcpayOutcomeKind): string {
  const labels: Record<EcpayOutcomeKind, string> = {
    paid: "QUERY_PAID",
    "pending-account-issued": "QUERY_ATM_ISSUED",
    failed: "QUERY_FAILED",
    "not-completed": "QUERY_NOT_COMPLETED",
    unpaid: "QUERY_UNPAID",
    "not-found": "QUERY_NOT_FOUND",
    unrecognised: "QUERY_UNRECOGNISED",
  };
  return labels[kind];
}

/** True when the outcome reports a trade other than this attempt (amount) for another payment. */
function mismatches(outcome: EcpayOutcome, attempt: Pick<PaymentAttempt, "amount">, session: Pick<PaymentSession, "id">): boolean {
  return outcome.trade.amount !== attempt.amount || customFieldToPaymentId(outcome.trade.customField1) !== session.id;
}

export async function applyEcpayOutcome(
  deps: Pick<Deps, "db" | "now">,
  input: {
    attempt: Pick<PaymentAttempt, "merchantTradeNo" | "amount">;
    session: Pick<PaymentSession, "id" | "method">;
    outcome: EcpayOutcome;
    message: OutcomeMessage;
    /**
     * The attempt and session as just read (a notification's check): the first try settles from
     * them without reading again, since every write is conditional on what was read; a retry reads.
     */
    current?: { attempt: PaymentAttempt; session: PaymentSession };
  },
): Promise<AppliedOutcome> {
  const { attempt, session, outcome, message } = input;
  let current = input.current;
  const entry = (label: string): NotificationEntry => ({
    channel: message.channel,
    method: session.method,
    merchantTradeNo: attempt.merchantTradeNo,
    rawBody: message.rawBody,
    signatureValid: true,
    outcome: label,
  });
  const keepUnchanged = async (applied: AppliedOutcome) => {
    await recordMessage(deps.db, entry(queryLabel(outcome.kind)));
    return applied;
  };

  const settles = outcome.kind === "paid" || outcome.kind === "pending-account-issued" || outcome.kind === "failed" || outcome.kind === "not-completed";
  if (!settles) return message.keepUnchanged ? keepUnchanged("NOTHING_TO_SETTLE") : "NOTHING_TO_SETTLE";
  if ((outcome.kind === "paid" || outcome.kind === "pending-account-issued") && mismatches(outcome, attempt, session)) {
    // Money that is not this attempt's is never settled: the merchant looks (the flag). The answer
    // may come again every reconciler pass, so it is counted, not stored each time.
    await addFlag(deps.db, session.id, "AMOUNT_MISMATCH");
    await countMessage(deps.db, entry("AMOUNT_MISMATCH"), deps.now());
    return "AMOUNT_MISMATCH";
  }

  // A settlement that loses a race to another (a resend, the reconciler) is decided again.
  const settled = await retryOnSettlementConflict(() =>
    inTransaction(deps.db, async (tx): Promise<SettleOutcome> => {
      // Otherwise read inside the transaction: a concurrent message may have settled it already.
      const rows = current ?? (await readTrade(tx, attempt.merchantTradeNo));
      current = undefined;
      if (!rows) throw new Error(`attempt ${attempt.merchantTradeNo} disappeared`);
      const { attempt: fresh, session: freshSession } = rows;
      let result: SettleOutcome;
      switch (outcome.kind) {
        case "paid":
          result = await settlePaid(tx, { attempt: fresh, session: freshSession, now: deps.now(), facts: outcome.facts });
          break;
        case "pending-account-issued":
          result = await settleAtmIssued(tx, { attempt: fresh, session: freshSession, ...outcome.facts });
          break;
        case "failed":
        case "not-completed":
          result = await settleFailed(tx, fresh, outcome.facts.ecpayCode, outcome.facts.ecpayMessage);
          break;
      }
      // A message that changed state is stored whole with that change; a duplicate is counted after.
      if (result !== "DUPLICATE") await recordMessage(tx, entry(result));
      return result;
    }),
  );
  if (settled === "DUPLICATE") {
    if (message.keepUnchanged) return keepUnchanged(settled);
    await countMessage(deps.db, entry(settled), deps.now());
  }
  return settled;
}
