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

export interface BackgroundWorkers {
  stop(): Promise<void>;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function startBackgroundWorkers(d: Deps = defaultDeps()): BackgroundWorkers {
  const workerId = randomUUID();
  const tickMs = Number(process.env.WORKER_TICK_MS ?? 1_000);
  const reconcileEveryMs = Number(process.env.RECONCILE_INTERVAL_MS ?? 30_000);
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let lastReconcile = 0;
  let timer: NodeJS.Timeout | undefined;

  const tick = async () => {
    try {
      // Drain what is due, a batch at a time.
      for (let i = 0; i < 50 && !stopped; i += 1) {
        const report = await deliverDue(d, { workerId, limit: 25 });
        if (report.delivered + report.retried + report.failed === 0) break;
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
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    clearTimeout(timer);
    // A request's notifyOutbox() wakes this; the work is not that request's (its log lines, its statements).
    timer = outsideRequestContext(() =>
      setTimeout(() => {
        running = running.then(tick).finally(() => schedule(tickMs));
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
