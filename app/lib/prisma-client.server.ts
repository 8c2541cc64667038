// One install and one build serve both databases. Prisma's generated client is provider-specific,
// so `npm run generate` writes two: the SQLite one as @prisma/client (whose types the code uses)
// and the PostgreSQL one to node_modules/.prisma/client-postgres (prisma/derive-postgres-schema.ts).
// The models are the same (one schema, prisma/schema.prisma), so the PostgreSQL class is used
// under the SQLite one's type; the database URL picks the class at run time.
import { createRequire } from "node:module";
import { PrismaClient } from "@prisma/client";

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

type ClientOptions = NonNullable<ConstructorParameters<typeof PrismaClient>[0]>;
export type DriverAdapter = NonNullable<ClientOptions["adapter"]>;

let postgresClass: typeof PrismaClient | undefined;

function postgresPrismaClient(): typeof PrismaClient {
  if (postgresClass) return postgresClass;
  const load = createRequire(import.meta.url);
  try {
    postgresClass = (load(".prisma/client-postgres") as { PrismaClient: typeof PrismaClient }).PrismaClient;
  } catch (error) {
    throw new Error(`The PostgreSQL Prisma client is not generated: run \`npm run generate\` (${error instanceof Error ? error.message : String(error)})`);
  }
  return postgresClass;
}

/** A Prisma client for this database URL on the given driver adapter. */
export function prismaClientFor(url: string, adapter: DriverAdapter): PrismaClient {
  const Client = isPostgresUrl(url) ? postgresPrismaClient() : PrismaClient;
  return new Client({ adapter });
}

/** Whether this client (or a transaction of it) talks to PostgreSQL: Prisma records the generated client's provider on it. */
export function clientIsPostgres(db: object): boolean {
  return (db as { _activeProvider?: string })._activeProvider === "postgresql";
}
