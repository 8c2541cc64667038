// One install and one build serve both databases. Prisma's generated client is provider-specific,
// so `npm run generate` writes two: the SQLite one as @prisma/client (whose types the code uses)
// and the PostgreSQL one to node_modules/.prisma/client-postgres (prisma/derive-postgres-schema.ts).
// The models are the same (one schema, prisma/schema.prisma), so the PostgreSQL class is used
// under the SQLite one's type; the database URL picks the class at run time.
import { createRequire } from "node:module";
import { PrismaClient, type Prisma } from "@prisma/client";
import type { SqlDriverAdapter } from "@prisma/driver-adapter-utils";
import { Kysely } from "kysely";
import { kyselyOnAdapter, kyselyOnPrismaRaw } from "./kysely-prisma.server";
import type { Database } from "./sql-schema";

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

/** The typed query builder on the schema's tables (README "Data layer"). */
export type Sql = Kysely<Database>;

/** Kyselys on a client's own adapter (prismaClientFor), and on Prisma's raw queries (anything else). */
const onAdapter = new WeakMap<object, Sql>();
const onRaw = new WeakMap<object, Sql>();

/**
 * The factory connected once: Prisma and Kysely both get the same adapter (one SQLite connection
 * and its lock, or one pg pool). Prisma disposes of it on $disconnect(); the next connect opens anew.
 */
function sharedConnection(factory: DriverAdapter): { factory: DriverAdapter; connected: () => Promise<SqlDriverAdapter> } {
  let connected: Promise<SqlDriverAdapter> | null = null;
  const connect = (): Promise<SqlDriverAdapter> =>
    (connected ??= (factory.connect() as Promise<SqlDriverAdapter>).then(
      (adapter) =>
        new Proxy(adapter, {
          get(target, property) {
            const value: unknown = Reflect.get(target, property, target);
            if (property === "dispose") {
              return () => {
                connected = null;
                return target.dispose();
              };
            }
            return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        }),
      (error: unknown) => {
        connected = null;
        throw error;
      },
    ));
  const shared = new Proxy(factory, {
    get(target, property) {
      if (property === "connect") return connect;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { factory: shared, connected: connect };
}

/** A Prisma client for this database URL on the given driver adapter, with a Kysely on the same connection (sqlOf). */
export function prismaClientFor(url: string, adapter: DriverAdapter): PrismaClient {
  const Client = isPostgresUrl(url) ? postgresPrismaClient() : PrismaClient;
  const shared = sharedConnection(adapter);
  const client = new Client({ adapter: shared.factory });
  onAdapter.set(client, kyselyOnAdapter<Database>(isPostgresUrl(url) ? "postgres" : "sqlite", shared.connected));
  return client;
}

/** Whatever a data function may be handed: a Prisma client, a Prisma interactive transaction, or a Kysely (transaction). */
export type SqlTarget = PrismaLike | Sql;
type PrismaLike = PrismaClient | Prisma.TransactionClient;

/**
 * The Kysely for a Prisma client (on its own connected adapter, made by prismaClientFor) or for a
 * Prisma interactive transaction (its statements run inside that transaction, as raw queries).
 */
export function sqlOf(db: PrismaLike | Sql): Sql {
  if (db instanceof Kysely) return db;
  let sql = onAdapter.get(db) ?? onRaw.get(db);
  if (!sql) {
    sql = kyselyOnPrismaRaw<Database>(clientIsPostgres(db) ? "postgres" : "sqlite", db);
    onRaw.set(db, sql);
  }
  return sql;
}

/**
 * Runs `work` in one transaction: Kysely's on the client's adapter, the one already open (a
 * Kysely transaction, a Prisma interactive transaction), or Prisma's for a client that has no
 * adapter of ours.
 */
export async function inTransaction<T>(db: PrismaLike | Sql, work: (sql: Sql) => Promise<T>): Promise<T> {
  if (db instanceof Kysely) return db.isTransaction ? work(db) : db.transaction().execute(work);
  if (!("$transaction" in db)) return work(sqlOf(db));
  const own = onAdapter.get(db);
  return own ? own.transaction().execute(work) : db.$transaction((tx) => work(sqlOf(tx)));
}

/** Whether this client (or a transaction of it) talks to PostgreSQL: Prisma records the generated client's provider on it. */
export function clientIsPostgres(db: object): boolean {
  return (db as { _activeProvider?: string })._activeProvider === "postgresql";
}
