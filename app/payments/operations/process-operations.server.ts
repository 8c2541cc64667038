// The background half of refund, capture and void: claim due operations, apply the registry's
// rules, call ECPay (or simulate it for test sessions), and record the outcome together with the
// Shopify mutation that reports it. Safe to run from several server instances at once.
import type { EcpayBinding, OperationSession, PaymentAttempt, PaymentSession } from "@prisma/client";
import { bilingual, resolveLocale, t } from "../../i18n";
import type { EcpayError } from "../../ecpay/types";
import { enqueue, notifyOutbox } from "../outbox.server";
import { backoffMs } from "../../lib/backoff";
import type { Tx } from "../../db.server";
import { chaosPoint } from "../../lib/chaos.server";
import { log, logPaymentEvent } from "../../lib/log.server";
import { metrics } from "../../lib/metrics.server";
import { creditCheckCode, productionCredentials } from "../bindings.server";
import type { Deps } from "../ports";
import { getMethod, isMethodHandle } from "../methods";
import { nextStatus } from "../payment-state";
import { doActionPausedUntil } from "./close-window";
import { executePlan } from "./execute-plan";
import { addFlag } from "../settlement.server";
import { cardStateFromEcpay, clsamtBeforeUnresolvedRefund, clsamtOf, completedAtEcpay, planOperation, unresolvedAction, type CardView } from "./plan";
import { capturedAmountOf, checkOperationRules } from "./rules";
import { authorizedAmountOf, bindingForTrade, paidAttempt } from "./trade.server";
import { asCardState, CLOSING, type CardState, type EcpayLogEntry, type OperationType, type Rejection } from "./types";

/**
 * An operation's lease. It is renewed before every ECPay call, so it only has to outlast one call
 * (the gateway's 10 s timeout) and the writes around it; a crashed instance's operation is taken
 * over within this time.
 */
export const OPERATION_LEASE_MS = 30_000;
/** A pending close's lease (processPendingCloses) older than this is abandoned. */
export const CLOSE_LOCK_MS = 60_000;
/** After a day of ECPay being unreachable, tell the merchant instead of retrying silently. */
const MAX_RETRY_AGE_MS = 24 * 3600_000;
const BUSY_DELAY_MS = 2_000;
const RATE_LIMIT_DELAY_MS = 60_000;
const ERROR_DELAY_MS = 5_000;

export interface OperationReport {
  succeeded: number;
  failed: number;
  /** ECPay was unreachable or busy: the operation stays RECEIVED and is retried later. */
  retried: number;
  /** Not started: another operation on the same payment is running, or ECPay's close window. */
  deferred: number;
}

type Outcome = keyof OperationReport;

type OperationRow = OperationSession & { paymentSession: PaymentSession & { attempts: PaymentAttempt[] } };

const TYPE_OF: Record<OperationSession["type"], OperationType> = { REFUND: "refund", CAPTURE: "capture", VOID: "void" };

/**
 * This run's hold on one operation: the lockedUntil value it last wrote. Every write of the run is
 * conditional on it, so a run whose lease another instance took over (it stalled longer than the
 * lease) changes nothing more: to the rest of the system it is a crashed run.
 */
class Lease {
  constructor(
    readonly id: string,
    public until: Date,
  ) {}

  /** The row, still RECEIVED and still held by this run. */
  get where() {
    return { id: this.id, status: "RECEIVED" as const, lockedUntil: this.until };
  }
}

class LeaseLost extends Error {
  constructor(id: string) {
    super(`operation ${id}: another instance took the lease over`);
  }
}

/** Take the next due operation whose lease is free, skipping payments in `busy`. */
async function claimNext(deps: Deps, busy: ReadonlySet<string>): Promise<{ lease: Lease; paymentSessionId: string } | null> {
  const now = deps.now();
  const unlocked = [{ lockedUntil: null }, { lockedUntil: { lt: now } }];
  const candidates = await deps.db.operationSession.findMany({
    where: { status: "RECEIVED", nextAttemptAt: { lte: now }, OR: unlocked, ...(busy.size > 0 && { paymentSessionId: { notIn: [...busy] } }) },
    orderBy: { nextAttemptAt: "asc" },
    take: 5,
    select: { id: true, paymentSessionId: true },
  });
  for (const { id, paymentSessionId } of candidates) {
    const until = new Date(now.getTime() + OPERATION_LEASE_MS);
    const { count } = await deps.db.operationSession.updateMany({ where: { id, status: "RECEIVED", OR: unlocked }, data: { lockedUntil: until } });
    if (count === 1) return { lease: new Lease(id, until), paymentSessionId };
  }
  return null;
}

