// The background half of refund, capture and void: the batch loop. It claims due operations one
// at a time (operation-lease.server.ts), hands each to the orchestrator (orchestrator.server.ts),
// which picks the strategy for its case, and counts the outcomes. A run that failed unexpectedly
// stays RECEIVED and is tried again shortly. Safe to run from several server instances at once.
import { log } from "../../lib/log.server";
import type { Deps } from "../ports";
import { claimNextOperation, LeaseLost } from "./operation-lease.server";
import { processOne } from "./orchestrator.server";
import type { OperationReport, Outcome } from "./run.server";

export type { OperationReport } from "./run.server";
export { OPERATION_LEASE_MS } from "./operation-lease.server";

const ERROR_DELAY_MS = 5_000;

/** Process the refund, capture and void sessions that are due. Call it every second or so. */
export async function processDueOperations(deps: Deps, options: { limit?: number } = {}): Promise<OperationReport> {
  const report: OperationReport = { succeeded: 0, failed: 0, retried: 0, deferred: 0 };
  // One payment at most once per batch: the next operation on it waits for the next run.
  const seen = new Set<string>();
  // Sequential on purpose, and claimed one at a time so that no lease ticks away in a queue:
  // operations on one payment must not interleave, and ECPay rate-limits.
  for (let n = 0; n < (options.limit ?? 10); n++) {
    const claimed = await claimNextOperation(deps, seen);
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
