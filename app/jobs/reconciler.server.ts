// Nothing stuck (DESIGN §3): attempts whose notification never came are settled from ECPay's
// QueryTradeInfo (an ATM account whose PaymentInfoURL was lost is recovered with QueryPaymentInfo
// and reported pending); ATM accounts past their deadline are checked once more, then expired;
// card authorizations close to ECPay's 21-day limit are flagged for the merchant.
//
// Several instances may run this at once (PostgreSQL): each attempt is claimed with a conditional
// update of lastQueriedAt (compare-and-set on the value read) just before it is queried, so one
// instance asks ECPay about it and the others skip it. ECPay answers eager callers with HTTP 403:
// the pass stops at the first 403 and no query is sent before the pause ends.
import type { PaymentAttempt, PaymentSession, Prisma } from "@prisma/client";
import type { Deps } from "../payments/ports";
import { pauseQueries, processQueryPause, queriesPaused, rateLimitPauseMs, type QueryPause } from "../payments/ecpay-query-pause.server";
import { PAYMENT_METHODS, isMethodHandle } from "../payments/methods";
import { abandonedAfterMs as abandonedAfterMsFor, AUTHORIZATION_EXPIRING_WITHIN_MS } from "../payments/time-limits";
import { expireAtm, retryOnSettlementConflict } from "../payments/settlement.server";
import { withFlag, withoutFlag } from "../payments/settlement-rules";
import { settleFromPaymentInfoQuery, settleFromTradeQuery, type QuerySettlement } from "../payments/use-cases/settle-from-query.server";
import { claimOne, newClaim, type LeaseTable } from "../lib/lease.server";
import { log, logPaymentEvent } from "../lib/log.server";

export type { QueryPause };

export interface ReconcileOptions {
  /** ECPay advises querying about 10 minutes after a card/TWQR payment without a notification. */
  graceMs?: number;
  limit?: number;
  /** Pause between two ECPay queries (ECPay throttles eager callers with 403). */
  spacingMs?: number;
  /** How long to send no query after a 403 ("a 30-minute wait", ecpay-aio §6, UNCONFIRMED). */
  rateLimitPauseMs?: number;
  /** Where the pause is kept; the process's own by default. */
  pause?: QueryPause;
}

/** One payment the pass changed, for the operator. */
export interface ReconcileSettlement {
  paymentId: string;
  merchantTradeNo: string;
  /** paid → <session status> | pending (ATM account recovered) | failed | abandoned | expired */
  outcome: string;
}

