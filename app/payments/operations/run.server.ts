// Run recording: everything one run of one operation writes. The ECPay log as it grows, the lease
// renewed with it, and the three ways a run ends (deferred, retried, finished as succeeded or
// failed together with the Shopify mutation that reports it). Every write is conditional on the
// run's lease (operation-lease.server.ts).
import type { OperationSession, PaymentAttempt, PaymentSession } from "@prisma/client";
import { bilingual } from "../../i18n";
import type { EcpayError } from "../../ecpay/types";
import { backoffMs } from "../../lib/backoff";
import { enqueue, notifyOutbox } from "../outbox.server";
import type { Tx } from "../../db.server";
import { logPaymentEvent } from "../../lib/log.server";
import { metrics } from "../../lib/metrics.server";
import type { Deps } from "../ports";
import { nextStatus } from "../payment-state";
import { addFlag } from "../settlement.server";
import { LeaseLost, type OperationLease } from "./operation-lease.server";
import { capturedAmountOf } from "./rules";
import type { CardState, EcpayLogEntry, OperationType, Rejection } from "./types";

/** After a day of ECPay being unreachable, tell the merchant instead of retrying silently. */
const MAX_RETRY_AGE_MS = 24 * 3600_000;
const RATE_LIMIT_DELAY_MS = 60_000;

export interface OperationReport {
  succeeded: number;
  failed: number;
  /** ECPay was unreachable or busy: the operation stays RECEIVED and is retried later. */
  retried: number;
  /** Not started: another operation on the same payment is running, or ECPay's close window. */
  deferred: number;
}

export type Outcome = keyof OperationReport;

export type OperationRow = OperationSession & { paymentSession: PaymentSession & { attempts: PaymentAttempt[] } };

/** The trade a run's outcome is recorded on, with its card state afterwards. */
export interface TradeRef {
  merchantTradeNo: string;
  cardState: CardState | null;
}

const TYPE_OF: Record<OperationSession["type"], OperationType> = { REFUND: "refund", CAPTURE: "capture", VOID: "void" };

/** Everything one run of one operation needs, and the log it writes as it goes. */
export class Run {
  readonly log: EcpayLogEntry[];
  readonly type: OperationType;

  constructor(
    readonly deps: Deps,
    readonly op: OperationRow,
    readonly lease: OperationLease,
  ) {
    this.log = parseLog(op.ecpayLog);
    this.type = TYPE_OF[op.type];
  }

  get payment() {
    return this.op.paymentSession;
  }

  now(): string {
    return this.deps.now().toISOString();
  }

  /** Save the log and renew the lease; LeaseLost when another instance holds it now. */
  async saveLog(attempt?: TradeRef): Promise<void> {
    const next = this.lease.next(this.deps.now());
    const { count } = await this.deps.db.operationSession.updateMany({ where: this.lease.where, data: { ecpayLog: JSON.stringify(this.log), lockedUntil: next.until } });
    if (count === 0) throw new LeaseLost(this.op.id);
    this.lease.renewed(next);
    if (attempt) {
      await this.deps.db.paymentAttempt.update({ where: { merchantTradeNo: attempt.merchantTradeNo }, data: { cardState: attempt.cardState } });
    }
  }

  /** Not now: give the lease up and come back at `nextAttemptAt`. */
  async release(nextAttemptAt: Date): Promise<Outcome> {
    await this.deps.db.operationSession.updateMany({
      where: this.lease.where,
      data: { lockedUntil: null, nextAttemptAt, ecpayLog: this.log.length > 0 ? JSON.stringify(this.log) : this.op.ecpayLog },
    });
    return "deferred";
  }

  /** ECPay could not be asked (or did not answer): try again later, unless that has gone on too long. */
  async retry(error: EcpayError, unresolvedRefund: boolean): Promise<Outcome> {
    const now = this.deps.now();
    if (now.getTime() - this.op.createdAt.getTime() > MAX_RETRY_AGE_MS) {
      return this.reject({ code: "PROCESSING_ERROR", message: unresolvedRefund ? "operation.unknownOutcome" : "operation.ecpayUnreachable" });
    }
    const attempts = this.op.attempts + 1;
    const delay = error.kind === "rate-limited" ? Math.max(RATE_LIMIT_DELAY_MS, backoffMs(attempts)) : backoffMs(attempts);
    await this.deps.db.operationSession.updateMany({
      where: this.lease.where,
      data: {
        attempts,
        nextAttemptAt: new Date(now.getTime() + delay),
        lockedUntil: null,
        ecpayLog: JSON.stringify(this.log),
        merchantMessage: null,
      },
    });
    logPaymentEvent("operation.retrying", { ...this.ids(), attempt: attempts, nextAttemptAt: new Date(now.getTime() + delay).toISOString(), reason: error.message.slice(0, 300) });
    return "retried";
  }

  /** The ids every log line of this run carries. */
  ids() {
    const { op } = this;
    return { shop: op.shop, method: op.method, paymentId: op.paymentSessionId, operationId: op.id, operation: this.type, test: op.test };
  }

