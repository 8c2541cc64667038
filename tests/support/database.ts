// Each test file gets its own database, cloned from a template migrated once per run:
// SQLite (default) copies a file; PostgreSQL (DATABASE_URL=postgres://…) uses CREATE DATABASE … TEMPLATE.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";

export const isPostgresRun = /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? "");

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function migrate(url: string): void {
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: "pipe",
  });
}

/** Create the run's template database (called from global setup). Returns its URL. */
export async function createTemplateDatabase(): Promise<string> {
  const id = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  if (isPostgresRun) {
    const name = `ecpay_tmpl_${id}`;
    await adminQuery(`CREATE DATABASE "${name}"`);
    const url = withDatabase(process.env.DATABASE_URL!, name);
    migrate(url);
    return url;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "ecpay-test-"));
  const url = `file:${path.join(dir, "template.sqlite")}`;
  migrate(url);
  return url;
}

export async function dropTemplateDatabase(url: string): Promise<void> {
  if (isPostgresRun) {
    await adminQuery(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
  } else {
    rmSync(path.dirname(url.replace(/^file:/, "")), { recursive: true, force: true });
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function cloneDatabase(templateUrl: string): Promise<TestDatabase> {
  const id = randomBytes(5).toString("hex");
  if (isPostgresRun) {
    const name = `ecpay_t_${id}`;
    const template = new URL(templateUrl).pathname.slice(1);
    await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    return {
      url: withDatabase(templateUrl, name),
      drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "ecpay-db-"));
  const file = path.join(dir, "test.sqlite");
  copyFileSync(templateUrl.replace(/^file:/, ""), file);
  return { url: `file:${file}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}