export interface ReconcileReport {
  queried: number;
  settled: number;
  /** ATM accounts recovered with QueryPaymentInfo (Shopify told pending). */
  issued: number;
  failed: number;
  abandoned: number;
  atmExpired: number;
  authorizationsFlagged: number;
  errors: number;
  /** ECPay answered 403 (now or in an earlier pass): queries are paused until `pausedUntil`. */
  rateLimited: boolean;
  pausedUntil: Date | null;
  settlements: ReconcileSettlement[];
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** A fresh unanswered attempt is asked about every 5 minutes, one older than a day hourly. */
const REQUERY_MS = 5 * MINUTE_MS;
const SLOW_REQUERY_MS = HOUR_MS;
const SLOW_AFTER_MS = DAY_MS;
/** A pending ATM account (issued, unpaid) is asked about hourly: its ReturnURL may be lost too. */
const ISSUED_REQUERY_MS = HOUR_MS;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A method that pays into an issued account (ATM): its PaymentInfoURL may be lost too. */
const paysIntoAccount = (session: Pick<PaymentSession, "method">) => isMethodHandle(session.method) && PAYMENT_METHODS[session.method].pending;

/** How long an unanswered attempt is worth asking about before it counts as abandoned (time-limits.ts). */
export function abandonedAfterMs(session: Pick<PaymentSession, "method">): number {
  return abandonedAfterMsFor({ pending: paysIntoAccount(session) });
}

/**
 * The reconciler's claim, through the shared mechanism (lib/lease.server.ts): lastQueriedAt is the
 * lease, written with the pass's time. It is free for this pass only while nobody has written it
 * since the pass read the attempt (compare-and-set on the value read); when it is due again is the
 * re-query schedule above (REQUERY_MS and the rest), not an expiry.
 */
function queryLease(deps: Deps): Pick<LeaseTable<PaymentAttempt, never>, "take"> {
  return {
    take: async ([attempt], claim) => {
      const { count } = await deps.db.paymentAttempt.updateMany({
        where: { merchantTradeNo: attempt.merchantTradeNo, status: attempt.status, lastQueriedAt: attempt.lastQueriedAt },
        data: { lastQueriedAt: claim.at },
      });
      return count;
    },
  };
}

/** Claim the attempt for this pass: only the instance whose compare-and-set wins queries it. */
function claim(deps: Deps, attempt: PaymentAttempt, now: Date): Promise<boolean> {
  return claimOne(queryLease(deps), attempt, newClaim(now, 0));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function reconcileOnce(deps: Deps, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const graceMs = options.graceMs ?? Number(process.env.RECONCILE_GRACE_MS ?? 10 * MINUTE_MS);
  const limit = options.limit ?? 20;
  const spacingMs = options.spacingMs ?? 250;
  const pauseMs = options.rateLimitPauseMs ?? rateLimitPauseMs();
  const pause = options.pause ?? processQueryPause;
  const now = deps.now();
  const report: ReconcileReport = {
    queried: 0,
    settled: 0,
    issued: 0,
    failed: 0,
    abandoned: 0,
    atmExpired: 0,
    authorizationsFlagged: 0,
    errors: 0,
    rateLimited: false,
    pausedUntil: null,
    settlements: [],
  };
  const paused = () => {
    if (!queriesPaused(pause, deps.now())) return false;
    report.rateLimited = true;
    report.pausedUntil = new Date(pause.until);
    return true;
  };
  /** Counts an ECPay answer; false when it was a 403 and the pass must stop. */
  const record = (outcome: QuerySettlement): boolean => {
    if (outcome === "settled") report.settled += 1;
    else if (outcome === "issued") report.issued += 1;
    else if (outcome === "failed") report.failed += 1;
    else if (outcome === "error") report.errors += 1;
    else if (outcome === "rate-limited") {
      pauseQueries(pause, deps.now(), pauseMs);
      return !paused();
    }
    return true;
  };
  const settledAs = (session: PaymentSession, attempt: PaymentAttempt, outcome: string) => {
    report.settlements.push({ paymentId: session.id, merchantTradeNo: attempt.merchantTradeNo, outcome });
    logPaymentEvent("reconciler.settled", { shop: session.shop, method: session.method, paymentId: session.id, merchantTradeNo: attempt.merchantTradeNo, outcome });
  };
  const paidAs = async (session: PaymentSession, attempt: PaymentAttempt) => {
    const after = await deps.db.paymentSession.findUnique({ where: { id: session.id }, select: { status: true } });
    settledAs(session, attempt, `paid → ${after?.status ?? "?"}`);
  };
  let first = true;
  const beforeQuery = async () => {
    if (!first && spacingMs > 0) await sleep(spacingMs);
    first = false;
    return !paused();
  };

  if (!paused()) {
    const staleWhere: Prisma.PaymentAttemptWhereInput = {
      OR: [
        {
          status: "CREATED",
          createdAt: { lt: new Date(now.getTime() - graceMs) },
          OR: [
            { lastQueriedAt: null },
            { lastQueriedAt: { lt: new Date(now.getTime() - REQUERY_MS) }, createdAt: { gt: new Date(now.getTime() - SLOW_AFTER_MS) } },
            { lastQueriedAt: { lt: new Date(now.getTime() - SLOW_REQUERY_MS) } },
          ],
        },
        {
          status: "ISSUED",
          paymentSession: { status: "PENDING" },
          OR: [{ lastQueriedAt: null }, { lastQueriedAt: { lt: new Date(now.getTime() - ISSUED_REQUERY_MS) } }],
        },
      ],
    };
    // A buyer reloading the payment page makes one attempt per load, and only the last is the one
    // they paid on (if any). Each session's newest due attempt is served first, oldest session
    // first; older attempts of a session get only the budget left, so junk attempts of one
    // session can never starve another session's lost notification.
    const sessions = await deps.db.paymentSession.findMany({
      where: { attempts: { some: staleWhere } },
      include: { attempts: { where: staleWhere, orderBy: { createdAt: "desc" }, take: 1 } },
      orderBy: { createdAt: "asc" },
      take: limit,
    });
    const latest = sessions.flatMap(({ attempts, ...session }) => attempts.map((attempt) => ({ ...attempt, paymentSession: session })));
    const rest =
      latest.length < limit
        ? await deps.db.paymentAttempt.findMany({
            where: { AND: [staleWhere, { merchantTradeNo: { notIn: latest.map((a) => a.merchantTradeNo) } }] },
            include: { paymentSession: true },
            orderBy: { createdAt: "asc" },
            take: limit - latest.length,
          })
        : [];
    const stale = [...latest, ...rest];
    for (const { paymentSession: session, ...attempt } of stale) {
      if (!(await beforeQuery())) break;
      if (!(await claim(deps, attempt, now))) continue;
      report.queried += 1;
      try {
        const outcome = await settleFromTradeQuery(deps, attempt, session, { claimed: true });
        if (!record(outcome)) break;
        if (outcome === "settled") await paidAs(session, attempt);
        if (outcome === "failed") settledAs(session, attempt, "failed");
        if (outcome !== "unpaid" || attempt.status !== "CREATED") continue;
        if (paysIntoAccount(session)) {
          // Unpaid and we never heard PaymentInfoURL: ECPay may have issued an account anyway.
          if (!(await beforeQuery())) break;
          const info = await settleFromPaymentInfoQuery(deps, attempt, session);
          if (!record(info)) break;
          if (info === "issued") {
            settledAs(session, attempt, "pending (ATM account recovered)");
            continue;
          }
        }
        if (now.getTime() - attempt.createdAt.getTime() > abandonedAfterMs(session)) {
          // The buyer left ECPay's page long ago (an ATM account's deadline has passed): stop asking.
          const { count } = await deps.db.paymentAttempt.updateMany({
            where: { merchantTradeNo: attempt.merchantTradeNo, status: "CREATED" },
            data: { status: "FAILED", rtnMsg: `abandoned: still unpaid after ${Math.round(abandonedAfterMs(session) / HOUR_MS)} hours` },
          });
          if (count === 1) {
            report.abandoned += 1;
            settledAs(session, attempt, "abandoned");
          }
        }
      } catch (error) {
        report.errors += 1;
        log().error({ merchantTradeNo: attempt.merchantTradeNo, err: error }, `reconciler: ${errorText(error)}`);
      }
    }
  }

  // Expiring without looking could reject a paid transfer: while paused, wait.
  if (!paused()) {
    const overdue = await deps.db.paymentSession.findMany({
      where: { status: "PENDING", pendingExpiresAt: { lt: now } },
      include: { attempts: { where: { status: "ISSUED" }, orderBy: { createdAt: "desc" }, take: 1 } },
      take: limit,
    });
    for (const { attempts, ...session } of overdue) {
      const attempt = attempts[0] ?? null;
      try {
        if (attempt) {
          if (!(await beforeQuery())) break;
          if (!(await claim(deps, attempt, now))) continue;
          report.queried += 1;
          // A transfer may have arrived with its notification lost: look before expiring.
          const outcome = await settleFromTradeQuery(deps, attempt, session, { claimed: true });
          if (!record(outcome)) break;
          if (outcome === "settled") {
            await paidAs(session, attempt);
            continue;
          }
          if (outcome === "error") continue;
        }
        const expired = await retryOnSettlementConflict(() =>
          deps.db.$transaction(async (tx) => {
            const fresh = await tx.paymentSession.findUniqueOrThrow({ where: { id: session.id } });
            const freshAttempt = attempt ? await tx.paymentAttempt.findUnique({ where: { merchantTradeNo: attempt.merchantTradeNo } }) : null;
            return expireAtm(tx, fresh, freshAttempt);
          }),
        );
        if (expired) {
          report.atmExpired += 1;
          report.settlements.push({ paymentId: session.id, merchantTradeNo: attempt?.merchantTradeNo ?? "-", outcome: "expired" });
          logPaymentEvent("reconciler.expired", { shop: session.shop, method: session.method, paymentId: session.id, ...(attempt && { merchantTradeNo: attempt.merchantTradeNo }), outcome: "expired" });
        }
      } catch (error) {
        report.errors += 1;
        log().error({ paymentId: session.id, err: error }, `reconciler: ATM expiry: ${errorText(error)}`);
      }
    }
  }

  report.authorizationsFlagged = await flagExpiringAuthorizations(deps, now);
  return report;
}

/**
 * Adds AUTHORIZATION_EXPIRING to the flags of authorizations within two days of their expiry,
 * whatever else they are flagged for, and takes it off once they are no longer authorizations
 * (captured or voided). Each write is conditional on the flags read, so a concurrent flag is kept.
 */
async function flagExpiringAuthorizations(deps: Deps, now: Date): Promise<number> {
  const FLAG = "AUTHORIZATION_EXPIRING";
  const expiring = await deps.db.paymentSession.findMany({
    where: {
      status: "AUTHORIZED",
      authorizationExpiresAt: { lt: new Date(now.getTime() + AUTHORIZATION_EXPIRING_WITHIN_MS) },
      OR: [{ flag: null }, { NOT: { flag: { contains: FLAG } } }],
    },
    select: { id: true, flag: true },
    take: 200,
  });
  let flagged = 0;
  for (const session of expiring) {
    const { count } = await deps.db.paymentSession.updateMany({
      where: { id: session.id, status: "AUTHORIZED", flag: session.flag },
      data: { flag: withFlag(session.flag, FLAG) },
    });
    flagged += count;
  }
  const settled = await deps.db.paymentSession.findMany({
    where: { status: { not: "AUTHORIZED" }, flag: { contains: FLAG } },
    select: { id: true, flag: true },
    take: 200,
  });
  for (const session of settled) {
    await deps.db.paymentSession.updateMany({ where: { id: session.id, flag: session.flag }, data: { flag: withoutFlag(session.flag, FLAG) } });
  }
  return flagged;
}

/** What `npm run ops -- reconcile --once` prints: each payment changed, then the counts. */
export function describeReconcileReport(report: ReconcileReport): string[] {
  const lines = report.settlements.map((s) => `settled ${s.paymentId} ${s.merchantTradeNo}: ${s.outcome}`);
  lines.push(
    `queried ${report.queried}: settled ${report.settled}, ATM accounts recovered ${report.issued}, failed ${report.failed}, ` +
      `abandoned ${report.abandoned}, ATM expired ${report.atmExpired}, authorizations flagged ${report.authorizationsFlagged}, errors ${report.errors}`,
  );
  if (report.rateLimited) {
    lines.push(`ECPay refused with HTTP 403 (rate limit): no query before ${report.pausedUntil?.toISOString() ?? "the pause ends"}`);
  }
  return lines;
}
