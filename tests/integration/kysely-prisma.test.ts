// Kysely on Prisma's driver adapter (app/lib/kysely-prisma.server.ts), on this run's database:
// what one writes the other reads back identically (dates, booleans, enums, nulls), both on the
// client's own adapter and inside a Prisma interactive transaction, and Kysely's transactions
// commit and roll back.
import type { PaymentSession } from "@prisma/client";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { inTransaction, sqlOf, type Sql } from "~/lib/prisma-client.server";
import { newId } from "~/lib/sql-schema";
import { readTrade } from "~/payments/trade-read.server";
import { isUniqueViolation } from "~/payments/unique-violation";
import { isPostgresRun } from "../support/database";
import { databasePerFile } from "../support/per-file";


const file = databasePerFile();

const AT = new Date("2026-12-03T04:05:06.789Z");

function session(id: string): PaymentSession {
  return {
    id,
    gid: `gid://shopify/PaymentSession/${id}`,
    method: "atm",
    shop: "kysely.myshopify.com",
    group: `group-${id}`,
    amount: 1200,
    amountRaw: "1200.00",
    currency: "TWD",
    kind: "AUTHORIZATION",
    test: true,
    cancelUrl: "https://kysely.myshopify.com/cancel",
    merchantLocale: null,
    customer: JSON.stringify({ email: "a@b.tw" }),
    customerEmail: null,
    proposedAt: AT,
    status: "PENDING",
    capturedAmount: 0,
    refundedAmount: 0,
    authorizationExpiresAt: null,
    pendingExpiresAt: new Date("2026-12-06T15:59:59.000Z"),
    nextActionUrl: null,
    rejectCode: null,
    merchantMessage: "付款期限 deadline",
    flag: null,
    settledGroup: null,
    createdAt: AT,
    updatedAt: AT,
  };
}

/** The column as the database stores it, as text: the format each side wrote. */
async function storedText(id: string, column: "proposedAt" | "test"): Promise<unknown> {
  const rows = isPostgresRun
    ? await file.prisma.$queryRawUnsafe<{ v: string }[]>(`SELECT "${column}"::text AS v FROM "PaymentSession" WHERE id = $1`, id)
    : await file.prisma.$queryRawUnsafe<{ v: string }[]>(`SELECT CAST("${column}" AS TEXT) AS v FROM "PaymentSession" WHERE id = ?`, id);
  return rows[0]?.v;
}

describe.each([
  ["on the client's own adapter", (run: (k: Sql) => Promise<void>) => run(sqlOf(file.prisma))],
  ["inside a Prisma interactive transaction", (run: (k: Sql) => Promise<void>) => file.prisma.$transaction((tx) => run(sqlOf(tx)))],
])("Kysely %s", (_where, using) => {
  it("reads a row Prisma wrote exactly as Prisma's client returns it", async () => {
    const id = newId();
    await file.prisma.paymentSession.create({ data: session(id) });
    const expected = await file.prisma.paymentSession.findUniqueOrThrow({ where: { id } });
    await using(async (k) => {
      const row = await k.selectFrom("PaymentSession").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      expect(row).toEqual(expected);
      expect(row.proposedAt).toBeInstanceOf(Date);
      expect(row.test).toBe(true);
    });
  });

  it("writes a row Prisma reads back identically, stored in the same format Prisma stores", async () => {
    const id = newId();
    const byPrisma = newId();
    await file.prisma.paymentSession.create({ data: session(byPrisma) });
    await using(async (k) => {
      await k.insertInto("PaymentSession").values(session(id)).execute();
    });
    expect(await file.prisma.paymentSession.findUniqueOrThrow({ where: { id } })).toEqual(session(id));
    expect(await storedText(id, "proposedAt")).toBe(await storedText(byPrisma, "proposedAt"));
    expect(await storedText(id, "test")).toBe(await storedText(byPrisma, "test"));
  });

  it("compares an enum column with a text parameter and updates with counts", async () => {
    const id = newId();
    await file.prisma.paymentSession.create({ data: session(id) });
    await using(async (k) => {
      const result = await k
        .updateTable("PaymentSession")
        .set({ status: "PAID", capturedAmount: (eb) => eb("capturedAmount", "+", 1200), updatedAt: AT })
        .where("id", "=", id)
        .where("method", "=", "atm")
        .where("status", "=", "PENDING")
        .executeTakeFirst();
      expect(result.numUpdatedRows).toBe(1n);
      const again = await k.updateTable("PaymentSession").set({ status: "PAID" }).where("id", "=", id).where("status", "=", "PENDING").executeTakeFirst();
      expect(again.numUpdatedRows).toBe(0n);
    });
    expect(await file.prisma.paymentSession.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "PAID", capturedAmount: 1200 });
  });

  it("reports a unique violation as the app recognises one", async () => {
    const id = newId();
    await file.prisma.paymentSession.create({ data: session(id) });
    await using(async (k) => {
      // Inside a PostgreSQL transaction a failed statement aborts it: only try where it may go on.
      const error = await k.insertInto("PaymentSession").values(session(id)).execute().then(() => null, (e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);
    }).catch((error: unknown) => {
      if (!isPostgresRun) throw error;
    });
  });
});

