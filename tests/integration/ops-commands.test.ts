// `npm run ops -- …` as the operator runs it: doctor's report, and bad arguments for every command.
import { readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { defaultMigrationsDir } from "~/ops/doctor.server";
import { cloneDatabase, isPostgresRun, type TestDatabase } from "../support/database";
import { prismaFor } from "../support/db-client";
import { runOps, runOpsAsync } from "../support/ops";
import { testAppEnv } from "../support/test-env";

let db: TestDatabase;
let prisma: PrismaClient;
let env: Record<string, string>;
/** Stands in for ECPay's production origin: answers HEAD with a Date header `skewMs` off this clock. */
let clock: Server;
let clockOrigin: string;
let skewMs = 0;

beforeAll(async () => {
  db = await cloneDatabase(inject("templateDatabaseUrl"));
  prisma = prismaFor(db.url);
  clock = createServer((_request, response) => {
    response.setHeader("Date", new Date(Date.now() + skewMs).toUTCString());
    response.end();
  });
  await new Promise<void>((resolve) => clock.listen(0, "127.0.0.1", resolve));
  clockOrigin = `http://127.0.0.1:${(clock.address() as AddressInfo).port}`;
  env = testAppEnv({ DATABASE_URL: db.url, SHOPIFY_APP_URL: "https://pay.example.tw", ECPAY_PRODUCTION_ORIGIN: clockOrigin });
});

afterAll(async () => {
  await new Promise((resolve) => clock?.close(resolve));
  await prisma?.$disconnect();
  await db?.drop();
});

/** doctor's report as { check name: [ok, detail] }. */
function report(stdout: string): Record<string, [boolean, string]> {
  return Object.fromEntries(
    stdout
      .split("\n")
      .map((line) => /^(ok {2}|FAIL) ([^:]+): (.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[2]!, [m[1] !== "FAIL", m[3]!]]),
  );
}

async function doctor(overrides: Record<string, string> = {}) {
  const result = await runOpsAsync(["doctor"], { ...env, ...overrides });
  return { ...result, checks: report(result.stdout) };
}

describe("ops doctor", () => {
  it("reports configuration, encryption key, database, migrations, clock drift and backlog, and exits 0 when all pass", async () => {
    skewMs = 0;
    const { status, stderr, checks } = await doctor();
    expect(status, stderr).toBe(0);
    expect(Object.keys(checks)).toEqual(["configuration", "encryption key", "database", "migrations", "clock drift", "backlog"]);
    expect(checks.configuration).toEqual([true, expect.stringMatching(/^public URL https:\/\/pay\.example\.tw; apps configured: credit, installments, .*wechatpay$/)]);
    expect(checks["encryption key"]?.[0]).toBe(true);
    expect(checks.database).toEqual([true, isPostgresRun ? "PostgreSQL answers" : "SQLite answers"]);
    const migrations = readdirSync(defaultMigrationsDir(isPostgresRun)).filter((d) => /^\d{14}_/.test(d));
    expect(checks.migrations).toEqual([true, `${migrations.length} applied`]);
    expect(checks["clock drift"]).toEqual([true, expect.stringMatching(new RegExp(`^-?[01]s against ${clockOrigin}$`))]);
    expect(checks.backlog).toEqual([
      true,
      "0 Shopify mutations pending; 0 captures/voids/refunds pending; 0 card closes pending; 0 ECPay attempts awaiting a result; reconciler lag 0s",
    ]);
  });

  it("fails the clock check when this machine is more than a minute off ECPay's clock, and exits 1", async () => {
    skewMs = 5 * 60_000;
    try {
      const { status, checks } = await doctor();
      expect(status).toBe(1);
      expect(checks["clock drift"]?.[0]).toBe(false);
      // HTTP dates have whole seconds, so the measured drift is 300 s give or take one.
      expect(checks["clock drift"]?.[1]).toMatch(/clock is (299|300|301)s off ECPay .*sync it/);
      expect(checks.database?.[0]).toBe(true);
    } finally {
      skewMs = 0;
    }
  });

  it("says when ECPay cannot be reached to compare clocks", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const { status, checks } = await doctor({ ECPAY_PRODUCTION_ORIGIN: origin });
    expect(status).toBe(1);
    expect(checks["clock drift"]).toEqual([false, expect.stringContaining(`could not reach ${origin} to compare clocks`)]);
  });

  it("fails configuration without app credentials and the encryption key without ENCRYPTION_KEY", async () => {
    const blank = Object.fromEntries(Object.keys(env).filter((k) => /^SHOPIFY_.*_API_(KEY|SECRET)$/.test(k)).map((k) => [k, ""]));
    const { status, checks } = await doctor({ ...blank, ENCRYPTION_KEY: "" });
    expect(status).toBe(1);
    expect(checks.configuration).toEqual([false, expect.stringMatching(/no app credentials: set SHOPIFY_<METHOD>_API_KEY/)]);
    expect(checks["encryption key"]).toEqual([false, expect.stringMatching(/ENCRYPTION_KEY is not set/)]);
    expect(checks.database?.[0]).toBe(true);
  });

  it("names the migrations a database has not applied", async () => {
    const behind = await cloneDatabase(inject("templateDatabaseUrl"));
    const client = prismaFor(behind.url);
    try {
      const latest = readdirSync(defaultMigrationsDir(isPostgresRun)).filter((d) => /^\d{14}_/.test(d)).sort().at(-1)!;
      await client.$executeRawUnsafe(`DELETE FROM "_prisma_migrations" WHERE migration_name = '${latest}'`);
      const { status, checks } = await doctor({ DATABASE_URL: behind.url });
      expect(status).toBe(1);
      expect(checks.migrations).toEqual([false, `pending migrations: ${latest} (run npm run setup)`]);
    } finally {
      await client.$disconnect();
      await behind.drop();
    }
  });

  it("fails the database check when the database does not answer", async () => {
    const unreachable = isPostgresRun ? "postgresql://postgres@127.0.0.1:1/nowhere" : "file:/nonexistent-ecpay-dir/none.sqlite";
    const { status, checks } = await doctor({ DATABASE_URL: unreachable });
    expect(status).toBe(1);
    expect(checks.database?.[0]).toBe(false);
    expect(checks.migrations?.[0]).toBe(false);
  });
});

