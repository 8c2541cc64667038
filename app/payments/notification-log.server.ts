// What we keep of each ECPay message (notification or query answer). A message that changes state
// is stored whole: it is the audit trail. One that changes nothing (refused, or a duplicate) is
// only counted: anyone can sign stage messages and resend them, so storing each would let a
// stranger grow the database without bound. Counted messages share one row per (channel,
// outcome, trade) holding how many came, when the last did and the sha256 of its body.
import { createHash } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import type { Tx } from "../db.server";
import type { MethodHandle } from "./methods";
import { isUniqueViolation } from "./unique-violation";

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
export async function recordMessage(db: Tx | PrismaClient, entry: NotificationEntry): Promise<void> {
  await db.ecpayNotification.create({ data: { ...entry, fingerprint: fingerprintOf(entry.rawBody) } });
}

/**
 * Counts a message that changed nothing. Not inside a settlement transaction: a unique-key race
 * between two instances is settled by updating the row the other one created.
 */
export async function countMessage(db: PrismaClient, entry: NotificationEntry, now: Date): Promise<void> {
  const counterKey = `${entry.channel}:${entry.outcome}:${entry.merchantTradeNo}`;
  const fingerprint = fingerprintOf(entry.rawBody);
  const bump = () =>
    db.ecpayNotification.updateMany({
      where: { counterKey },
      data: { count: { increment: 1 }, lastReceivedAt: now, fingerprint, signatureValid: entry.signatureValid },
    });
  if ((await bump()).count > 0) return;
  try {
    await db.ecpayNotification.create({
      data: { ...entry, rawBody: "", counterKey, fingerprint, count: 1, receivedAt: now, lastReceivedAt: now },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await bump();
  }
}
