// One trade as a message about it needs it, in one statement: the attempt (by MerchantTradeNo),
// its session, and the shop's ECPay binding for the MerchantID the attempt was created under
// (stage or production), joined. A notification reads this once (issue 15: a notification is at
// most 5 statements); a settlement that lost a race reads it again inside its transaction.
import { Prisma, type EcpayBinding, type PaymentAttempt, type PaymentSession } from "@prisma/client";
import { sql as raw } from "kysely";
import { sqlOf, type SqlTarget } from "../lib/prisma-client.server";

export interface TradeRows {
  attempt: PaymentAttempt;
  session: PaymentSession;
  /** The binding whose keys sign this attempt's messages (bindings.server.ts attemptCredentials), if the shop has it. */
  binding: EcpayBinding | null;
}

// Every column of each model, from the client Prisma generated for this schema.
const ATTEMPT = Object.values(Prisma.PaymentAttemptScalarFieldEnum);
const SESSION = Object.values(Prisma.PaymentSessionScalarFieldEnum);
const BINDING = Object.values(Prisma.EcpayBindingScalarFieldEnum);

const aliased = (table: "a" | "s" | "b", columns: readonly string[]) => columns.map((column) => raw.ref(`${table}.${column}`).as(`${table}_${column}`));

function pick<T>(row: Record<string, unknown>, table: string, columns: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const column of columns) out[column] = row[`${table}_${column}`];
  return out as T;
}

export async function readTrade(db: SqlTarget, merchantTradeNo: string, options: { binding?: boolean } = {}): Promise<TradeRows | null> {
  let query = sqlOf(db)
    .selectFrom("PaymentAttempt as a")
    .innerJoin("PaymentSession as s", "s.id", "a.paymentSessionId")
    .select([...aliased("a", ATTEMPT), ...aliased("s", SESSION)])
    .where("a.merchantTradeNo", "=", merchantTradeNo)
    .limit(1);
  if (options.binding) {
    query = query
      .leftJoin("EcpayBinding as b", (join) =>
        join
          .onRef("b.shop", "=", "s.shop")
          .on((eb) =>
            eb.or([
              eb.and([eb("a.stage", "=", true), eb("b.stageMerchantId", "=", eb.ref("a.merchantId"))]),
              eb.and([eb("a.stage", "=", false), eb("b.merchantId", "=", eb.ref("a.merchantId"))]),
            ]),
          ),
      )
      .select(aliased("b", BINDING)) as unknown as typeof query;
  }
  const row = (await query.executeTakeFirst()) as Record<string, unknown> | undefined;
  if (!row) return null;
  return {
    attempt: pick<PaymentAttempt>(row, "a", ATTEMPT),
    session: pick<PaymentSession>(row, "s", SESSION),
    binding: options.binding && row.b_id != null ? pick<EcpayBinding>(row, "b", BINDING) : null,
  };
}
