// SQLite transactions on the client's own connection. libsql's client hands its connection to each
// interactive transaction, opens a new one for what follows and never closes the one it handed
// out: every transaction left a native SQLite connection (page cache, schema, statements) to a
// garbage collector that cannot see native memory (the server passed 800 MB in `npm run bench`),
// and paid for opening a connection and parsing the schema again. Prisma's libsql adapter holds
// its lock for the whole transaction, so nothing else uses the connection meanwhile: BEGIN
// IMMEDIATE … COMMIT on that connection is safe, and the wait for another process's write lock
// happens at BEGIN, where the busy timeout applies.
import type { InStatement, ResultSet, Transaction } from "@libsql/client";
import { BusyTimeoutPrismaLibSQL } from "./sqlite-adapter.server";

type LibsqlClient = ReturnType<BusyTimeoutPrismaLibSQL["createClient"]>;
type LibsqlConfig = Parameters<BusyTimeoutPrismaLibSQL["createClient"]>[0];

const noActiveTransaction = (error: unknown) => error instanceof Error && /no transaction is active/i.test(error.message);

function sameConnectionTransaction(client: LibsqlClient): Transaction {
  let open = true;
  const end = async (sql: "COMMIT" | "ROLLBACK") => {
    if (!open) return;
    open = false;
    try {
      await client.execute(sql);
    } catch (error) {
      // SQLite may have rolled back already (some errors end the transaction); otherwise never
      // leave the shared connection inside a transaction.
      if (sql === "ROLLBACK" && noActiveTransaction(error)) return;
      if (sql === "COMMIT") await client.execute("ROLLBACK").catch(() => undefined);
      throw error;
    }
  };
  const execute = (stmt: InStatement): Promise<ResultSet> =>
    open ? client.execute(stmt) : Promise.reject(new Error("The transaction is closed"));
  return {
    execute,
    // client.batch would open a transaction of its own: run the statements in this one.
    async batch(stmts: InStatement[]) {
      const results: ResultSet[] = [];
      for (const stmt of stmts) results.push(await execute(stmt));
      return results;
    },
    executeMultiple: (sql: string) => client.executeMultiple(sql),
    commit: () => end("COMMIT"),
    rollback: () => end("ROLLBACK"),
    close() {
      void end("ROLLBACK").catch(() => undefined);
    },
    get closed() {
      return !open;
    },
  } as Transaction;
}

/** The client with transactions that stay on its connection (see above). */
export function sameConnectionTransactions(client: LibsqlClient): LibsqlClient {
  return new Proxy(client, {
    get(target, property) {
      if (property === "transaction") {
        return async () => {
          await target.execute("BEGIN IMMEDIATE");
          return sameConnectionTransaction(target);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The server's SQLite adapter: busy timeout (sqlite-adapter.server.ts) and one connection. */
export class OneConnectionPrismaLibSQL extends BusyTimeoutPrismaLibSQL {
  override createClient(config: LibsqlConfig): LibsqlClient {
    return sameConnectionTransactions(super.createClient(config));
  }
}