describe("ops bad arguments", () => {
  const cases: [string, string[], RegExp][] = [
    ["an unknown command", ["frobnicate"], /Unknown command "frobnicate"/],
    ["doctor with an unknown option", ["doctor", "--bogus"], /doctor takes no options \(got --bogus\)/],
    ["doctor with a stray argument", ["doctor", "now"], /doctor takes no options \(got now\)/],
    ["reconcile without --once", ["reconcile"], /reconcile takes exactly --once/],
    ["reconcile with an unknown option", ["reconcile", "--once", "--bogus"], /reconcile takes exactly --once \(got --once --bogus\)/],
    ["rotate-keys with an unknown option", ["rotate-keys", "--bogus"], /rotate-keys takes no options \(got --bogus\)/],
    ["seed-shop with an unknown option", ["seed-shop", "--bogus", "x"], /Unknown option '--bogus'/],
    ["seed-shop with a stray argument", ["seed-shop", "stray", "--method", "atm"], /Unexpected argument 'stray'/],
    ["seed-shop without its required options", ["seed-shop"], /--method: .*\n(.*\n)*--shop: /],
    ["export with an unknown option", ["export", "--bogus"], /Unknown option '--bogus'/],
    ["export with a bad date", ["export", "--shop", "a.myshopify.com", "--method", "credit", "--from", "2026-13-01", "--to", "2026-01-02"], /--from 2026-13-01: /],
    ["export with a method the shop never installed", ["export", "--shop", "a.myshopify.com", "--method", "paypal", "--from", "2026-01-01", "--to", "2026-01-02"], /--method paypal: /],
  ];

  for (const [what, args, message] of cases) {
    it(`exits 2 with a clear message and the usage for ${what}`, () => {
      const result = runOps(args, env);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain("Usage: npm run ops -- <command> [options]");
      expect(result.stdout).toBe("");
    });
  }

  it("changes nothing in the database", async () => {
    const counts = async () => [await prisma.session.count(), await prisma.shopInstallation.count(), await prisma.ecpayBinding.count()];
    const before = await counts();
    runOps(["seed-shop", "--method", "atm", "--shop", "bad-args.myshopify.com", "--access-token", "t", "--bogus"], env);
    runOps(["rotate-keys", "--bogus"], env);
    expect(await counts()).toEqual(before);
  });
});
