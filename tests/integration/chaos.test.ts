// The CI chaos run (npm run chaos runs the long one): ~100 checkouts across all eight methods and
// both capture modes, with captures, voids and refunds, under kill -9, lost/duplicated/delayed/
// reordered ECPay notifications, a failing Shopify and a flaky database. SQLite: one instance;
// PostgreSQL (DATABASE_URL=postgres://…): two instances on one database.
import os from "node:os";
import { describe, expect, inject, it } from "vitest";
import { runChaos, summarize, writeReport } from "../chaos/run-chaos";
import { isPostgresRun } from "../support/database";

describe("the chaos run", () => {
  it(`loses nothing and counts nothing twice over ~100 checkouts (${isPostgresRun ? "PostgreSQL, two instances" : "SQLite"})`, async () => {
    const report = await runChaos({ checkouts: 100, seed: 7_2026, templateUrl: inject("templateDatabaseUrl"), concurrency: 10 });
    writeReport(report, os.tmpdir(), `chaos-ci-${report.database}.json`);
    const summary = summarize(report);
    // Every fault actually happened, so the invariants were tested under it.
    expect(report.faults.server.externalKills + Object.values(report.faults.server.selfKills).reduce((a, b) => a + b, 0), summary).toBeGreaterThan(0);
    expect(report.faults.notifications.dropped, summary).toBeGreaterThan(0);
    expect(report.faults.notifications.duplicated, summary).toBeGreaterThan(0);
    expect(report.faults.shopify.passed, summary).toBeLessThan(report.faults.shopify.calls!);
    expect(report.faults.database.sqliteLocks + report.faults.database.postgresTerminations + report.faults.database.postgresTableLocks, summary).toBeGreaterThan(0);
    expect(report.checkouts.paidAndResolved, summary).toBeGreaterThan(50);
    for (const invariant of report.invariants) {
      expect(invariant.violations, `${invariant.name}\n${summary}`).toBe(0);
      expect(invariant.checked, invariant.name).toBeGreaterThan(0);
    }
    expect(report.instances).toBe(isPostgresRun ? 2 : 1);
  }, 900_000);
});
