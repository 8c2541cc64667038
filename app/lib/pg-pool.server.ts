// The PostgreSQL connection pool. pg emits 'error' on a client whose connection the server ends
// (a failover, a restart, pg_terminate_backend); a client checked out at that moment has no
// listener of the pool's or the adapter's, and an unhandled 'error' event kills the process: the
// chaos run's PostgreSQL restarts crashed the server that way. Every client gets a listener.
import pg from "pg";
import { log } from "./log.server";

export function createPgPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  const lost = (error: Error) => log().error(`database connection lost: ${error.message}`);
  pool.on("connect", (client) => client.on("error", lost));
  pool.on("error", lost);
  return pool;
}
