// An operation's lease (OperationSession.lockedUntil), taken through the shared mechanism
// (lib/lease.server.ts). Every write of a run is conditional on the lease it last wrote, so a run
// whose lease another instance took over (it stalled longer than the lease) changes nothing more:
// to the rest of the system it is a crashed run.
import type { Deps } from "../ports";
import { claimOne, leaseFree, newClaim, renewClaim, type Claim, type LeaseTable } from "../../lib/lease.server";

/**
 * It is renewed before every ECPay call, so it only has to outlast one call (the gateway's 10 s
 * timeout) and the writes around it; a crashed instance's operation is taken over within this time.
 */
export const OPERATION_LEASE_MS = 30_000;

/** This run's hold on one operation: the lockedUntil value it last wrote. */
export class OperationLease {
  constructor(
    readonly id: string,
    private claim: Claim,
  ) {}

  get until(): Date {
    return this.claim.until;
  }

  /** The row, still RECEIVED and still held by this run. */
  get where() {
    return { id: this.id, status: "RECEIVED" as const, lockedUntil: this.claim.until };
  }

  /** The lease this run writes next: OPERATION_LEASE_MS from `now`. Call `renewed` once it is written. */
  next(now: Date): Claim {
    return renewClaim(this.claim, now, OPERATION_LEASE_MS);
  }

  renewed(claim: Claim): void {
    this.claim = claim;
  }
}

export class LeaseLost extends Error {
  constructor(id: string) {
    super(`operation ${id}: another instance took the lease over`);
  }
}

/**
 * No column names the holder, so an operation is claimed one at a time (claimOne): the update's
 * count says whether the row is ours.
 */
function operationLeaseTable(deps: Pick<Deps, "db">): Pick<LeaseTable<string, never>, "take"> {
  return {
    take: async ([id], claim) => {
      const { count } = await deps.db.operationSession.updateMany({ where: { id, status: "RECEIVED", ...leaseFree(claim.at) }, data: { lockedUntil: claim.until } });
      return count;
    },
  };
}

/** Take the next due operation whose lease is free, skipping payments in `busy`. */
export async function claimNextOperation(deps: Pick<Deps, "db" | "now">, busy: ReadonlySet<string>): Promise<{ lease: OperationLease; paymentSessionId: string } | null> {
  const now = deps.now();
  const candidates = await deps.db.operationSession.findMany({
    where: { status: "RECEIVED", nextAttemptAt: { lte: now }, ...leaseFree(now), ...(busy.size > 0 && { paymentSessionId: { notIn: [...busy] } }) },
    orderBy: { nextAttemptAt: "asc" },
    take: 5,
    select: { id: true, paymentSessionId: true },
  });
  const table = operationLeaseTable(deps);
  for (const { id, paymentSessionId } of candidates) {
    const claim = newClaim(now, OPERATION_LEASE_MS);
    if (await claimOne(table, id, claim)) return { lease: new OperationLease(id, claim), paymentSessionId };
  }
  return null;
}
