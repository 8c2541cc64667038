// The outbox's write side, which the domain writes to (DESIGN §3 "Nothing lost"): every Shopify
// mutation is a row enqueued in the same transaction as the state change it reports. Delivery is
// app/jobs/outbox.server.ts, which only this module's events connect to the domain.
import { EventEmitter } from "node:events";
import { sqlOf, type SqlTarget } from "../lib/prisma-client.server";
import { newId } from "../lib/sql-schema";
import type { MethodHandle } from "./methods";
import type { PaymentsMutationName, PaymentsMutationVariables } from "../shopify/payments-apps-api";

export interface OutboxInput<N extends PaymentsMutationName> {
  shop: string;
  method: MethodHandle;
  mutation: N;
  /** The Shopify session id (PaymentSession.id / OperationSession.id) or a configure key: one row per mutation and subject. */
  subjectId: string;
  variables: PaymentsMutationVariables[N];
  notBefore?: Date;
}

const wake = new EventEmitter();

/**
 * Queue a mutation inside the caller's transaction (a Kysely one, or a Prisma interactive one). A
 * second enqueue of the same mutation for the same subject is a no-op: one INSERT … ON CONFLICT
 * DO NOTHING on the (mutation, subjectId) unique key, on both databases.
 */
export async function enqueue<N extends PaymentsMutationName>(tx: SqlTarget, input: OutboxInput<N>): Promise<void> {
  const now = new Date();
  await sqlOf(tx)
    .insertInto("OutboxMessage")
    .values({
      id: newId(now),
      shop: input.shop,
      method: input.method,
      mutation: input.mutation,
      subjectId: input.subjectId,
      variables: JSON.stringify(input.variables),
      nextAttemptAt: input.notBefore ?? now,
      lockedBy: null,
      lockedUntil: null,
      lastError: null,
      response: null,
      deliveredAt: null,
      createdAt: now,
    })
    .onConflict((conflict) => conflict.columns(["mutation", "subjectId"]).doNothing())
    .execute();
}

/** Tell the in-process worker there is something to deliver (after the transaction committed). */
export function notifyOutbox(): void {
  wake.emit("work");
}

export function onOutboxWork(listener: () => void): () => void {
  wake.on("work", listener);
  return () => wake.off("work", listener);
}

/** Called by the delivery worker after each pass over what was due. */
export function reportOutboxPass(): void {
  wake.emit("pass");
}

/**
 * Wake delivery and give it a moment, so the merchant usually sees Shopify's answer on the next
 * page. Returns at once when no worker runs in this process (DISABLE_WORKERS=1).
 */
export async function deliverSoon(waitMs = 4_000): Promise<void> {
  if (wake.listenerCount("work") === 0) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wake.off("pass", done);
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    timer.unref();
    wake.on("pass", done);
    wake.emit("work");
  });
}