/** Process the refund, capture and void sessions that are due. Call it every second or so. */
export async function processDueOperations(deps: Deps, options: { limit?: number } = {}): Promise<OperationReport> {
  const report: OperationReport = { succeeded: 0, failed: 0, retried: 0, deferred: 0 };
  // One payment at most once per batch: the next operation on it waits for the next run.
  const seen = new Set<string>();
  // Sequential on purpose, and claimed one at a time so that no lease ticks away in a queue:
  // operations on one payment must not interleave, and ECPay rate-limits.
  for (let n = 0; n < (options.limit ?? 10); n++) {
    const claimed = await claimNext(deps, seen);
    if (!claimed) break;
    seen.add(claimed.paymentSessionId);
    const { lease } = claimed;
    let outcome: Outcome;
    try {
      outcome = await processOne(deps, lease);
    } catch (error) {
      if (error instanceof LeaseLost) {
        // Treated as a crash: the instance that holds the lease now reads our log and goes on.
        log().warn({ operationId: lease.id }, error.message);
        outcome = "deferred";
      } else {
        // A bug or a database hiccup: it stays RECEIVED and is tried again shortly. Any DoAction
        // already sent is in the log as "sent" or answered, so the retry never repeats it blindly.
        log().error({ operationId: lease.id, err: error }, "operation run failed; retrying shortly");
        await deps.db.operationSession
          .updateMany({ where: lease.where, data: { lockedUntil: null, nextAttemptAt: new Date(deps.now().getTime() + ERROR_DELAY_MS) } })
          .catch(() => undefined);
        outcome = "retried";
      }
    }
    report[outcome] += 1;
  }
  return report;
}

/** Everything one run of one operation needs, and the log it writes as it goes. */
class Run {
  readonly log: EcpayLogEntry[];
  readonly type: OperationType;

