// Counts the SQL statements each request sends through the database driver (issue 15: "a
// notification is at most 5 statements"), for /metrics and the benchmark. It wraps Prisma's driver
// adapter factory, so every statement Prisma sends is seen, whichever query built it; BEGIN and
// COMMIT/ROLLBACK of a transaction count as statements too, as the database sees them, and are
// also counted apart (transactionControl), so "reads and writes" is the total minus those.
import { currentRequestContext } from "./log.server";

const CONTROL_SQL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START\s+TRANSACTION)\b/i;
/** Calls that are themselves BEGIN (startTransaction) or COMMIT/ROLLBACK (an adapter that ends its own transaction). */
const CONTROL_CALLS = new Set<PropertyKey>(["startTransaction", "commit", "rollback"]);

function counted(property: PropertyKey, args: unknown[]): void {
  const statements = currentRequestContext()?.statements;
  if (!statements) return;
  statements.count += 1;
  const sql = (args[0] as { sql?: unknown } | undefined)?.sql;
  if (CONTROL_CALLS.has(property) || (typeof sql === "string" && CONTROL_SQL.test(sql))) statements.transactionControl += 1;
}

type AnyFunction = (...args: unknown[]) => unknown;

function countCalls<T extends object>(target: T, counts: ReadonlySet<PropertyKey>, wrap: Partial<Record<PropertyKey, (result: unknown) => unknown>> = {}): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== "function") return value;
      const bound = (value as AnyFunction).bind(object);
      const after = wrap[property];
      if (!counts.has(property) && !after) return bound;
      return (...args: unknown[]) => {
        if (counts.has(property)) counted(property, args);
        const result = bound(...args);
        return after ? Promise.resolve(result).then(after) : result;
      };
    },
  });
}

const STATEMENTS = new Set<PropertyKey>(["queryRaw", "executeRaw", "executeScript"]);
// commit()/rollback() send COMMIT/ROLLBACK only where the adapter ends the transaction itself
// (options.usePhantomQuery: libsql). pg's release the connection after the COMMIT Prisma (or our
// Kysely driver) sent through executeRaw, already counted: counting them too made PostgreSQL's
// notification one statement more than SQLite's.
const PHANTOM_TRANSACTION_STATEMENTS = new Set<PropertyKey>(["queryRaw", "executeRaw", "commit", "rollback"]);
const TRANSACTION_STATEMENTS = new Set<PropertyKey>(["queryRaw", "executeRaw"]);

/** Prisma's adapter factory, with every statement its connections send counted against the current request. */
export function countingStatements<F extends { connect(): Promise<object> }>(factory: F): F {
  const transaction = (tx: unknown) => {
    const phantom = (tx as { options?: { usePhantomQuery?: boolean } }).options?.usePhantomQuery !== false;
    return countCalls(tx as object, phantom ? PHANTOM_TRANSACTION_STATEMENTS : TRANSACTION_STATEMENTS);
  };
  const adapter = (connection: unknown) =>
    countCalls(connection as object, new Set([...STATEMENTS, "startTransaction"]), { startTransaction: transaction });
  return countCalls(factory, new Set(), { connect: adapter });
}
