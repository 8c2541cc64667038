// The orchestrator: one claimed operation from its row to its outcome. It checks what holds for
// every case (one operation per payment at a time, the registry's rules, an ECPay account and
// trade, ECPay's close window), then picks the strategy for the case (strategies/) and runs it.
import type { PaymentAttempt } from "@prisma/client";
import { creditCheckCode, productionCredentials } from "../bindings.server";
import type { Deps } from "../ports";
import { getMethod, isMethodHandle } from "../methods";
import { lookAtCard } from "./card-view.server";
import { doActionPausedUntil } from "./close-window";
import { takeOverPendingClose } from "./close-lease.server";
import type { OperationLease } from "./operation-lease.server";
import { completedAtEcpay, unresolvedAction } from "./plan";
import { checkOperationRules } from "./rules";
import { Run, type Outcome } from "./run.server";
import { alreadyDoneStrategy } from "./strategies/already-done.server";
import { strategyFor } from "./strategies/choose";
import type { EcpayContext, OperationContext } from "./strategies/context";
import { simulatedStrategy } from "./strategies/simulated.server";
import { authorizedAmountOf, bindingForTrade, paidAttempt } from "./trade.server";

const BUSY_DELAY_MS = 2_000;

/** Run one claimed operation. Throws LeaseLost when another instance took the lease over. */
export async function processOne(deps: Deps, lease: OperationLease): Promise<Outcome> {
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
  const payment = op.paymentSession;
  const attempt = paidAttempt(payment.attempts);
  const decision = checkOperationRules({
    type: run.type,
    method: getMethod(op.method),
    amount: op.amount,
    amountRaw: op.amountRaw,
    currency: op.currency,
    payment,
    trade: attempt,
    now,
  });
  if (!decision.ok) return run.reject(decision.rejection);
  const base: OperationContext = { run, decision, attempt };

  if (payment.test || attempt?.stage) return simulatedStrategy.execute(base);

  const binding = await bindingForTrade(deps.db, op.shop, op.method, attempt?.merchantId ?? null);
  if (!binding) return run.reject({ code: "PROCESSING_ERROR", message: "operation.notBound" });
  if (!attempt?.tradeNo) return run.reject({ code: "PROCESSING_ERROR", message: "operation.noTrade" });
  const paused = doActionPausedUntil(now);
  if (paused) return run.release(paused);

  let trade: PaymentAttempt = attempt;
  if (run.type === "refund" && trade.closePending) {
    const taken = await takeOverPendingClose(deps, trade);
    if (!taken) return run.release(new Date(now.getTime() + BUSY_DELAY_MS));
    trade = taken;
  }
  const checkCode = creditCheckCode(deps.secrets, binding);
  const ecpay: EcpayContext = {
    ...base,
    trade: { ...trade, tradeNo: trade.tradeNo ?? attempt.tradeNo },
    binding,
    credentials: productionCredentials(deps.secrets, binding),
    checkCode,
    authorized: authorizedAmountOf(trade),
    unresolved: unresolvedAction(run.log),
    canQuery: checkCode !== null && trade.gwsr !== null,
  };

  const completed = completedAtEcpay(run.log);
  if (completed) return alreadyDoneStrategy.execute({ ...ecpay, completed });

  const looked = await lookAtCard(ecpay);
  if (!looked.ok) return looked.outcome;
  const { ctx } = looked;
  return strategyFor({ type: run.type, unionPay: ctx.trade.unionPay, startState: ctx.startState }).execute(ctx);
}
