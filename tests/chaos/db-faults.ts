// Database faults for the chaos run. SQLite: another connection holds the write lock for a
// moment (what a backup, an ops command or a second writer does). PostgreSQL: every server
// connection is terminated (what a failover or a restart does), or a table is locked briefly.
import pg from "pg";
import type { PrismaClient } from "@prisma/client";
import { sleep } from "./rng";

export interface DbFaultStats {
  sqliteLocks: number;
  postgresTerminations: number;
  postgresTerminatedConnections: number;
  postgresTableLocks: number;
  errors: number;
  lastError: string | null;
}

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

export interface DbFaults {
  stats: DbFaultStats;
  /** One fault, lasting about `holdMs`. */
  inject(kind: "lock" | "restart", holdMs: number): Promise<void>;
}

export function createDbFaults(url: string, prisma: PrismaClient): DbFaults {
  const stats: DbFaultStats = { sqliteLocks: 0, postgresTerminations: 0, postgresTerminatedConnections: 0, postgresTableLocks: 0, errors: 0, lastError: null };

  async function withPg<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => undefined);
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  return {
    stats,
    async inject(kind, holdMs) {
      try {
        if (!isPostgresUrl(url)) {
          // A real write inside the transaction takes SQLite's write lock until commit.
          await prisma.$transaction(
            async (tx) => {
              await tx.$executeRawUnsafe(
                `UPDATE "ShopInstallation" SET "updatedAt" = "updatedAt" WHERE "id" = (SELECT "id" FROM "ShopInstallation" LIMIT 1)`,
              );
              await sleep(holdMs);
            },
            { maxWait: 15_000, timeout: holdMs + 15_000 },
          );
          stats.sqliteLocks += 1;
          return;
        }
        if (kind === "restart") {
          const terminated = await withPg(async (client) => {
            const result = await client.query<{ pid: number }>(
              `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
            );
            for (const { pid } of result.rows) await client.query("SELECT pg_terminate_backend($1)", [pid]);
            return result.rows.length;
          });
          stats.postgresTerminations += 1;
          stats.postgresTerminatedConnections += terminated;
          return;
        }
        await withPg(async (client) => {
          await client.query("BEGIN");
          await client.query(`LOCK TABLE "OutboxMessage", "PaymentSession" IN ACCESS EXCLUSIVE MODE`);
          await sleep(holdMs);
          await client.query("COMMIT");
        });
        stats.postgresTableLocks += 1;
      } catch (error) {
        stats.errors += 1;
        stats.lastError = error instanceof Error ? error.message.slice(0, 300) : String(error);
      }
    },
  };
}
