// Background work that keeps payments from getting stuck (DESIGN §3 "Nothing stuck"):
// deliver queued Shopify mutations, carry out captures/voids/refunds and post-sale closes, and
// reconcile with ECPay. Every step is safe to run in several server instances at once.
import { randomUUID } from "node:crypto";
import { deps as defaultDeps, type Deps } from "../deps.server";
import { processDueOperations, processPendingCloses } from "../payments/operations";
import { onOutboxWork, reportOutboxPass } from "../payments/outbox.server";
import { deliverDue } from "./outbox.server";
import { reconcileOnce } from "./reconciler.server";
import { log, outsideRequestContext } from "../lib/log.server";
import { tuning } from "../config.server";

export interface BackgroundWorkers {
  stop(): Promise<void>;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function startBackgroundWorkers(d: Deps = defaultDeps()): BackgroundWorkers {
  const workerId = randomUUID();
  const { workerTickMs: tickMs, reconcileIntervalMs: reconcileEveryMs } = tuning();
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let lastReconcile = 0;
  let timer: NodeJS.Timeout | undefined;

  const tick = async (): Promise<boolean> => {
    let more = false;
    try {
      // Drain what is due, a batch at a time, for at most a few seconds so the other work below still
      // runs; a backlog left over is taken up again at once rather than after a tick.
      const { outboxBatchSize } = tuning();
      const drainUntil = Date.now() + 5_000;
      while (!stopped) {
        const report = await deliverDue(d, { workerId, limit: outboxBatchSize });
        const sent = report.delivered + report.retried + report.failed;
        // A batch that sent nothing (all of it released: its tokens throttled) leaves the rest for later.
        more = sent > 0 && sent + report.released >= outboxBatchSize;
        if (!more || Date.now() >= drainUntil) break;
      }
      reportOutboxPass();
      await processDueOperations(d, { limit: 10 });
      await processPendingCloses(d, { limit: 10 });
      if (Date.now() - lastReconcile >= reconcileEveryMs) {
        lastReconcile = Date.now();
        await reconcileOnce(d);
      }
    } catch (error) {
      log().error({ err: error }, `background worker: ${errorText(error)}`);
    }
    return more;
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    clearTimeout(timer);
    // A request's notifyOutbox() wakes this; the work is not that request's (its log lines, its statements).
    timer = outsideRequestContext(() =>
      setTimeout(() => {
        let more = false;
        running = running
          .then(tick)
          .then((left) => void (more = left))
          .finally(() => schedule(more ? 0 : tickMs));
      }, delay),
    );
  };
  const unsubscribe = onOutboxWork(() => schedule(0));
  schedule(tickMs);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      await running;
    },
  };
}
