// The per-request statement counter (app/lib/statement-count.server.ts) counts what the database
// receives: BEGIN, each statement, and COMMIT once, whether the adapter sends COMMIT itself
// (libsql: a "phantom" transaction ended by commit()) or Prisma and our Kysely driver send it
// through executeRaw before commit() only releases the connection (pg).
import { describe, expect, it } from "vitest";
import { withRequestContext } from "~/lib/log.server";
import { countingStatements } from "~/lib/statement-count.server";

function fakeFactory(usePhantomQuery: boolean) {
  const transaction = {
    options: { usePhantomQuery },
    queryRaw: async () => ({ columnNames: [], columnTypes: [], rows: [] }),
    executeRaw: async (_query?: unknown) => 1,
    commit: async () => undefined,
    rollback: async () => undefined,
  };
  const adapter = {
    queryRaw: async () => ({ columnNames: [], columnTypes: [], rows: [] }),
    executeRaw: async (_query?: unknown) => 1,
    startTransaction: async () => transaction,
  };
  return { connect: async () => adapter };
}

async function countTransaction(usePhantomQuery: boolean): Promise<{ count: number; transactionControl: number }> {
  const statements = { count: 0, transactionControl: 0 };
  await withRequestContext({ requestId: "r", statements }, async () => {
    const adapter = await countingStatements(fakeFactory(usePhantomQuery)).connect();
    await adapter.queryRaw();
    const tx = await adapter.startTransaction();
    await tx.executeRaw({ sql: "UPDATE t SET a = 1", args: [], argTypes: [] });
    if (!usePhantomQuery) await tx.executeRaw({ sql: "COMMIT", args: [], argTypes: [] }); // as Prisma sends it on pg
    await tx.commit();
  });
  return statements;
}

describe("the statement counter", () => {
  it("counts a read, BEGIN, a write and COMMIT as four on an adapter that commits itself (SQLite)", async () => {
    expect(await countTransaction(true)).toEqual({ count: 4, transactionControl: 2 });
  });

  it("counts the same four on an adapter whose COMMIT is sent as a statement (PostgreSQL), not the release after it", async () => {
    expect(await countTransaction(false)).toEqual({ count: 4, transactionControl: 2 });
  });
});
