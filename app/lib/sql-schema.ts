// The tables as Kysely sees them, built from the model types Prisma generates from
// prisma/schema.prisma: a renamed or retyped column breaks compilation of every Kysely query
// that uses it, exactly as it breaks Prisma's. Columns whose default the database itself applies
// (the literal @default(...) of the schema, also in the migrations) may be left out of an insert;
// now(), cuid() and @updatedAt are Prisma's client-side defaults, so a Kysely insert must give
// them (newId() and a Date).
import { randomBytes } from "node:crypto";
import type * as Models from "@prisma/client";
import type { ColumnType } from "kysely";

/** The model's columns, those in `Defaulted` optional on insert. */
type Table<M, Defaulted extends keyof M = never> = {
  [C in keyof M]: C extends Defaulted ? ColumnType<M[C], M[C] | undefined, M[C]> : M[C];
};

export interface Database {
  Session: Table<Models.Session, "isOnline" | "accountOwner" | "collaborator" | "emailVerified">;
  ShopInstallation: Table<Models.ShopInstallation, "status" | "configuredReady" | "settings">;
  EcpayBinding: Table<Models.EcpayBinding>;
  PaymentSession: Table<Models.PaymentSession, "status" | "capturedAmount" | "refundedAmount">;
  PaymentAttempt: Table<Models.PaymentAttempt, "status" | "simulatePaid" | "unionPay" | "closePending">;
  EcpayNotification: Table<Models.EcpayNotification, "count">;
  OperationSession: Table<Models.OperationSession, "status" | "simulated" | "attempts">;
  OutboxMessage: Table<Models.OutboxMessage, "status" | "attempts">;
  OutboxAttempt: Table<Models.OutboxAttempt>;
  AdminSession: Table<Models.AdminSession>;
  RateLimit: Table<Models.RateLimit>;
}

/**
 * A row id for what Prisma would give a cuid(): "c", the time in base 36 (so ids sort roughly by
 * creation, as cuids do) and 64 random bits.
 */
export function newId(now: Date = new Date()): string {
  return `c${now.getTime().toString(36)}${randomBytes(8).toString("hex")}`;
}
