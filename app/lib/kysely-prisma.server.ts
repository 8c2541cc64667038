// Kysely (a typed query builder) executed through Prisma's own driver adapter (issue 15). Prisma
// 6.19 compiles every model query in its WebAssembly query compiler (~2 ms of CPU each, README
// "Benchmark"); Kysely compiles the same SQL for SQLite or PostgreSQL in microseconds and hands it
// to the adapter Prisma itself is connected through. So both share the one SQLite connection (and
// the adapter's lock, which a transaction holds) or the pg pool, the statement counter sees every
// statement, and values are written exactly as Prisma writes them: the adapter converts arguments
// (a Date becomes ISO text on SQLite, a timestamp on PostgreSQL) and rows are converted back by
// the column types the adapter reports, as Prisma converts them (DateTime → Date, Boolean →
// boolean, Int64 → bigint, Json → parsed).
import type { ArgType, ColumnType, SqlDriverAdapter, SqlQuery, SqlQueryable, SqlResultSet, Transaction as AdapterTransaction } from "@prisma/driver-adapter-utils";
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from "kysely";

export type SqlProvider = "sqlite" | "postgres";

// ColumnTypeEnum of @prisma/driver-adapter-utils (a dev dependency: only its types are imported).
const COLUMN = { Int64: 1, Boolean: 5, Date: 8, DateTime: 10, Json: 11 } as const satisfies Record<string, ColumnType>;

/** A DateTime as the adapters return it (ISO text; SQLite's CURRENT_TIMESTAMP has no zone and a space), as Prisma parses it. */
function parseDateTime(value: string): Date {
  const iso = value.includes("T") ? value : value.replace(" ", "T");
  return new Date(/(Z|[+-]\d{2}(:?\d{2})?)$/.test(iso) ? iso : `${iso}Z`);
}

function convertValue(value: unknown, type: ColumnType | undefined): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case COLUMN.DateTime:
      return typeof value === "string" ? parseDateTime(value) : new Date(Number(value));
    case COLUMN.Date:
      return typeof value === "string" ? new Date(`${value}T00:00:00Z`) : value;
    case COLUMN.Boolean:
      return typeof value === "boolean" ? value : value === 1 || value === "1" || value === "true" || value === 1n;
    case COLUMN.Int64:
      return typeof value === "bigint" ? value : BigInt(value as string | number);
    case COLUMN.Json:
      return typeof value === "string" ? JSON.parse(value) : value;
    default:
      return value;
  }
}

/** Rows of an adapter result set as objects, values as Prisma's client returns them. */
export function rowsOf(result: SqlResultSet): Record<string, unknown>[] {
  const { columnNames, columnTypes } = result;
  return result.rows.map((row) => {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < columnNames.length; i++) object[columnNames[i]!] = convertValue(row[i], columnTypes[i]);
    return object;
  });
}

/** The argument type the adapters need: they convert dates, bigints and bytes by it, as for Prisma's own queries. */
function argTypeOf(value: unknown): ArgType {
  const scalar = (scalarType: ArgType["scalarType"]): ArgType => ({ scalarType, arity: "scalar" });
  if (value instanceof Date) return scalar("datetime");
  switch (typeof value) {
    case "string":
      return scalar("string");
    case "boolean":
      return scalar("boolean");
    case "bigint":
      return scalar("bigint");
    case "number":
      return scalar(Number.isInteger(value) ? "int" : "float");
    default:
      return scalar(value instanceof Uint8Array ? "bytes" : "unknown");
  }
}

export function sqlQueryOf(compiled: CompiledQuery): SqlQuery {
  const args = compiled.parameters.map((value) => (typeof value === "bigint" ? value.toString() : value));
  return { sql: compiled.sql, args, argTypes: compiled.parameters.map(argTypeOf) };
}

/** Whether the statement returns rows (SELECT, … RETURNING, raw SQL) or only a count. */
function returnsRows(compiled: CompiledQuery): boolean {
  const node = compiled.query as { kind: string; returning?: unknown };
  return SelectQueryNode.is(compiled.query) || node.kind === "RawNode" || Boolean(node.returning);
}