  constructor(
    readonly deps: Deps,
    readonly op: OperationRow,
    readonly lease: Lease,
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
  async saveLog(attempt?: { merchantTradeNo: string; cardState: CardState | null }): Promise<void> {
    const until = new Date(this.deps.now().getTime() + OPERATION_LEASE_MS);
    const { count } = await this.deps.db.operationSession.updateMany({ where: this.lease.where, data: { ecpayLog: JSON.stringify(this.log), lockedUntil: until } });
    if (count === 0) throw new LeaseLost(this.op.id);
    this.lease.until = until;
    if (attempt) {
      await this.deps.db.paymentAttempt.update({ where: { merchantTradeNo: attempt.merchantTradeNo }, data: { cardState: attempt.cardState } });
    }
  }

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

  messageFor(rejection: Rejection): string {
    const locale = this.payment.merchantLocale;
    return locale ? t(resolveLocale(locale), rejection.message, rejection.vars) : bilingual(rejection.message, rejection.vars);
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

  async succeed(amount: number, details: { simulated: boolean; attempt: { merchantTradeNo: string; cardState: CardState | null } | null }): Promise<Outcome> {
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

async function processOne(deps: Deps, lease: Lease): Promise<Outcome> {
  const op = await deps.db.operationSession.findUnique({ where: { id: lease.id }, include: { paymentSession: { include: { attempts: true } } } });
  if (!op || op.status !== "RECEIVED") return "deferred";
  const run = new Run(deps, op, lease);
  const now = deps.now();

  // One operation per payment at a time: two refunds must not both see the same refundable rest.
  const busy = await deps.db.operationSession.count({
    where: { paymentSessionId: op.paymentSessionId, id: { not: op.id }, status: "RECEIVED", lockedUntil: { gt: now } },
  });
  if (busy > 0) return run.release(new Date(now.getTime() + BUSY_DELAY_MS + Math.round(Math.random() * BUSY_DELAY_MS)));

  if (!isMethodHandle(op.method)) return run.reject({ code: "PROCESSING_ERROR", message: "operation.ecpayRefused", vars: { detail: `unknown method ${op.method}` } });
  const method = getMethod(op.method);
  const payment = op.paymentSession;
  const attempt = paidAttempt(payment.attempts);
  const decision = checkOperationRules({
    type: run.type,
    method,
    amount: op.amount,
    amountRaw: op.amountRaw,
    currency: op.currency,
    payment,
    trade: attempt,
    now,
  });
  if (!decision.ok) return run.reject(decision.rejection);

  if (payment.test || attempt?.stage) {
    // ECPay's stage has no DoAction (ecpay-aio §4.1): the test operation completes without it.
    run.log.push({ at: run.now(), call: "simulated", note: "test session: ECPay stage has no DoAction, nothing was sent" });
    const cardState = attempt ? simulatedCardState(run.type, decision.full, asCardState(attempt.cardState)) : null;
    return run.succeed(decision.amount, { simulated: true, attempt: attempt ? { merchantTradeNo: attempt.merchantTradeNo, cardState } : null });
  }

  const binding = await bindingForTrade(deps.db, op.shop, op.method, attempt?.merchantId ?? null);
  if (!binding) return run.reject({ code: "PROCESSING_ERROR", message: "operation.notBound" });
  if (!attempt?.tradeNo) return run.reject({ code: "PROCESSING_ERROR", message: "operation.noTrade" });
  const paused = doActionPausedUntil(now);
  if (paused) return run.release(paused);

  let trade = attempt;
  if (run.type === "refund" && trade.closePending) {
    const taken = await takeOverPendingClose(deps, trade);
    if (!taken) return run.release(new Date(now.getTime() + BUSY_DELAY_MS));
    trade = taken;
  }
  return runAtEcpay(run, { decision, binding, trade });
}

function simulatedCardState(type: OperationType, full: boolean, before: CardState | null): CardState | null {
  if (type === "capture") return "CLOSE_REQUESTED";
  if (type === "void") return "ABANDONED";
  return full && before === "AUTHORIZED" ? "ABANDONED" : before;
}

/**
 * A refund arrived before the sale's automatic close ran: take the close over so that it cannot
 * run behind the refund's back. Null while a close is in flight (try again shortly).
 */
async function takeOverPendingClose(deps: Deps, attempt: PaymentAttempt): Promise<PaymentAttempt | null> {
  const staleLease = new Date(deps.now().getTime() - CLOSE_LOCK_MS);
  const { count } = await deps.db.paymentAttempt.updateMany({
    where: {
      merchantTradeNo: attempt.merchantTradeNo,
      closePending: true,
      OR: [{ cardState: null }, { cardState: { not: CLOSING } }, { cardState: CLOSING, updatedAt: { lt: staleLease } }],
    },
    data: { closePending: false, cardState: "AUTHORIZED", closeError: null },
  });
  const fresh = await deps.db.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: attempt.merchantTradeNo } });
  if (count === 1) return fresh;
  return fresh.closePending ? null : fresh;
}

interface EcpayWork {
  decision: { amount: number; full: boolean };
  binding: EcpayBinding;
  trade: PaymentAttempt;
}

async function runAtEcpay(run: Run, work: EcpayWork): Promise<Outcome> {
  const { deps, payment } = run;
  const { trade, decision } = work;
  const tradeNo = trade.tradeNo as string;
  const credentials = productionCredentials(deps.secrets, work.binding);
  const checkCode = creditCheckCode(deps.secrets, work.binding);
  const authorized = authorizedAmountOf(trade);
  const unresolved = unresolvedAction(run.log);
  const canQuery = checkCode !== null && trade.gwsr !== null;
  const tradeRef = (cardState: CardState | null) => ({ merchantTradeNo: trade.merchantTradeNo, cardState });

  // An earlier run carried every DoAction out and then could not record it (a lost database
  // connection, a crash): ECPay's state now shows the operation done, and planning from it again
  // would repeat a refund or report a capture that happened as failed. Record it instead.
  const completed = completedAtEcpay(run.log);
  if (completed) return run.succeed(decision.amount, { simulated: false, attempt: tradeRef(completed.cardState) });

  let view: CardView = { source: "record", state: asCardState(trade.cardState) };
  if (canQuery) {
    const queried = await deps.ecpay.queryCreditDetail(credentials, { creditRefundId: trade.gwsr as string, creditAmount: authorized, creditCheckCode: checkCode });
    if (queried.isOk()) {
      const clsamt = clsamtOf(queried.value.fields);
      run.log.push({ at: run.now(), call: "QueryTrade/V2", outcome: "ok", status: queried.value.status, ...(clsamt !== null && { clsamt }) });
      view = { source: "ecpay", status: queried.value.status, clsamt };
    } else {
      run.log.push({ at: run.now(), call: "QueryTrade/V2", outcome: queried.error.kind, error: queried.error.message });
      if (queried.error.kind === "indeterminate" || queried.error.kind === "rate-limited") return run.retry(queried.error, unresolved === "R");
      // The check code may be wrong while the keys are right: go on with what we recorded.
    }
  }

  const plan = planOperation({
    type: run.type,
    amount: decision.amount,
    full: decision.full,
    authorized,
    captured: capturedAmountOf(payment),
    refunded: payment.refundedAmount,
    unionPay: trade.unionPay,
    view,
    unresolved,
    clsamtBeforeUnresolved: unresolved === "R" ? clsamtBeforeUnresolvedRefund(run.log) : null,
  });
  const startState = view.source === "ecpay" ? ecpayCardState(view.status) ?? asCardState(trade.cardState) : view.state;
  switch (plan.kind) {
    case "done":
      return run.succeed(decision.amount, { simulated: false, attempt: tradeRef(doneState(run.type, decision.full, startState)) });
    case "reject":
      return run.reject(plan.rejection);
    case "wait":
      return run.retry({ kind: "indeterminate", message: plan.reason }, unresolved === "R");
    case "run":
      break;
  }

  const result = await executePlan({
    gateway: deps.ecpay,
    credentials,
    trade: { merchantTradeNo: trade.merchantTradeNo, tradeNo },
    startState,
    log: run.log,
    now: () => run.now(),
    persist: (cardState) => {
      // A DoAction succeeded and nothing recorded it yet: the worst moment to crash.
      if (cardState !== undefined) chaosPoint("operation-done-at-ecpay", `${run.type} ${run.op.id}`);
      return run.saveLog(cardState === undefined ? undefined : { merchantTradeNo: trade.merchantTradeNo, cardState });
    },
  }, plan.first);
  if (result.ok) return run.succeed(decision.amount, { simulated: false, attempt: tradeRef(result.state) });

  const { error } = result;
  const reclose = run.type === "refund" && result.state === "AUTHORIZED" && capturedAmountOf(payment) > 0;
  switch (error.kind) {
    case "indeterminate":
      if (result.action === "R" && !canQuery) {
        return run.reject({ code: "PROCESSING_ERROR", message: "operation.unknownOutcome" }, { merchantTradeNo: trade.merchantTradeNo, reclose });
      }
      return run.retry(error, result.action === "R");
    case "rate-limited":
      return run.retry(error, false);
    case "wrong-credentials":
      return run.reject({ code: "PROCESSING_ERROR", message: "operation.ecpayWrongCredentials" }, { merchantTradeNo: trade.merchantTradeNo, reclose });
    default: {
      const rejection: Rejection =
        unresolved !== null
          ? { code: "PROCESSING_ERROR", message: "operation.unknownOutcome" }
          : run.type === "capture" && /overDate|逾期|過期|expired/i.test(error.message)
            ? { code: "AUTHORIZATION_EXPIRED", message: "capture.expired" }
            : { code: "PROCESSING_ERROR", message: "operation.ecpayRefused", vars: { detail: error.message } };
      return run.reject(rejection, { merchantTradeNo: trade.merchantTradeNo, reclose });
    }
  }
}

function ecpayCardState(status: string): CardState | null {
  const state = cardStateFromEcpay(status);
  return state === "IN_FLUX" ? null : state;
}

function doneState(type: OperationType, full: boolean, state: CardState | null): CardState | null {
  if (type === "capture") return state ?? "CLOSE_REQUESTED";
  if (type === "void") return "ABANDONED";
  return full && state === "ABANDONED" ? "ABANDONED" : state;
}
