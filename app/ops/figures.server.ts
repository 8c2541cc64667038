// The figures an operator watches (README "Operating"): one function, read by /metrics before each
// scrape and printed by `ops doctor`, so the two never disagree. Every query is a count or a single
// row on an indexed column.
import type { PrismaClient } from "@prisma/client";

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface OperationalFigures {
  outboxPending: number;
  outboxFailed: number;
  /** Age of the oldest PENDING Shopify mutation, 0 when none. */
  outboxOldestAgeSeconds: number;
  /** Refund, capture and void sessions received and not finished. */
  operationsPending: number;
  /** Paid card sales still waiting for their close (DoAction C). */
  closesPending: number;
  /** ECPay attempts without a result: created, or an ATM account issued and unpaid. */
  attemptsAwaiting: number;
  /**
   * How far the reconciler is behind: the time since the oldest attempt that is past the grace
   * period and was never queried became due (0 when none). A running reconciler keeps it near 0.
   */
  reconcilerLagSeconds: number;
}

const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));

export async function operationalFigures(db: PrismaClient, now: Date, options: { reconcileGraceMs: number }): Promise<OperationalFigures> {
  const dueBefore = new Date(now.getTime() - options.reconcileGraceMs);
  const [outboxPending, outboxFailed, oldestPending, operationsPending, closesPending, attemptsAwaiting, oldestUnqueried] = await Promise.all([
    db.outboxMessage.count({ where: { status: "PENDING" } }),
    db.outboxMessage.count({ where: { status: "FAILED" } }),
    db.outboxMessage.findFirst({ where: { status: "PENDING" }, orderBy: { createdAt: "asc" }, select: { createdAt: true } }),
    db.operationSession.count({ where: { status: "RECEIVED" } }),
    db.paymentAttempt.count({ where: { closePending: true } }),
    db.paymentAttempt.count({ where: { status: { in: ["CREATED", "ISSUED"] } } }),
    db.paymentAttempt.findFirst({
      where: { status: "CREATED", lastQueriedAt: null, createdAt: { lt: dueBefore } },
      orderBy: { createdAt: "asc" },
      select: { createdAt: true },
    }),
  ]);
  return {
    outboxPending,
    outboxFailed,
    outboxOldestAgeSeconds: oldestPending ? seconds(now.getTime() - oldestPending.createdAt.getTime()) : 0,
    operationsPending,
    closesPending,
    attemptsAwaiting,
    reconcilerLagSeconds: oldestUnqueried ? seconds(now.getTime() - oldestUnqueried.createdAt.getTime() - options.reconcileGraceMs) : 0,
  };
}