class AdapterConnection implements DatabaseConnection {
  transaction: AdapterTransaction | null = null;
  constructor(private readonly adapter: SqlDriverAdapter) {}

  private get queryable(): SqlQueryable {
    return this.transaction ?? this.adapter;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const query = sqlQueryOf(compiled);
    if (returnsRows(compiled)) return { rows: rowsOf(await this.queryable.queryRaw(query)) as R[] };
    return { rows: [], numAffectedRows: BigInt(await this.queryable.executeRaw(query)) };
  }

  async begin(): Promise<void> {
    this.transaction = await this.adapter.startTransaction();
  }

  /** As Prisma ends one: the adapter sends COMMIT itself (SQLite, "phantom"), or we send it and release (pg). */
  async end(statement: "COMMIT" | "ROLLBACK"): Promise<void> {
    const tx = this.transaction;
    if (!tx) throw new Error(`${statement} without a transaction`);
    this.transaction = null;
    if (tx.options.usePhantomQuery) {
      await (statement === "COMMIT" ? tx.commit() : tx.rollback());
      return;
    }
    try {
      await tx.executeRaw({ sql: statement, args: [], argTypes: [] });
    } finally {
      await (statement === "COMMIT" ? tx.commit() : tx.rollback());
    }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not supported through the Prisma driver adapter");
  }
}

/** Kysely's driver on the connected adapter: a "connection" is the adapter, or one transaction of it. */
class AdapterDriver implements Driver {
  constructor(private readonly adapter: () => Promise<SqlDriverAdapter>) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new AdapterConnection(await this.adapter());
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as AdapterConnection).begin();
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as AdapterConnection).end("COMMIT");
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as AdapterConnection).end("ROLLBACK");
  }
  async releaseConnection(): Promise<void> {}
  // The adapter is Prisma's: $disconnect() disposes of it.
  async destroy(): Promise<void> {}
}

/** What a Prisma client or interactive transaction offers for raw SQL. */
export interface RawPrisma {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/**
 * Kysely's driver on a Prisma client or interactive transaction, through Prisma's raw queries
 * (~0.6 ms of CPU each): for code already inside a Prisma transaction and clients not made by
 * prismaClientFor. Transactions are Prisma's there (see inTransaction in prisma-client.server.ts).
 */
class PrismaRawDriver implements Driver {
  constructor(private readonly prisma: RawPrisma) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const prisma = this.prisma;
    return {
      async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
        const values = compiled.parameters as unknown[];
        if (returnsRows(compiled)) return { rows: await prisma.$queryRawUnsafe<R[]>(compiled.sql, ...values) };
        return { rows: [], numAffectedRows: BigInt(await prisma.$executeRawUnsafe(compiled.sql, ...values)) };
      },
      // eslint-disable-next-line require-yield
      async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
        throw new Error("streaming is not supported through Prisma");
      },
    };
  }
  async beginTransaction(): Promise<void> {
    throw new Error("A Kysely on Prisma's raw queries has no transactions of its own: open one with inTransaction()");
  }
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

function dialect(provider: SqlProvider, driver: Driver): Dialect {
  const postgres = provider === "postgres";
  return {
    createAdapter: () => (postgres ? new PostgresAdapter() : new SqliteAdapter()),
    createDriver: () => driver,
    createQueryCompiler: () => (postgres ? new PostgresQueryCompiler() : new SqliteQueryCompiler()),
    createIntrospector: (db) => (postgres ? new PostgresIntrospector(db) : new SqliteIntrospector(db)),
  };
}

/** A Kysely on the adapter Prisma is connected through (`adapter` resolves to that same connected adapter). */
export function kyselyOnAdapter<DB>(provider: SqlProvider, adapter: () => Promise<SqlDriverAdapter>): Kysely<DB> {
  return new Kysely<DB>({ dialect: dialect(provider, new AdapterDriver(adapter)) });
}

/** A Kysely whose statements run as raw queries of this Prisma client or transaction. */
export function kyselyOnPrismaRaw<DB>(provider: SqlProvider, prisma: RawPrisma): Kysely<DB> {
  return new Kysely<DB>({ dialect: dialect(provider, new PrismaRawDriver(prisma)) });
}

export { CompiledQuery };
