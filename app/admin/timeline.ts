// The detail page's timeline: every record we hold about one payment, newest first, each with
// what it meant (the merchant's words are chosen from this in timeline-words.ts) and the card's
// state at ECPay right after it. The raw records stay on each event for the developer details.
import type {
  EcpayNotification,
  OperationSession,
  OutboxAttempt,
  OutboxMessage,
  PaymentAttempt,
  PaymentSession,
} from "@prisma/client";
import { isMethodHandle, PAYMENT_METHODS } from "../payments/methods";
import { cardStateFromEcpay, stateAfter } from "../payments/operations/plan";
import { asCardState, type CardState, type EcpayLogEntry } from "../payments/operations/types";
import type { DoActionKind } from "../ecpay/types";
import { storedMessageFields } from "../payments/stored-messages";

/** The card trade's state at ECPay after an event; "none" before it was authorized. */
export type CardThen = CardState | "none";

/** What an ECPay message (or query answer) meant for the payment. */
export type MessageMeaning =
  | { kind: "paid"; amount: number | null; paymentType: string | null }
  | { kind: "atmIssued"; bankCode: string; vAccount: string; expireDate: string | null }
  | { kind: "codeIssued"; code: string; expireDate: string | null }
  | { kind: "failed"; reason: string }
  | { kind: "queryUnpaid" }
  | { kind: "queryNotFound" }
  | { kind: "queryFailed" }
  | { kind: "queryNotCompleted" }
  | { kind: "queryOther"; status: string }
  | { kind: "duplicate" }
  | { kind: "badSignature" }
  | { kind: "simulatedIgnored" }
  | { kind: "latePayment" }
  | { kind: "duplicatePayment" }
  | { kind: "refused" };

export interface OutboxLogEntry {
  at: string;
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
  response: string | null;
}

export type TimelineEvent =
  | { type: "session"; at: string; amount: number | null; amountRaw: string; currency: string; kind: string; test: boolean }
  | {
      type: "attempt";
      at: string;
      merchantTradeNo: string;
      merchantId: string;
      stage: boolean;
      status: string;
      tradeNo: string | null;
      paymentType: string | null;
      rtnCode: string | null;
      rtnMsg: string | null;
      simulatePaid: boolean;
      chargeFee: string | null;
      /** The state we hold now; the row shows `card` (its state when the order was created). */
      cardStateNow: string | null;
      card: CardThen | null;
      closeError: string | null;
      atm: { bankCode: string; vAccount: string; expireDate: string | null } | null;
    }
  | {
      type: "notification";
      at: string;
      channel: string;
      merchantTradeNo: string | null;
      signatureValid: boolean;
      outcome: string;
      meaning: MessageMeaning;
      card: CardThen | null;
      simulatePaid: boolean;
      fields: Array<[string, string]>;
      /** A counted message (refused or duplicate): how many came, the last one's time and sha256. */
      counted: { count: number; lastAt: string; fingerprint: string } | null;
    }
  | {
      type: "outbox";
      at: string;
      id: string;
      mutation: string;
      status: string;
      attempts: number;
      lastError: string | null;
      variables: string;
      /** The first failed try, while the message is still being retried. */
      retryingSince: string | null;
      log: OutboxLogEntry[];
    }
  | {
      type: "operation";
      at: string;
      operation: string;
      amount: number | null;
      amountRaw: string | null;
      status: string;
      simulated: boolean;
      card: CardThen | null;
      merchantMessage: string | null;
      ecpayLog: string | null;
    };

export interface TimelineSource {
  session: PaymentSession & { attempts: PaymentAttempt[]; operations: OperationSession[] };
  notifications: EcpayNotification[];
  outbox: Array<OutboxMessage & { log: OutboxAttempt[] }>;
}

/** Raw notification fields as ECPay sent them (form body), or the text itself when it is not a form. */
export const rawFields = storedMessageFields;

/** Outcomes under which a message moved the payment on (settlement.server.ts SettleOutcome). */
const SETTLING = new Set(["ACCEPTED", "FAILED_RECORDED"]);

