import { PrismaPg } from "@prisma/adapter-pg";
import type { PrismaClient } from "@prisma/client";
import type pg from "pg";
import { createPgPool } from "./lib/pg-pool.server";
import { OneConnectionPrismaLibSQL } from "./lib/sqlite-one-connection.server";
import { isPostgresUrl, prismaClientFor } from "./lib/prisma-client.server";
import { countingStatements } from "./lib/statement-count.server";

// DATABASE_URL picks the database and with it the generated client (lib/prisma-client.server.ts):
// one install serves SQLite and PostgreSQL.
export const DATABASE_URL = process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite";
export const isPostgres = isPostgresUrl(DATABASE_URL);

declare global {
  var prismaGlobal: PrismaClient | undefined;
}

let pool: pg.Pool | null = null;

function createClient(): PrismaClient {
  if (isPostgres) pool = createPgPool(DATABASE_URL, Number(process.env.DATABASE_POOL_SIZE ?? 10));
  const adapter = pool ? new PrismaPg(pool, { disposeExternalPool: true }) : new OneConnectionPrismaLibSQL({ url: DATABASE_URL });
  return prismaClientFor(DATABASE_URL, countingStatements(adapter));
}

/** PostgreSQL pool use for /metrics; null on SQLite (one connection). */
export function databasePoolStats(): { total: number; idle: number; waiting: number } | null {
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
}

const prisma = globalThis.prismaGlobal ?? createClient();
if (process.env.NODE_ENV !== "production") globalThis.prismaGlobal = prisma;

/**
 * SQLite: WAL so readers never block the writer (the test process, ops commands and the server
 * share one file), and a busy timeout so a writer waits for the lock instead of failing.
 * Call once before serving; PostgreSQL needs nothing.
 */
export async function prepareDatabase(client: PrismaClient = prisma, url: string = DATABASE_URL): Promise<void> {
  if (/^postgres(ql)?:\/\//i.test(url)) return;
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await client.$queryRawUnsafe("PRAGMA busy_timeout = 10000");
}

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export default prisma;
