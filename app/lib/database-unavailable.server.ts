// A request that failed because the database was unreachable (a restart, a failover, connections
// terminated, a lock held past the busy timeout) is an outage, not a defect: it is answered 503 with
// Retry-After (server.ts) so Shopify, ECPay and load balancers retry and operators can tell the two
// apart. Nothing was acknowledged, so a retry is always safe.

/** Prisma: cannot reach / timed out / operations timed out / connection closed / pool timeout / deadlock. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2034"]);
/** PostgreSQL SQLSTATEs: connection exceptions (08…), shutdown (57P01-03), too many connections, serialization, deadlock, lock not available. */
const SQLSTATE = /^(08\w{3}|57P0[123]|53300|40001|40P01|55P03)$/;
const MESSAGE =
  /Connection terminated|connection (?:lost|closed|refused)|ECONNREFUSED|ECONNRESET|database is locked|SQLITE_BUSY|Operation has timed out|Can't reach database server|Timed out fetching a new connection/i;

function fieldsOf(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = fieldsOf(queue.shift());
    if (!current || seen.has(current)) continue;
    seen.add(current);
    if (current.name === "PrismaClientInitializationError") return true;
    for (const key of ["code", "originalCode"] as const) {
      const code = current[key];
      if (typeof code === "string" && (PRISMA_CODES.has(code) || SQLSTATE.test(code))) return true;
    }
    for (const key of ["message", "originalMessage"] as const) {
      const message = current[key];
      if (typeof message === "string" && MESSAGE.test(message)) return true;
    }
    // Prisma wraps driver adapter errors in meta.driverAdapterError.cause.
    const meta = fieldsOf(current.meta);
    queue.push(current.cause, meta?.driverAdapterError);
  }
  return false;
}

/** The Remix load context server.ts provides: how a route's failure reaches Express's answer. */
export interface OutageReporter {
  markDatabaseUnavailable(): void;
}

/** Remix's handleError: remember that this request failed for want of a database. */
export function reportDatabaseUnavailable(context: unknown): void {
  const mark = fieldsOf(context)?.markDatabaseUnavailable;
  if (typeof mark === "function") (mark as OutageReporter["markDatabaseUnavailable"])();
}
