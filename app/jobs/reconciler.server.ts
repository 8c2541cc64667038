// Nothing stuck (DESIGN §3): attempts whose notification never came are settled from ECPay's
// QueryTradeInfo; ATM accounts past their deadline are checked once more, then expired; card
// authorizations close to ECPay's 21-day limit are flagged for the merchant.
import type { Deps } from "../payments/deps.server";
import { expireAtm } from "../payments/settlement.server";
import { settleFromTradeQuery } from "../payments/use-cases/settle-from-query.server";

export interface ReconcileOptions {
  /** ECPay advises querying about 10 minutes after a card/TWQR payment without a notification. */
  graceMs?: number;
  limit?: number;
  /** Pause between two ECPay queries (ECPay throttles eager callers with 403). */
  spacingMs?: number;
}

export interface ReconcileReport {
  queried: number;
  settled: number;
  failed: number;
  abandoned: number;
  atmExpired: number;
  authorizationsFlagged: number;
  errors: number;
}

const REQUERY_MS = 5 * 60_000;
const ABANDONED_AFTER_MS = 24 * 3600_000;
const EXPIRING_WITHIN_MS = 2 * 24 * 3600_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function reconcileOnce(deps: Deps, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const graceMs = options.graceMs ?? Number(process.env.RECONCILE_GRACE_MS ?? 10 * 60_000);
  const limit = options.limit ?? 20;
  const spacingMs = options.spacingMs ?? 250;
  const now = deps.now();
  const report: ReconcileReport = { queried: 0, settled: 0, failed: 0, abandoned: 0, atmExpired: 0, authorizationsFlagged: 0, errors: 0 };

  const stale = await deps.db.paymentAttempt.findMany({
    where: {
      status: "CREATED",
      createdAt: { lt: new Date(now.getTime() - graceMs) },
      OR: [{ lastQueriedAt: null }, { lastQueriedAt: { lt: new Date(now.getTime() - REQUERY_MS) } }],
    },
    include: { paymentSession: true },
    orderBy: { createdAt: "asc" },
    take: limit,
  });
  for (const { paymentSession, ...attempt } of stale) {
    report.queried += 1;
    const outcome = await settleFromTradeQuery(deps, attempt, paymentSession);
    if (outcome === "settled") report.settled += 1;
    else if (outcome === "failed") report.failed += 1;
    else if (outcome === "error") report.errors += 1;
    else if (now.getTime() - attempt.createdAt.getTime() > ABANDONED_AFTER_MS) {
      // The buyer left ECPay's page a day ago: stop asking.
      await deps.db.paymentAttempt.update({
        where: { merchantTradeNo: attempt.merchantTradeNo },
        data: { status: "FAILED", rtnMsg: "abandoned: still unpaid after 24 hours" },
      });
      report.abandoned += 1;
    }
    if (spacingMs > 0) await sleep(spacingMs);
  }

  const overdue = await deps.db.paymentSession.findMany({
    where: { status: "PENDING", pendingExpiresAt: { lt: now } },
    include: { attempts: { where: { status: "ISSUED" }, orderBy: { createdAt: "desc" }, take: 1 } },
    take: limit,
  });
  for (const { attempts, ...session } of overdue) {
    const attempt = attempts[0] ?? null;
    if (attempt) {
      report.queried += 1;
      // A transfer may have arrived with its notification lost: look before expiring.
      const outcome = await settleFromTradeQuery(deps, { ...attempt, status: "CREATED" }, session);
      if (outcome === "settled") {
        report.settled += 1;
        continue;
      }
      if (outcome === "error") {
        report.errors += 1;
        continue;
      }
    }
    const expired = await deps.db.$transaction(async (tx) => {
      const fresh = await tx.paymentSession.findUniqueOrThrow({ where: { id: session.id } });
      const freshAttempt = attempt ? await tx.paymentAttempt.findUnique({ where: { merchantTradeNo: attempt.merchantTradeNo } }) : null;
      return expireAtm(tx, fresh, freshAttempt);
    });
    if (expired) report.atmExpired += 1;
  }

  const { count } = await deps.db.paymentSession.updateMany({
    where: { status: "AUTHORIZED", flag: null, authorizationExpiresAt: { lt: new Date(now.getTime() + EXPIRING_WITHIN_MS) } },
    data: { flag: "AUTHORIZATION_EXPIRING" },
  });
  report.authorizationsFlagged = count;
  return report;
}
