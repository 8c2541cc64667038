// `npm run bench:smoke` end to end, so the benchmark cannot rot: every phase runs on the built
// server against this run's database kind with a few hundred requests. Speed is never asserted
// (CI machines vary); what is asserted is that every phase did the real work it claims to measure.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readsAndWrites, type BenchResult } from "../../bench/report";
import { SMOKE } from "../../bench/run";
import { isPostgresRun } from "../support/database";

// Raise these only with a reason in the commit message; lower them as the data layer improves.
// A session: one lookup and one insert. A notification, on both databases (README "Data layer"):
// one joined read, then BEGIN, UPDATE attempt, UPDATE session (claiming the checkout group), INSERT
// outbox row, INSERT notification log, COMMIT.
const SESSION_STATEMENTS_TODAY = 2;
const NOTIFICATION_STATEMENTS_TODAY = 7;

const dir = mkdtempSync(path.join(os.tmpdir(), "ecpay-bench-smoke-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runSmoke(out: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench.ts", "--smoke", "--out", out], {
      env: { ...process.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

describe("the benchmark smoke run", () => {
  it("measures every phase on the built server and every request does the work it stands for", { timeout: 300_000 }, async () => {
    const out = path.join(dir, "smoke.json");
    const { code, output } = await runSmoke(out);
    expect(code, output.slice(-3000)).toBe(0);
    const result = JSON.parse(readFileSync(out, "utf8")) as BenchResult;

    expect(result.smoke).toBe(true);
    expect(result.db).toBe(isPostgresRun ? "postgres" : "sqlite");

    // Throughput rounds: each endpoint answered, and answered exactly as its caller expects.
    expect(result.throughput.rounds).toHaveLength(SMOKE.rounds);
    for (const round of result.throughput.rounds) {
      for (const run of [round.bare, round.session, round.notification]) {
        expect(run.requests, run.endpoint).toBeGreaterThan(0);
        expect(run.rejected, `${run.endpoint}: ${run.firstRejection}`).toBe(0);
        expect(run.errors, run.endpoint).toBe(0);
      }
    }
    for (const run of [result.fixedRate.session, result.fixedRate.notification, result.history.sessionAtRate]) {
      expect(run.requests, run.endpoint).toBeGreaterThan(0);
      expect(run.rejected, `${run.endpoint}: ${run.firstRejection}`).toBe(0);
      expect(run.overallRate).toBe(SMOKE.rate);
    }

    // Each 200 stored a distinct session / settled a distinct trade and queued its resolve.
    const c = result.checks;
    expect(c.failures).toBe(0);
    expect(c.sessionsStored).toBeGreaterThanOrEqual(c.sessionsAnswered!);
    expect(c.sessionsStored).toBeLessThanOrEqual(c.sessionsHandedOut!);
    expect(c.tradesSettled).toBeGreaterThanOrEqual(c.notificationsAnswered!);
    expect(c.tradesSettled).toBeLessThanOrEqual(c.notificationsHandedOut!);
    expect(c.resolvesQueued).toBe(c.tradesSettled);

    // The outbox delivered every queued resolve to the Shopify simulator, which applied each once.
    expect(result.outbox).toMatchObject({ queued: SMOKE.outboxCount, delivered: SMOKE.outboxCount, failed: 0, pending: 0 });
    expect(result.outbox.simulatorResolves).toBe(SMOKE.outboxCount);

    // The history was stored before the last measurement, and the server's memory was read.
    expect(result.history.totalSessions).toBeGreaterThanOrEqual(SMOKE.historyRows + c.sessionsStored!);
    expect(result.rss.peakMb).toBeGreaterThan(0);
    expect(Object.keys(result.rss.byPhaseMb).sort()).toEqual(["history", "load", "outbox"]);
    expect(result.targets.map((t) => typeof t.met)).toEqual(Array(9).fill("boolean"));

    // Statements per request, counted by the server at the driver: a regression guard at today's
    // counts (issue 15's goals: 2, and 5 that read or write; BEGIN and COMMIT are the other two).
    expect(result.statements.session).toBeGreaterThan(0);
    expect(result.statements.session).toBeLessThanOrEqual(SESSION_STATEMENTS_TODAY);
    expect(result.statements.notification).toBeGreaterThan(0);
    expect(result.statements.notification).toBeLessThanOrEqual(NOTIFICATION_STATEMENTS_TODAY);
    // Of a notification's statements, exactly BEGIN and COMMIT are transaction control; the goal's 5 are the rest.
    expect(result.statements.transactionControl).toEqual({ session: 0, notification: 2 });
    expect(readsAndWrites(result.statements, "notification")).toBeLessThanOrEqual(5);
    expect(output).toContain("| payment session");
  });
});
