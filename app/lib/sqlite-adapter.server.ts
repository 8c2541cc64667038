// The Prisma adapter for SQLite (libsql) with a busy timeout on every connection. libsql's client
// hands its connection to each interactive transaction and opens a fresh one for what follows,
// so a `PRAGMA busy_timeout` run once at start only covered the first connection: after the first
// transaction, a write that met another process's lock (an ops command, a backup, the chaos
// suite's lock) failed at once with P1008 "Operation has timed out" instead of waiting.
import { PrismaLibSQL } from "@prisma/adapter-libsql";

type LibsqlConfig = Parameters<PrismaLibSQL["createClient"]>[0];
type LibsqlClient = ReturnType<PrismaLibSQL["createClient"]>;

export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** Runs the pragma on each connection before its first statement. */
export function withBusyTimeout(client: LibsqlClient, timeoutMs: number = SQLITE_BUSY_TIMEOUT_MS): LibsqlClient {
  let fresh = true;
  const ensure = async () => {
    if (!fresh) return;
    fresh = false;
    await client.execute(`PRAGMA busy_timeout = ${Math.trunc(timeoutMs)}`);
  };
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property === "transaction") {
        // BEGIN IMMEDIATE ("write"), whatever Prisma asked for: the wait for another process's lock
        // then happens at BEGIN, where the busy timeout applies. A deferred transaction that reads
        // and later writes cannot wait: SQLite answers SQLITE_BUSY_SNAPSHOT at once.
        return async () => {
          await ensure();
          const tx: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, ["write"]);
          // The transaction took this connection; the client opens a new one next time.
          fresh = true;
          return tx;
        };
      }
      if (property === "execute" || property === "batch" || property === "executeMultiple") {
        return async (...args: unknown[]) => {
          await ensure();
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

export class BusyTimeoutPrismaLibSQL extends PrismaLibSQL {
  override createClient(config: LibsqlConfig): LibsqlClient {
    return withBusyTimeout(super.createClient(config));
  }
}
