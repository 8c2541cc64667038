// POST /ecpay/<m>/return (ReturnURL) and /ecpay/<m>/payment-info (PaymentInfoURL): verify the
// CheckMacValue, match the trade to our attempt, this app and the MerchantID, compare the amount,
// record the message and its effect in one transaction, and only then answer exactly "1|OK".
// Anything we cannot accept is never "1|OK", so ECPay keeps it for a later resend.
import type { PaymentAttempt, PaymentSession } from "@prisma/client";
import { parseFormBody } from "../../ecpay/form-body";
import { notificationOutcome } from "../../ecpay/outcomes";
import type { EcpayCallback } from "../../ecpay/types";
import { notifyOutbox } from "../outbox.server";
import { chaosPoint } from "../../lib/chaos.server";
import { logPaymentEvent } from "../../lib/log.server";
import { metrics } from "../../lib/metrics.server";
import { attemptCredentials } from "../bindings.server";
import { customFieldToPaymentId } from "../custom-field";
import type { Deps } from "../ports";
import { PAYMENT_METHODS, type MethodHandle } from "../methods";
import { applyEcpayOutcome } from "../apply-outcome.server";
import { countMessage } from "../notification-log.server";
import { addFlag } from "../settlement.server";
import { readTrade } from "../trade-read.server";

export type NotificationChannel = "RETURN" | "PAYMENT_INFO";

export interface EcpayReply {
  status: number;
  body: string;
  outcome: string;
  /** The payment the message settled (accepted messages only). */
  paymentId?: string;
}

export const ACK = "1|OK";

const refuse = (status: number, outcome: string, reason: string): EcpayReply => ({ status, body: `0|${reason}`, outcome });

type Checked =
  | { ok: true; attempt: PaymentAttempt; session: PaymentSession; callback: EcpayCallback }
  | { ok: false; reply: EcpayReply; signatureValid: boolean; merchantTradeNo: string | null; knownTrade: boolean; flagAmount?: string };

/** Every check that needs no write: signature, trade, app, merchant, payment id, amount. */
export async function checkEcpayMessage(deps: Deps, method: MethodHandle, rawBody: string): Promise<Checked> {
  const fields = parseFormBody(rawBody);
  const merchantTradeNo = fields.isOk() ? (fields.value.MerchantTradeNo ?? null) : null;
  if (!merchantTradeNo) {
    return { ok: false, reply: refuse(400, "MALFORMED", "MerchantTradeNo missing"), signatureValid: false, merchantTradeNo: null, knownTrade: false };
  }
  // One statement: attempt, session and the binding that holds this MerchantID's keys.
  const trade = await readTrade(deps.db, merchantTradeNo, { binding: true });
  if (!trade) {
    return { ok: false, reply: refuse(404, "UNKNOWN_TRADE", "unknown MerchantTradeNo"), signatureValid: false, merchantTradeNo, knownTrade: false };
  }
  const { attempt: attemptRow, session } = trade;
  const credentials = attemptCredentials(deps.secrets, attemptRow, trade.binding);
  if (!credentials) {
    return { ok: false, reply: refuse(409, "NO_CREDENTIALS", "no ECPay binding for this MerchantID"), signatureValid: false, merchantTradeNo, knownTrade: true };
  }
  const verified = deps.ecpay.verifyCallback(rawBody, credentials);
  if (verified.isErr()) {
    const bad = verified.error.kind === "bad-signature";
    return {
      ok: false,
      reply: refuse(400, bad ? "BAD_SIGNATURE" : "MALFORMED", bad ? "CheckMacValue verify fail" : verified.error.message),
      signatureValid: false,
      merchantTradeNo,
      knownTrade: true,
    };
  }
  const callback = verified.value;
  const mismatch = (outcome: string, reason: string): Checked => ({
    ok: false,
    reply: refuse(400, outcome, reason),
    signatureValid: true,
    merchantTradeNo,
    knownTrade: true,
  });
  // A valid message for another app's (or another shop's) trade is a replay: refuse it.
  if (session.method !== method) return mismatch("WRONG_APP", `trade belongs to the ${session.method} app`);
  if (callback.merchantId !== attemptRow.merchantId) return mismatch("MERCHANT_MISMATCH", "MerchantID does not match");
  if (customFieldToPaymentId(callback.customField1) !== session.id) return mismatch("PAYMENT_MISMATCH", "CustomField1 does not match");
  if (callback.tradeAmt !== attemptRow.amount) {
    return { ...(mismatch("AMOUNT_MISMATCH", "TradeAmt does not match") as Extract<Checked, { ok: false }>), flagAmount: session.id };
  }
  return { ok: true, attempt: attemptRow, session, callback };
}

/** Handles one ECPay POST, then logs and counts what it did (README "Operating"). */
export async function handleEcpayNotification(
  deps: Deps,
  method: MethodHandle,
  channel: NotificationChannel,
  rawBody: string,
): Promise<EcpayReply> {
  const reply = await settleNotification(deps, method, channel, rawBody);
  metrics().ecpayMessages.inc({ channel, outcome: reply.outcome });
  // The MerchantTradeNo is logged only in its documented shape: a stranger's field is not echoed.
  const claimed = parseFormBody(rawBody).map((fields) => fields.MerchantTradeNo ?? "").unwrapOr("");
  const merchantTradeNo = /^[A-Za-z0-9]{1,20}$/.test(claimed) ? claimed : undefined;
  const ids = { method, channel, outcome: reply.outcome, ...(merchantTradeNo && { merchantTradeNo }), ...(reply.paymentId && { paymentId: reply.paymentId }) };
  if (reply.status === 200) logPaymentEvent("ecpay.message.accepted", ids);
  else logPaymentEvent("ecpay.message.refused", { ...ids, httpStatus: reply.status, reason: reply.body.replace(/^0\|/, "").slice(0, 200) });
  return reply;
}

async function settleNotification(
  deps: Deps,
  method: MethodHandle,
  channel: NotificationChannel,
  rawBody: string,
): Promise<EcpayReply> {
  // Only methods that go pending (ATM) are given a PaymentInfoURL: a message there for any other
  // app's trade is nobody's, and storing it would be a stranger's write.
  if (channel === "PAYMENT_INFO" && !PAYMENT_METHODS[method].pending) {
    return refuse(404, "NO_PAYMENT_INFO", `the ${method} app has no PaymentInfoURL`);
  }
  const checked = await checkEcpayMessage(deps, method, rawBody);
  if (!checked.ok) {
    if (checked.flagAmount) {
      await addFlag(deps.db, checked.flagAmount, "AMOUNT_MISMATCH");
    }
    // Refusals about a trade we hold are counted for the merchant's timeline, never stored whole.
    // Anything else is from nobody we know and is not recorded at all.
    if (!checked.knownTrade || !checked.merchantTradeNo) return checked.reply;
    await countMessage(
      deps.db,
      { channel, method, merchantTradeNo: checked.merchantTradeNo, rawBody, signatureValid: checked.signatureValid, outcome: checked.reply.outcome },
      deps.now(),
    );
    return checked.reply;
  }
  const { attempt, session, callback } = checked;
  const outcome = await applyEcpayOutcome(deps, {
    attempt,
    session,
    // Settled from the rows just read: every write is conditional on them (settlement.server.ts).
    current: { attempt, session },
    outcome: notificationOutcome(callback, channel === "PAYMENT_INFO" ? "PaymentInfoURL" : "ReturnURL"),
    message: { channel, rawBody },
  });
  chaosPoint("notification-recorded", attempt.merchantTradeNo);
  notifyOutbox();
  return { status: 200, body: ACK, outcome, paymentId: session.id };
}
