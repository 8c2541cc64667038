// The move of the admin's language from each app's installation to the shop keeps what merchants
// chose: applied to a database holding the old per-app choices, the migration leaves each shop the
// language of its most recently changed app admin, on SQLite and on PostgreSQL.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { createClient } from "@libsql/client";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPostgresRun } from "../support/database";

const MIGRATION = "20261203170000_shop_settings";

interface Db {
  run(sql: string): Promise<void>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

async function openDb(): Promise<Db> {
  if (isPostgresRun) {
    const name = `ecpay_mig_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    return {
      run: async (sql) => void (await client.query(sql)),
      rows: async (sql) => (await client.query(sql)).rows as Record<string, unknown>[],
      close: async () => {
        await client.end();
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "ecpay-mig-"));
  const client = createClient({ url: `file:${path.join(dir, "m.sqlite")}` });
  return {
    run: async (sql) => void (await client.executeMultiple(sql)),
    rows: async (sql) => (await client.execute(sql)).rows.map((row) => ({ ...row })),
    close: async () => {
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const folder = isPostgresRun ? "prisma/postgres/migrations" : "prisma/migrations";
const migrations = readdirSync(folder).filter((name) => /^\d{14}_/.test(name)).sort();
const sql = (name: string) => readFileSync(path.join(folder, name, "migration.sql"), "utf8");

let db: Db;

beforeAll(async () => {
  db = await openDb();
  for (const name of migrations.filter((m) => m < MIGRATION)) await db.run(sql(name));
  const row = (id: string, method: string, shop: string, locale: string | null, updatedAt: string) =>
    `INSERT INTO "ShopInstallation" ("id", "method", "shop", "locale", "updatedAt") VALUES ('${id}', '${method}', '${shop}', ${locale ? `'${locale}'` : "NULL"}, '${updatedAt}');`;
  await db.run(
    [
      row("i1", "credit", "two-choices.myshopify.com", "zh-TW", "2026-01-01 00:00:00"),
      row("i2", "atm", "two-choices.myshopify.com", "en", "2026-02-01 00:00:00"),
      row("i3", "webatm", "two-choices.myshopify.com", null, "2026-03-01 00:00:00"),
      row("i4", "credit", "never-chose.myshopify.com", null, "2026-01-01 00:00:00"),
      row("i5", "twqr", "one-choice.myshopify.com", "zh-TW", "2026-01-01 00:00:00"),
    ].join("\n"),
  );
  for (const name of migrations.filter((m) => m >= MIGRATION)) await db.run(sql(name));
});

afterAll(async () => {
  await db?.close();
});

describe("moving the admin's language to the shop", () => {
  it("keeps each shop's latest choice, and nothing for a shop that never chose", async () => {
    const settings = await db.rows(`SELECT "shop", "locale", "name" FROM "ShopSettings" ORDER BY "shop"`);
    expect(settings).toEqual([
      { shop: "one-choice.myshopify.com", locale: "zh-TW", name: null },
      { shop: "two-choices.myshopify.com", locale: "en", name: null },
    ]);
  });

  it("keeps every installation, without the per-app column", async () => {
    const installations = await db.rows(`SELECT * FROM "ShopInstallation" ORDER BY "id"`);
    expect(installations.map((r) => r.id)).toEqual(["i1", "i2", "i3", "i4", "i5"]);
    expect(Object.keys(installations[0]!)).not.toContain("locale");
  });
});