describe("Kysely transactions on the adapter", () => {
  it("commit what they wrote", async () => {
    const id = newId();
    const seen = await inTransaction(file.prisma, async (k) => {
      await k.insertInto("PaymentSession").values(session(id)).execute();
      return k.selectFrom("PaymentSession").select("id").where("id", "=", id).executeTakeFirst();
    });
    expect(seen).toEqual({ id });
    expect(await file.prisma.paymentSession.count({ where: { id } })).toBe(1);
  });

  it("roll back everything when the work throws, and the connection serves Prisma afterwards", async () => {
    const id = newId();
    await expect(
      inTransaction(file.prisma, async (k) => {
        await k.insertInto("PaymentSession").values(session(id)).execute();
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await file.prisma.paymentSession.count({ where: { id } })).toBe(0);
  });

  it("run inside a Prisma interactive transaction when handed one, and roll back with it", async () => {
    const id = newId();
    await expect(
      file.prisma.$transaction(async (tx) => {
        await inTransaction(tx, (k) => k.insertInto("PaymentSession").values(session(id)).execute());
        expect(await tx.paymentSession.count({ where: { id } })).toBe(1);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await file.prisma.paymentSession.count({ where: { id } })).toBe(0);
  });

  it("keep concurrent transactions apart (one SQLite connection, or the pg pool)", async () => {
    const ids = [newId(), newId(), newId(), newId()];
    await Promise.all(
      ids.map((id) =>
        inTransaction(file.prisma, async (k) => {
          await k.insertInto("PaymentSession").values(session(id)).execute();
          await k.updateTable("PaymentSession").set({ flag: id }).where("id", "=", id).execute();
        }),
      ),
    );
    const rows = await file.prisma.paymentSession.findMany({ where: { id: { in: ids } }, select: { id: true, flag: true } });
    expect(rows.map((r) => r.flag).sort()).toEqual([...ids].sort());
  });
});

describe("other column types", () => {
  it("reads a BigInt and nullable booleans as Prisma does", async () => {
    const id = newId();
    await file.prisma.session.create({ data: { id, shop: "kysely.myshopify.com", state: "s", accessToken: "t", userId: 4_294_967_297n, collaborator: null, expires: AT } });
    const row = await sqlOf(file.prisma).selectFrom("Session").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(row).toEqual(await file.prisma.session.findUniqueOrThrow({ where: { id } }));
    expect(row.userId).toBe(4_294_967_297n);
    expect(row.collaborator).toBeNull();
    expect(row.isOnline).toBe(false);
  });

  it.runIf(isPostgresRun)("parses PostgreSQL json as Prisma does (the schema keeps JSON in text columns)", async () => {
    const { rows } = await sql<{ j: unknown }>`SELECT '{"a":[1,null]}'::jsonb AS j`.execute(sqlOf(file.prisma));
    expect(rows[0]).toEqual({ j: { a: [1, null] } });
  });
});

describe("one trade in one statement (app/payments/trade-read.server.ts)", () => {
  it("joins attempt, session and the binding of the attempt's MerchantID, each as Prisma returns it", async () => {
    const id = newId();
    await file.prisma.paymentSession.create({ data: session(id) });
    const shop = "kysely.myshopify.com";
    const merchantId = `M${id.slice(-6)}`;
    const binding = await file.prisma.ecpayBinding.create({
      data: { shop, merchantId, hashKeyEnc: "k", hashIvEnc: "v", stageMerchantId: `S${id.slice(-6)}`, stageHashKeyEnc: "sk", stageHashIvEnc: "sv", verifiedAt: AT },
    });
    await file.prisma.ecpayBinding.create({ data: { shop: "other.myshopify.com", merchantId, hashKeyEnc: "x", hashIvEnc: "y" } });
    const production = `P${id.slice(-10)}`;
    const stage = `T${id.slice(-10)}`;
    await file.prisma.paymentAttempt.create({ data: { merchantTradeNo: production, paymentSessionId: id, merchantId, stage: false, amount: 1200, installmentStages: 3 } });
    await file.prisma.paymentAttempt.create({ data: { merchantTradeNo: stage, paymentSessionId: id, merchantId: binding.stageMerchantId!, stage: true, amount: 1200 } });

    const expected = async (merchantTradeNo: string) => {
      const { paymentSession, ...attempt } = await file.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo }, include: { paymentSession: true } });
      return { attempt, session: paymentSession, binding };
    };
    expect(await readTrade(file.prisma, production, { binding: true })).toEqual(await expected(production));
    expect(await readTrade(file.prisma, stage, { binding: true })).toEqual(await expected(stage));
    expect(await readTrade(file.prisma, stage)).toEqual({ ...(await expected(stage)), binding: null });
    const inside = await file.prisma.$transaction((tx) => readTrade(tx, production, { binding: true }));
    expect(inside).toEqual(await expected(production));
    expect(await readTrade(file.prisma, "NO-SUCH-TRADE", { binding: true })).toBeNull();
  });
});
