// The server's SQLite adapter keeps transactions on one connection (app/lib/sqlite-one-connection.server.ts).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { PrismaClient } from "@prisma/client";
import { afterEach, describe, expect, it } from "vitest";
import { OneConnectionPrismaLibSQL, sameConnectionTransactions } from "~/lib/sqlite-one-connection.server";
import { isPostgresRun } from "../support/database";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempUrl(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ecpay-one-conn-"));
  dirs.push(dir);
  return `file:${path.join(dir, "db.sqlite")}`;
}

describe("SQLite transactions on the client's own connection", () => {
  it("keeps the connection after a transaction, so connection state (a TEMP table) survives it", async () => {
    const client = sameConnectionTransactions(createClient({ url: tempUrl() }));
    await client.execute("CREATE TEMP TABLE marker (x INTEGER)");
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO marker VALUES (1)");
    await tx.commit();
    // libsql's own transaction() would have left the client on a fresh connection without the table.
    const rows = await client.execute("SELECT COUNT(*) AS n FROM marker");
    expect(Number(rows.rows[0]!.n)).toBe(1);
    client.close();
  });

  it("rolls back and leaves the connection outside any transaction", async () => {
    const client = sameConnectionTransactions(createClient({ url: tempUrl() }));
    await client.execute("CREATE TABLE t (x INTEGER)");
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO t VALUES (1)");
    await tx.rollback();
    expect(tx.closed).toBe(true);
    await expect(tx.execute("SELECT 1")).rejects.toThrow(/closed/);
    // A new transaction can begin: the previous one really ended.
    const next = await client.transaction("write");
    await next.execute("INSERT INTO t VALUES (2)");
    await next.commit();
    const rows = await client.execute("SELECT x FROM t");
    expect(rows.rows.map((r) => Number(r.x))).toEqual([2]);
    client.close();
  });

  // The generated Prisma client follows the run's provider; on a PostgreSQL run it refuses a SQLite adapter.
  it.skipIf(isPostgresRun)("commits and rolls back Prisma transactions through the server's adapter", async () => {
    const url = tempUrl();
    const setup = createClient({ url });
    await setup.execute("CREATE TABLE t (x INTEGER)");
    setup.close();
    const prisma = new PrismaClient({ adapter: new OneConnectionPrismaLibSQL({ url }) });
    await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("INSERT INTO t VALUES (1)");
    });
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe("INSERT INTO t VALUES (2)");
        throw new Error("give up");
      }),
    ).rejects.toThrow("give up");
    await prisma.$transaction([prisma.$executeRawUnsafe("INSERT INTO t VALUES (3)")]);
    const rows = await prisma.$queryRawUnsafe<{ x: number | bigint }[]>("SELECT x FROM t ORDER BY x");
    expect(rows.map((r) => Number(r.x))).toEqual([1, 3]);
    await prisma.$disconnect();
  });
});
