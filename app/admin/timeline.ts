// The detail page's timeline: every record we hold about one payment, in the order it happened.
import type {
  EcpayNotification,
  OperationSession,
  OutboxAttempt,
  OutboxMessage,
  PaymentAttempt,
  PaymentSession,
} from "@prisma/client";
import { parseFormBody } from "../ecpay/form-body";

export type TimelineEvent =
  | { type: "session"; at: string; amountRaw: string; currency: string; kind: string; test: boolean }
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
      cardState: string | null;
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
      simulatePaid: boolean;
      fields: Array<[string, string]>;
      /** A counted message (refused or duplicate): how many came, the last one's time and sha256. */
      counted: { count: number; lastAt: string; fingerprint: string } | null;
    }
  | { type: "outbox"; at: string; id: string; mutation: string; status: string; attempts: number; lastError: string | null; variables: string }
  | { type: "outboxAttempt"; at: string; mutation: string; ok: boolean; httpStatus: number | null; error: string | null; response: string | null }
  | {
      type: "operation";
      at: string;
      operation: string;
      amountRaw: string | null;
      status: string;
      simulated: boolean;
      merchantMessage: string | null;
      ecpayLog: string | null;
    };

export interface TimelineSource {
  session: PaymentSession & { attempts: PaymentAttempt[]; operations: OperationSession[] };
  notifications: EcpayNotification[];
  outbox: Array<OutboxMessage & { log: OutboxAttempt[] }>;
}

/** Raw notification fields as ECPay sent them (form body), or the text itself when it is not a form. */
export function rawFields(rawBody: string): Array<[string, string]> {
  // JSON first: a JSON body would also "parse" as a one-field form.
  if (rawBody.trimStart().startsWith("{")) {
    try {
      const json: unknown = JSON.parse(rawBody);
      if (json && typeof json === "object" && !Array.isArray(json)) {
        return Object.entries(json as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]);
      }
    } catch {
      // not JSON after all: try it as a form
    }
  }
  const parsed = parseFormBody(rawBody);
  return parsed.isOk() ? Object.entries(parsed.value) : [["body", rawBody]];
}

const ORDER: Record<TimelineEvent["type"], number> = { session: 0, attempt: 1, notification: 2, operation: 3, outbox: 4, outboxAttempt: 5 };

export function buildTimeline(source: TimelineSource): TimelineEvent[] {
  const { session } = source;
  const events: TimelineEvent[] = [
    { type: "session", at: session.createdAt.toISOString(), amountRaw: session.amountRaw, currency: session.currency, kind: session.kind, test: session.test },
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
      cardState: a.cardState,
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
      amountRaw: o.amountRaw,
      status: o.status,
      simulated: o.simulated,
      merchantMessage: o.merchantMessage,
      ecpayLog: o.ecpayLog,
    });
  }
  for (const m of source.outbox) {
    events.push({
      type: "outbox",
      at: m.createdAt.toISOString(),
      id: m.id,
      mutation: m.mutation,
      status: m.status,
      attempts: m.attempts,
      lastError: m.lastError,
      variables: m.variables,
    });
    for (const l of m.log) {
      events.push({ type: "outboxAttempt", at: l.at.toISOString(), mutation: m.mutation, ok: l.ok, httpStatus: l.httpStatus, error: l.error, response: l.response });
    }
  }
  return events
    .map((event, index) => ({ event, index }))
    .sort((x, y) => x.event.at.localeCompare(y.event.at) || ORDER[x.event.type] - ORDER[y.event.type] || x.index - y.index)
    .map(({ event }) => event);
}
