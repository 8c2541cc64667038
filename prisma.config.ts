import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { pgMigrationAdapter, sqliteMigrationAdapter } from "./prisma/cli-adapters";
import { derivePostgresSchema } from "./prisma/derive-postgres-schema";

// SQLite by default. A postgres:// DATABASE_URL switches the CLI to prisma/postgres/schema.prisma
// (derived from prisma/schema.prisma) and its own migrations folder, prisma/postgres/migrations.
const DATABASE_URL = process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite";
const isPostgres = /^postgres(ql)?:\/\//i.test(DATABASE_URL);

const SQLITE_SCHEMA = path.join("prisma", "schema.prisma");
const POSTGRES_SCHEMA = path.join("prisma", "postgres", "schema.prisma");

function syncPostgresSchema() {
  const generated = derivePostgresSchema(readFileSync(SQLITE_SCHEMA, "utf8"));
  if (existsSync(POSTGRES_SCHEMA) && readFileSync(POSTGRES_SCHEMA, "utf8") === generated) return;
  mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
  writeFileSync(POSTGRES_SCHEMA, generated);
}

if (isPostgres) syncPostgresSchema();

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: isPostgres ? POSTGRES_SCHEMA : SQLITE_SCHEMA,
  async adapter() {
    return isPostgres ? pgMigrationAdapter(DATABASE_URL) : sqliteMigrationAdapter(DATABASE_URL);
  },
});
