// Sets the gauges of stuck work from the operational figures just before /metrics is scraped.
import prisma, { databasePoolStats } from "../db.server";
import { serverConfig } from "../config.server";
import { metrics } from "../lib/metrics.server";
import { processQueryPause } from "../payments/ecpay-query-pause.server";
import { operationalFigures } from "./figures.server";

export async function refreshOperationalMetrics(now: Date = new Date()): Promise<void> {
  const m = metrics();
  const figures = await operationalFigures(prisma, now, { reconcileGraceMs: serverConfig().reconcileGraceMs });
  m.outboxBacklog.set(figures.outboxPending);
  m.outboxFailed.set(figures.outboxFailed);
  m.outboxOldestAge.set(figures.outboxOldestAgeSeconds);
  m.operationsPending.set(figures.operationsPending);
  m.closesPending.set(figures.closesPending);
  m.attemptsAwaiting.set(figures.attemptsAwaiting);
  m.reconcilerLag.set(figures.reconcilerLagSeconds);
  const paused = processQueryPause.until > now.getTime();
  m.ecpayPaused.set(paused ? 1 : 0);
  m.ecpayPausedUntil.set(paused ? Math.round(processQueryPause.until / 1000) : 0);
  const pool = databasePoolStats();
  m.dbPool.set({ state: "total" }, pool?.total ?? 1);
  m.dbPool.set({ state: "idle" }, pool?.idle ?? 0);
  m.dbPool.set({ state: "waiting" }, pool?.waiting ?? 0);
}
