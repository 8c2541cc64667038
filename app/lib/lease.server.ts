// The one lease/claim mechanism of the background workers: outbox delivery, refund/capture/void
// operations, pending card closes and the reconciler's queries all take their rows through it.
//
// A claim is one atomic conditional UPDATE that writes the claim only on the rows whose lease is
// free (never taken, or expired), followed by a read of what this claim now holds. The database
// applies the UPDATE row by row under its own lock (SQLite: one writer at a time; PostgreSQL: the
// row lock re-evaluates the condition), so of two workers claiming one row exactly one matches the
// condition: that is what makes it safe with several server instances. Each table states what
// "free" and "held" mean for its own columns (LeaseTable); the protocol is the same for all.
import { randomUUID } from "node:crypto";

/** One worker's claim: written on the rows it takes, and how it recognizes them afterwards. */
export interface Claim {
  /** Unique to this claim, so a worker tells its rows apart from another's that claimed at the same instant. */
  readonly token: string;
  /** When it was taken: the "now" against which a lease counts as expired. */
  readonly at: Date;
  /** When it lapses: from then on another worker may take the rows over. */
  readonly until: Date;
}

export function newClaim(now: Date, leaseMs: number, workerId = "worker"): Claim {
  return { token: `${workerId}:${randomUUID()}`, at: now, until: new Date(now.getTime() + leaseMs) };
}

/** The same claim, extended to `leaseMs` from `now` (a worker renews before a long step). */
export function renewClaim(claim: Claim, now: Date, leaseMs: number): Claim {
  return { ...claim, at: now, until: new Date(now.getTime() + leaseMs) };
}

/** How one table keeps its lease. */
export interface LeaseTable<Key, Row> {
  /**
   * The atomic conditional update: write `claim` on the rows among `keys` whose lease is free at
   * `claim.at` (and that are still due); returns how many rows it changed.
   */
  take(keys: readonly Key[], claim: Claim): Promise<number>;
  /**
   * The rows among `keys` that `claim` holds now. It must recognize the claim by something only
   * this claim wrote (its token); a table without such a column claims one row at a time with
   * `claimOne`, where the update's count says whether the row is ours.
   */
  heldBy?(keys: readonly Key[], claim: Claim): Promise<Row[]>;
}

/** Claim a batch: the rows among `keys` this claim got (another worker may have taken some). */
export async function claimBatch<Key, Row>(table: LeaseTable<Key, Row> & Required<Pick<LeaseTable<Key, Row>, "heldBy">>, keys: readonly Key[], claim: Claim): Promise<Row[]> {
  if (keys.length === 0) return [];
  const taken = await table.take(keys, claim);
  if (taken === 0) return [];
  return table.heldBy(keys, claim);
}

/** Claim one row: true when this claim holds it now (the conditional update changed it). */
export async function claimOne<Key>(table: Pick<LeaseTable<Key, unknown>, "take">, key: Key, claim: Claim): Promise<boolean> {
  return (await table.take([key], claim)) === 1;
}

/**
 * The usual lease column, `lockedUntil`: free when never set or already past. Spread it into a
 * Prisma where (`{ ...leaseFree(now), id }`) of any table that has the column.
 */
export function leaseFree(now: Date) {
  return { OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] };
}
