// What we keep of each ECPay message (notification or query answer). A message that changes state
// is stored whole: it is the audit trail. One that changes nothing (refused, or a duplicate) is
// only counted: anyone can sign stage messages and resend them, so storing each would let a
// stranger grow the database without bound. Counted messages share one row per (channel,
// outcome, trade) holding how many came, when the last did and the sha256 of its body.
import { createHash } from "node:crypto";
import { sqlOf, type SqlTarget } from "../lib/prisma-client.server";
import { newId } from "../lib/sql-schema";
import type { MethodHandle } from "./methods";

export interface NotificationEntry {
  channel: string;
  method: MethodHandle;
  merchantTradeNo: string;
  rawBody: string;
  signatureValid: boolean;
  outcome: string;
}

export const fingerprintOf = (rawBody: string) => createHash("sha256").update(rawBody, "utf8").digest("hex");

/** Stores a message that changed state, whole. */
export async function recordMessage(db: SqlTarget, entry: NotificationEntry): Promise<void> {
  const now = new Date();
  await sqlOf(db)
    .insertInto("EcpayNotification")
    .values({ id: newId(now), ...entry, fingerprint: fingerprintOf(entry.rawBody), receivedAt: now, counterKey: null, lastReceivedAt: null })
    .execute();
}

/**
 * Counts a message that changed nothing: one INSERT … ON CONFLICT ("counterKey") DO UPDATE, so
 * two instances counting the same key at once both count. Not inside a settlement transaction.
 */
export async function countMessage(db: SqlTarget, entry: NotificationEntry, now: Date): Promise<void> {
  const counterKey = `${entry.channel}:${entry.outcome}:${entry.merchantTradeNo}`;
  const fingerprint = fingerprintOf(entry.rawBody);
  await sqlOf(db)
    .insertInto("EcpayNotification")
    .values({ id: newId(now), ...entry, rawBody: "", counterKey, fingerprint, count: 1, receivedAt: now, lastReceivedAt: now })
    .onConflict((conflict) =>
      conflict.column("counterKey").doUpdateSet((eb) => ({
        count: eb("EcpayNotification.count", "+", 1),
        lastReceivedAt: now,
        fingerprint,
        signatureValid: entry.signatureValid,
      })),
    )
    .execute();
}
