// The framework's floor under the benchmark: what one query costs through the Prisma client this
// project uses (engineType "client": the query compiler runs as WebAssembly in the server process)
// next to the same query as raw SQL through Prisma, through the database driver alone, and built
// by Kysely and run on Prisma's own driver adapter (the hot paths' data layer, README "Data layer").
// Every `npm run bench` measures it first, on its own database, into the result's `queryCost`.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { sqlOf } from "../app/lib/prisma-client.server";
import { newId } from "../app/lib/sql-schema";

export interface QueryCost {
  name: string;
  /** Per query, averaged over `iterations` sequential queries after a warm-up. */
  wallMs: number;
  cpuMs: number;
  iterations: number;
}

export interface QueryCostDriver {
  /** A parameterised single-row SELECT through the driver itself (libsql or pg). */
  select(shop: string): Promise<unknown>;
}

async function measure(name: string, iterations: number, run: (i: number) => Promise<unknown>): Promise<QueryCost> {
  for (let i = 0; i < Math.min(200, iterations); i++) await run(i);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await run(i);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6 / iterations;
  const used = process.cpuUsage(cpu);
  return { name, wallMs: round(wallMs), cpuMs: round((used.user + used.system) / 1000 / iterations), iterations };
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** Needs a migrated database with the project's schema; adds a few rows of its own. */
export async function measureQueryCost(prisma: PrismaClient, driver: QueryCostDriver, iterations: number): Promise<QueryCost[]> {
  const shop = `query-cost-${randomBytes(4).toString("hex")}.myshopify.com`;
  await prisma.shopInstallation.create({ data: { method: "credit", shop } });
  const where = { method_shop: { method: "credit", shop } } as const;
  return [
    await measure("Prisma findUnique (model query)", iterations, () => prisma.shopInstallation.findUnique({ where })),
    await measure("Prisma create (model query)", iterations, (i) =>
      prisma.shopInstallation.create({ data: { method: "atm", shop: `${i}-${randomBytes(6).toString("hex")}.${shop}` } }),
    ),
    await measure("Prisma $queryRaw, the same SELECT", iterations, () =>
      prisma.$queryRaw`SELECT * FROM "ShopInstallation" WHERE "method" = ${"credit"} AND "shop" = ${shop}`,
    ),
    await measure("driver alone, the same SELECT", iterations, () => driver.select(shop)),
    // Listed after the driver so older results line up with the report's first three columns.
    await measure("Kysely on Prisma's adapter, the same SELECT", iterations, () =>
      sqlOf(prisma).selectFrom("ShopInstallation").selectAll().where("method", "=", "credit").where("shop", "=", shop).executeTakeFirst(),
    ),
    await measure("Kysely on Prisma's adapter, the same create", iterations, (i) => {
      const now = new Date();
      return sqlOf(prisma)
        .insertInto("ShopInstallation")
        .values({ id: newId(now), method: "atm", shop: `k${i}-${randomBytes(6).toString("hex")}.${shop}`, installedAt: now, updatedAt: now })
        .execute();
    }),
  ];
}