export function messageMeaning(channel: string, outcome: string, fields: ReadonlyArray<[string, string]>): MessageMeaning {
  const field = (name: string) => fields.find(([k]) => k === name)?.[1] ?? null;
  switch (outcome) {
    case "DUPLICATE":
      return { kind: "duplicate" };
    case "BAD_SIGNATURE":
      return { kind: "badSignature" };
    case "SIMULATED_IGNORED":
      return { kind: "simulatedIgnored" };
    case "LATE_PAYMENT":
      return { kind: "latePayment" };
    case "DUPLICATE_PAYMENT":
      return { kind: "duplicatePayment" };
    case "QUERY_UNPAID":
      return { kind: "queryUnpaid" };
    case "QUERY_NOT_FOUND":
      return { kind: "queryNotFound" };
    case "QUERY_FAILED":
      return { kind: "queryFailed" };
    case "QUERY_NOT_COMPLETED":
      return { kind: "queryNotCompleted" };
  }
  const rtnCode = field("RtnCode");
  const paid = rtnCode === "1" || field("TradeStatus") === "1" || outcome === "QUERY_PAID";
  if (paid && (SETTLING.has(outcome) || outcome === "QUERY_PAID")) {
    const amount = Number(field("TradeAmt"));
    return { kind: "paid", amount: Number.isInteger(amount) && amount > 0 ? amount : null, paymentType: field("PaymentType") };
  }
  const vAccount = field("vAccount");
  const issued = SETTLING.has(outcome) || outcome === "QUERY_ATM_ISSUED";
  if (issued && vAccount) return { kind: "atmIssued", bankCode: field("BankCode") ?? "", vAccount, expireDate: field("ExpireDate") };
  const code = field("PaymentNo") ?? field("Barcode1");
  if (issued && code) return { kind: "codeIssued", code, expireDate: field("ExpireDate") };
  if (outcome === "FAILED_RECORDED") return { kind: "failed", reason: field("RtnMsg") ?? rtnCode ?? "" };
  if (outcome.startsWith("QUERY_STATUS_")) return { kind: "queryOther", status: outcome.slice("QUERY_STATUS_".length) };
  if (channel === "QUERY" && (issued || outcome === "QUERY_UNRECOGNISED")) return { kind: "queryOther", status: field("TradeStatus") ?? "" };
  return { kind: "refused" };
}

/**
 * From an operation's log (EcpayLogEntry): the card state ECPay reported before acting
 * (QueryTrade/V2), and the DoAction calls it completed, in order.
 */
function operationLog(ecpayLog: string | null): { observed: CardState | null; actions: DoActionKind[]; completed: CardState | null | undefined } {
  const none = { observed: null, actions: [], completed: undefined };
  if (!ecpayLog) return none;
  let log: unknown;
  try {
    log = JSON.parse(ecpayLog);
  } catch {
    return none;
  }
  if (!Array.isArray(log)) return none;
  const actions: DoActionKind[] = [];
  let observed: CardState | null = null;
  let completed: CardState | null | undefined;
  for (const entry of log as EcpayLogEntry[]) {
    if (entry?.call === "QueryTrade/V2" && entry.outcome === "ok" && entry.status && actions.length === 0) {
      observed = asCardState(cardStateFromEcpay(entry.status));
    }
    if (entry?.call !== "DoAction" || entry.outcome !== "ok") continue;
    actions.push(entry.action);
    if (entry.completed) completed = entry.completed.cardState;
  }
  return { observed, actions, completed };
}

/**
 * The card's state after each event, replayed from our records (we keep only the current state):
 * authorized when ECPay's payment was accepted (UnionPay trades close at once), then each
 * operation's completed DoAction calls from the state ECPay reported before them (plan.ts
 * stateAfter), or what a simulated run recorded
 * (process-operations simulatedCardState). Non-card payments have none (null).
 */
function replayCardStates(events: TimelineEvent[], source: TimelineSource): void {
  const { session } = source;
  const card = isMethodHandle(session.method) && PAYMENT_METHODS[session.method].cardTrade;
  if (!card) return;
  const unionPay = new Set(session.attempts.filter((a) => a.unionPay).map((a) => a.merchantTradeNo));
  const paidAttempt = session.attempts.find((a) => a.status === "PAID");
  let state: CardThen = "none";
  const authorizedState = (merchantTradeNo: string | null | undefined): CardState => (merchantTradeNo && unionPay.has(merchantTradeNo) ? "CLOSED" : "AUTHORIZED");
  for (const event of events) {
    if (event.type === "attempt") event.card = "none";
    if (event.type === "notification" && event.meaning.kind === "paid" && SETTLING.has(event.outcome) && state === "none") {
      state = authorizedState(event.merchantTradeNo);
      event.card = state;
    }
    if (event.type === "operation") {
      // Paid without a stored accepting message (e.g. on an older page of messages): it was authorized.
      if (state === "none" && paidAttempt) state = authorizedState(paidAttempt.merchantTradeNo);
      const { observed, actions, completed } = operationLog(event.ecpayLog);
      // What ECPay said the trade was just before (e.g. closed by the sale's automatic close).
      let next: CardState | null = observed ?? (state === "none" ? null : state);
      for (const action of actions) next = stateAfter(action, next);
      if (completed !== undefined) next = completed;
      if (event.simulated && event.status === "SUCCEEDED") {
        if (event.operation === "CAPTURE") next = "CLOSE_REQUESTED";
        else if (event.operation === "VOID") next = "ABANDONED";
        else if (next === "AUTHORIZED" && event.amount !== null && session.amount !== null && event.amount >= session.amount) next = "ABANDONED";
      }
      state = next ?? state;
      event.card = state;
    }
  }
}