  /** Both languages, as every merchantMessage we send Shopify (payment rejections, ATM expiry, …). */
  messageFor(rejection: Rejection): string {
    return bilingual(rejection.message, rejection.vars);
  }

  async reject(rejection: Rejection, attempt?: { merchantTradeNo: string; reclose: boolean }): Promise<Outcome> {
    const merchantMessage = this.messageFor(rejection);
    const { op } = this;
    const done = await this.finish(
      { status: "FAILED", rejectCode: rejection.code, merchantMessage },
      async (tx) => {
        // A refund that gave a captured sale's close up (E) and then failed: close it again.
        if (attempt?.reclose) {
          await tx.paymentAttempt.updateMany({
            where: { merchantTradeNo: attempt.merchantTradeNo, cardState: "AUTHORIZED" },
            data: { closePending: true, closeError: null },
          });
        }
        // A refund whose outcome at ECPay nobody can tell: the merchant must look (Shopify hears a
        // rejection, the only thing we know; the money may have moved).
        if (this.type === "refund" && rejection.message === "operation.unknownOutcome") {
          await addFlag(tx, op.paymentSessionId, "REFUND_UNCONFIRMED");
        }
        const reason = { merchantMessage };
        switch (this.type) {
          case "refund":
            return enqueue(tx, { shop: op.shop, method: op.method, mutation: "refundSessionReject", subjectId: op.id, variables: { id: op.gid, reason: { code: "PROCESSING_ERROR", ...reason } } });
          case "capture":
            return enqueue(tx, { shop: op.shop, method: op.method, mutation: "captureSessionReject", subjectId: op.id, variables: { id: op.gid, reason: { code: rejection.code, ...reason } } });
          case "void":
            return enqueue(tx, { shop: op.shop, method: op.method, mutation: "voidSessionReject", subjectId: op.id, variables: { id: op.gid, reason: { code: "PROCESSING_ERROR", ...reason } } });
        }
      },
    );
    if (done) {
      metrics().operations.inc({ type: this.type, outcome: "rejected" });
      logPaymentEvent("operation.rejected", { ...this.ids(), outcome: rejection.code, reason: rejection.message });
    }
    return done ? "failed" : "deferred";
  }

  async succeed(amount: number, details: { simulated: boolean; attempt: TradeRef | null }): Promise<Outcome> {
    const { op } = this;
    const done = await this.finish({ status: "SUCCEEDED", simulated: details.simulated, rejectCode: null, merchantMessage: null }, async (tx) => {
      const payment = await tx.paymentSession.findUniqueOrThrow({ where: { id: op.paymentSessionId } });
      const captured = capturedAmountOf(payment);
      switch (this.type) {
        case "capture":
          await tx.paymentSession.update({
            where: { id: payment.id },
            data: { capturedAmount: payment.capturedAmount + amount, status: nextStatus(payment.status, { type: "captured" }) ?? payment.status },
          });
          break;
        case "void":
          await tx.paymentSession.update({ where: { id: payment.id }, data: { status: nextStatus(payment.status, { type: "voided" }) ?? payment.status } });
          break;
        case "refund": {
          const refunded = payment.refundedAmount + amount;
          await tx.paymentSession.update({
            where: { id: payment.id },
            data: {
              capturedAmount: captured,
              refundedAmount: refunded,
              status: nextStatus(payment.status, { type: "refunded", fully: refunded >= captured }) ?? payment.status,
            },
          });
          break;
        }
      }
      if (details.attempt) {
        await tx.paymentAttempt.update({
          where: { merchantTradeNo: details.attempt.merchantTradeNo },
          data: { cardState: details.attempt.cardState, ...(this.type !== "refund" && { closePending: false }) },
        });
      }
      const mutation = `${this.type}SessionResolve` as const;
      await enqueue(tx, { shop: op.shop, method: op.method, mutation, subjectId: op.id, variables: { id: op.gid } });
    });
    if (done) {
      metrics().operations.inc({ type: this.type, outcome: "succeeded" });
      logPaymentEvent("operation.succeeded", { ...this.ids(), amount, outcome: details.simulated ? "simulated" : "done at ECPay" });
    }
    return done ? "succeeded" : "deferred";
  }

  /** One transaction: the operation's final state, the payment's figures and the queued mutation. */
  private async finish(
    data: { status: "SUCCEEDED" | "FAILED"; simulated?: boolean; rejectCode: string | null; merchantMessage: string | null },
    effects: (tx: Tx) => Promise<void>,
  ): Promise<boolean> {
    const finished = await this.deps.db.$transaction(async (tx) => {
      const { count } = await tx.operationSession.updateMany({
        where: this.lease.where,
        data: { ...data, attempts: this.op.attempts + 1, lockedUntil: null, ecpayLog: this.log.length > 0 ? JSON.stringify(this.log) : null },
      });
      if (count === 0) return false;
      await effects(tx);
      return true;
    });
    if (finished) notifyOutbox();
    return finished;
  }
}

function parseLog(json: string | null): EcpayLogEntry[] {
  if (!json) return [];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? (value as EcpayLogEntry[]) : [];
  } catch {
    return [];
  }
}
