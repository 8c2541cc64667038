// The lease on a trade's pending close (PaymentAttempt.cardState = CLOSING, taken at updatedAt),
// through the shared mechanism (lib/lease.server.ts). processPendingCloses takes it to send the
// close; a refund that arrives first takes it over so that no close runs behind the refund's back.
import type { PaymentAttempt } from "@prisma/client";
import { claimOne, newClaim, type LeaseTable } from "../../lib/lease.server";
import type { Deps } from "../ports";
import { CLOSING } from "./types";

/** A pending close's lease older than this is abandoned (its holder died). */
export const CLOSE_LOCK_MS = 60_000;
/** How long a close that ECPay did not answer waits before the next try. */
export const CLOSE_RETRY_MS = 60_000;

/** Free: no close in flight (cardState is not CLOSING; null needs its own branch in SQL), or its holder died. */
function closeLeaseFree(now: Date) {
  return { OR: [{ cardState: null }, { cardState: { not: CLOSING } }, { cardState: CLOSING, updatedAt: { lt: new Date(now.getTime() - CLOSE_LOCK_MS) } }] };
}

/** Trades whose close is due at `now`: the lease is free and a failed close has waited CLOSE_RETRY_MS. */
export function closeDue(now: Date) {
  return {
    closePending: true,
    AND: [closeLeaseFree(now), { OR: [{ closeError: null }, { updatedAt: { lt: new Date(now.getTime() - CLOSE_RETRY_MS) } }, { cardState: CLOSING }] }],
  };
}

/**
 * Take the close of a trade read as due. The row must also be unchanged since that read (same
 * updatedAt): whatever happened to it since, the candidate read is no longer what is closed.
 */
export async function claimPendingClose(deps: Pick<Deps, "db">, candidate: Pick<PaymentAttempt, "merchantTradeNo" | "updatedAt">, now: Date): Promise<boolean> {
  const table: Pick<LeaseTable<typeof candidate, never>, "take"> = {
    take: async ([row], claim) => {
      const { count } = await deps.db.paymentAttempt.updateMany({
        where: { merchantTradeNo: row.merchantTradeNo, updatedAt: row.updatedAt, ...closeDue(claim.at) },
        data: { cardState: CLOSING, updatedAt: claim.at },
      });
      return count;
    },
  };
  return claimOne(table, candidate, newClaim(now, CLOSE_LOCK_MS));
}

/**
 * A refund arrived before the sale's automatic close ran: take the close over (and give it up at
 * once: the refund's plan decides what to close). Null while a close is in flight (try again shortly).
 */
export async function takeOverPendingClose(deps: Deps, attempt: Pick<PaymentAttempt, "merchantTradeNo">): Promise<PaymentAttempt | null> {
  const table: Pick<LeaseTable<string, never>, "take"> = {
    take: async ([merchantTradeNo], claim) => {
      const { count } = await deps.db.paymentAttempt.updateMany({
        where: { merchantTradeNo, closePending: true, ...closeLeaseFree(claim.at) },
        data: { closePending: false, cardState: "AUTHORIZED", closeError: null },
      });
      return count;
    },
  };
  const taken = await claimOne(table, attempt.merchantTradeNo, newClaim(deps.now(), CLOSE_LOCK_MS));
  const fresh = await deps.db.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: attempt.merchantTradeNo } });
  if (taken) return fresh;
  return fresh.closePending ? null : fresh;
}