/** Ties (same instant) read in the order things happen: the request, the order, ECPay, us, Shopify. */
const ORDER: Record<TimelineEvent["type"], number> = { session: 0, attempt: 1, notification: 2, operation: 3, outbox: 4 };

export function buildTimeline(source: TimelineSource): TimelineEvent[] {
  const { session } = source;
  const events: TimelineEvent[] = [
    {
      type: "session",
      at: session.createdAt.toISOString(),
      amount: session.amount,
      amountRaw: session.amountRaw,
      currency: session.currency,
      kind: session.kind,
      test: session.test,
    },
  ];
  for (const a of session.attempts) {
    events.push({
      type: "attempt",
      at: a.createdAt.toISOString(),
      merchantTradeNo: a.merchantTradeNo,
      merchantId: a.merchantId,
      stage: a.stage,
      status: a.status,
      tradeNo: a.tradeNo,
      paymentType: a.paymentType,
      rtnCode: a.rtnCode,
      rtnMsg: a.rtnMsg,
      simulatePaid: a.simulatePaid,
      chargeFee: a.chargeFee,
      cardStateNow: a.cardState,
      card: null,
      closeError: a.closeError,
      atm: a.bankCode && a.vAccount ? { bankCode: a.bankCode, vAccount: a.vAccount, expireDate: a.expireDate } : null,
    });
  }
  for (const n of source.notifications) {
    // A counted message keeps no body.
    const fields = n.counterKey && n.rawBody === "" ? [] : rawFields(n.rawBody);
    events.push({
      type: "notification",
      at: n.receivedAt.toISOString(),
      channel: n.channel,
      merchantTradeNo: n.merchantTradeNo,
      signatureValid: n.signatureValid,
      outcome: n.outcome,
      meaning: n.signatureValid ? messageMeaning(n.channel, n.outcome, fields) : { kind: "badSignature" },
      card: null,
      simulatePaid: fields.some(([k, v]) => k === "SimulatePaid" && v === "1"),
      fields,
      counted: n.counterKey
        ? { count: n.count, lastAt: (n.lastReceivedAt ?? n.receivedAt).toISOString(), fingerprint: (n.fingerprint ?? "").slice(0, 16) }
        : null,
    });
  }
  for (const o of session.operations) {
    events.push({
      type: "operation",
      at: o.createdAt.toISOString(),
      operation: o.type,
      amount: o.amount,
      amountRaw: o.amountRaw,
      status: o.status,
      simulated: o.simulated,
      card: null,
      merchantMessage: o.merchantMessage,
      ecpayLog: o.ecpayLog,
    });
  }
  for (const m of source.outbox) {
    const firstFailure = m.log.find((l) => !l.ok);
    const delivered = m.status === "DELIVERED" ? m.log.find((l) => l.ok) : undefined;
    events.push({
      type: "outbox",
      // "Shopify told" happened when Shopify accepted; until then, the message is as old as its cause.
      at: (delivered?.at ?? m.createdAt).toISOString(),
      id: m.id,
      mutation: m.mutation,
      status: m.status,
      attempts: m.attempts,
      lastError: m.lastError,
      variables: m.variables,
      retryingSince: m.status === "PENDING" && firstFailure ? firstFailure.at.toISOString() : null,
      log: m.log.map((l) => ({ at: l.at.toISOString(), ok: l.ok, httpStatus: l.httpStatus, error: l.error, response: l.response })),
    });
  }
  const oldestFirst = events
    .map((event, index) => ({ event, index }))
    .sort((x, y) => x.event.at.localeCompare(y.event.at) || ORDER[x.event.type] - ORDER[y.event.type] || x.index - y.index)
    .map(({ event }) => event);
  replayCardStates(oldestFirst, source);
  return oldestFirst.reverse();
}
