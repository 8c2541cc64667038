// The outbox: every Shopify mutation is a row written in the same transaction as the state change
// it reports, then delivered by a worker with exponential backoff and jitter until Shopify confirms.
// Claims are atomic row updates, so several server instances never deliver the same row at once.
import { randomUUID } from "node:crypto";
import type { OutboxMessage, Prisma } from "@prisma/client";
import type { Deps } from "../payments/ports";
import { isMethodHandle } from "../payments/methods";
import { outsideUrlProblem } from "../payments/outside-url";
import type { Tx } from "../db.server";
import { chaosPoint } from "../lib/chaos.server";
import { claimBatch, leaseFree, newClaim, type LeaseTable } from "../lib/lease.server";
import { log, logPaymentEvent } from "../lib/log.server";
import { metrics } from "../lib/metrics.server";
import type { PaymentsMutationName, PaymentsMutationVariables } from "../shopify/payments-apps-api";
import { backoffMs } from "../lib/backoff";
import { addFlag } from "../payments/settlement.server";
import { hasFlag } from "../payments/settlement-rules";
import { PENDING_RETRY_WINDOW_MS } from "../payments/time-limits";

/** A claimed row stays ours this long: longer than one delivery can take (the client's timeout), short enough that a crashed worker's rows are picked up soon. */
export const OUTBOX_LEASE_MS = Number(process.env.SHOPIFY_API_TIMEOUT_MS ?? 10_000) + 5_000;
const MAX_AGE_MS = 7 * 24 * 3600_000; // keep retrying for a week, then flag for an operator

/** The outbox's lease: lockedBy names the claim (one token per batch), lockedUntil its expiry. */
export function outboxLease(db: Deps["db"]): LeaseTable<string, OutboxMessage> & Required<Pick<LeaseTable<string, OutboxMessage>, "heldBy">> {
  return {
    take: async (ids, claim) => {
      // One conditional UPDATE claims every candidate still free (another instance may have taken
      // some since the read): one write per batch, not one committed write per row.
      const { count } = await db.outboxMessage.updateMany({
        where: { status: "PENDING", ...leaseFree(claim.at), id: { in: [...ids] } },
        data: { lockedBy: claim.token, lockedUntil: claim.until },
      });
      return count;
    },
    heldBy: (ids, claim) => db.outboxMessage.findMany({ where: { id: { in: [...ids] }, lockedBy: claim.token }, orderBy: { nextAttemptAt: "asc" } }),
  };
}

async function claim(deps: Deps, workerId: string, limit: number): Promise<OutboxMessage[]> {
  const now = deps.now();
  const candidates = await deps.db.outboxMessage.findMany({
    where: { status: "PENDING", ...leaseFree(now), nextAttemptAt: { lte: now } },
    orderBy: { nextAttemptAt: "asc" },
    take: limit,
    select: { id: true },
  });
  return claimBatch(outboxLease(deps.db), candidates.map((c) => c.id), newClaim(now, OUTBOX_LEASE_MS, workerId));
}

/** What a delivered mutation changes on our side (nextAction URL, configured state). */
async function applyDelivered(tx: Tx, message: OutboxMessage, nextActionUrl: string | null) {
  switch (message.mutation as PaymentsMutationName) {
    case "paymentSessionResolve":
    case "paymentSessionReject":
    case "paymentSessionPending":
      if (nextActionUrl) {
        // The buyer is redirected there: a URL that is not plain https on a DNS host is never
        // stored, as if Shopify had given none (the buyer keeps the waiting page).
        const problem = outsideUrlProblem(nextActionUrl);
        if (problem) {
          log().error({ paymentId: message.subjectId }, `Shopify's nextAction URL is refused (${problem}): ${JSON.stringify(nextActionUrl.slice(0, 200))}`);
          return;
        }
        await tx.paymentSession.updateMany({ where: { id: message.subjectId }, data: { nextActionUrl } });
      }
      return;
    case "paymentsAppConfigure": {
      const vars = JSON.parse(message.variables) as PaymentsMutationVariables["paymentsAppConfigure"];
      if (isMethodHandle(message.method)) {
        await tx.shopInstallation.updateMany({
          where: { method: message.method, shop: message.shop },
          data: { configuredReady: vars.ready, configuredHandle: vars.externalHandle ?? null, configureError: null },
        });
      }
      return;
    }
    default:
      return;
  }
}

/** Set on a payment whose Shopify pending window was shortened below ECPay's ATM deadline. */
export const PENDING_WINDOW_SHORTENED = "PENDING_WINDOW_SHORTENED";

/**
 * Shopify refused paymentSessionPending's pendingExpiresAt as out of range. ECPay's ATM deadline
 * is already chosen to fall within Shopify's documented 3 days (ATM_MAX_EXPIRE_DAYS), so this store's
 * limit is shorter than documented. Giving up would strand the buyer: ECPay has issued an account
 * Shopify never hears of, and no order exists. So we retry once, at once, with the window clamped
 * to a day, and flag the payment: the merchant learns Shopify's order may show expired before
 * ECPay's deadline, while a transfer until that deadline is still settled (the session's
 * pendingExpiresAt keeps ECPay's deadline). The flag also marks the retry as spent: a second
 * refusal is final. Returns the variables to retry with, or null.
 */
async function clampedPendingRetry(deps: Deps, message: OutboxMessage, codes: readonly string[], now: Date) {
  if (message.mutation !== "paymentSessionPending" || !codes.includes("OUT_OF_RANGE_PENDING_EXPIRES_AT")) return null;
  const session = await deps.db.paymentSession.findUnique({ where: { id: message.subjectId }, select: { flag: true } });
  if (!session || hasFlag(session.flag, PENDING_WINDOW_SHORTENED)) return null;
  const variables = JSON.parse(message.variables) as PaymentsMutationVariables["paymentSessionPending"];
  const asked = Date.parse(variables.pendingExpiresAt);
  const clamped = now.getTime() + PENDING_RETRY_WINDOW_MS;
  if (!(asked > clamped)) return null;
  return { ...variables, pendingExpiresAt: new Date(clamped).toISOString() };
}

async function recordFailure(tx: Tx, message: OutboxMessage, error: string) {
  if (message.mutation === "paymentsAppConfigure") {
    await tx.shopInstallation.updateMany({ where: { method: message.method, shop: message.shop }, data: { configureError: error } });
  }
}

export interface DeliveryReport {
  delivered: number;
  retried: number;
  failed: number;
}

/** Deliver what is due. Safe to run from several processes at once. */
export async function deliverDue(deps: Deps, options: { workerId?: string; limit?: number } = {}): Promise<DeliveryReport> {
  const workerId = options.workerId ?? randomUUID();
  const report: DeliveryReport = { delivered: 0, retried: 0, failed: 0 };
  const messages = await claim(deps, workerId, options.limit ?? 20);
  // A batch is mostly one shop's mutations: read each app's token once per batch, not per message
  // (every query costs ~2 ms of CPU, README "Benchmark").
  const tokens = new Map<string, Promise<string | null>>();
  const tokenFor = (message: OutboxMessage): Promise<string | null> => {
    const key = `${message.method} ${message.shop}`;
    let token = tokens.get(key);
    if (!token) {
      token = isMethodHandle(message.method) ? deps.tokens.offlineToken(message.method, message.shop) : Promise.resolve(null);
      tokens.set(key, token);
    }
    return token;
  };
  await Promise.all(
    messages.map(async (message) => {
      const outcome = await deliverOne(deps, message, await tokenFor(message));
      report[outcome] += 1;
    }),
  );
  return report;
}

async function deliverOne(deps: Deps, message: OutboxMessage, token: string | null): Promise<keyof DeliveryReport> {
  chaosPoint("outbox-claimed", `${message.mutation} ${message.subjectId}`);
  const attempts = message.attempts + 1;
  const now = deps.now();
  const result = token
    ? await deps.shopify.mutate(message.shop, token, message.mutation as PaymentsMutationName, JSON.parse(message.variables))
    : null;

  const log: Prisma.OutboxAttemptUncheckedCreateInput = { messageId: message.id, ok: false };
  let status: "DELIVERED" | "PENDING" | "FAILED" = "PENDING";
  let nextAttemptAt = new Date(now.getTime() + backoffMs(attempts));
  let lastError: string | null = null;
  let response: string | null = null;
  let retryVariables: PaymentsMutationVariables["paymentSessionPending"] | null = null;

  if (!result) {
    lastError = "no offline access token for this shop and app (uninstalled?)";
  } else if (result.isOk()) {
    chaosPoint("outbox-delivered", `${message.mutation} ${message.subjectId}`);
    status = "DELIVERED";
    log.ok = true;
    response = JSON.stringify(result.value.data);
  } else {
    const error = result.error;
    lastError = "messages" in error ? error.messages.join("; ") : error.message;
    if (error.kind === "user-error") {
      response = JSON.stringify(error.data);
      retryVariables = error.final ? await clampedPendingRetry(deps, message, error.codes, now) : null;
      if (retryVariables) nextAttemptAt = now;
      else if (error.final) status = "FAILED";
      else nextAttemptAt = new Date(now.getTime() + Math.min(backoffMs(attempts), 5_000));
    } else if (error.kind === "throttled") {
      nextAttemptAt = new Date(now.getTime() + Math.max(error.retryAfterMs, 1_000));
    } else if (error.kind === "unauthorized" || error.kind === "transient") {
      log.httpStatus = error.status ?? null;
    }
  }
  if (status === "PENDING" && now.getTime() - message.createdAt.getTime() > MAX_AGE_MS) status = "FAILED";
  log.error = lastError;
  log.response = response;

  await deps.db.$transaction(async (tx) => {
    await tx.outboxAttempt.create({ data: log });
    await tx.outboxMessage.update({
      where: { id: message.id },
      data: {
        status,
        attempts,
        lastError,
        response,
        nextAttemptAt,
        lockedBy: null,
        lockedUntil: null,
        deliveredAt: status === "DELIVERED" ? now : null,
        ...(retryVariables ? { variables: JSON.stringify(retryVariables) } : {}),
      },
    });
    if (retryVariables) await addFlag(tx, message.subjectId, PENDING_WINDOW_SHORTENED);
    if (status === "DELIVERED" && result?.isOk()) await applyDelivered(tx, message, result.value.nextActionUrl);
    if (status === "FAILED") await recordFailure(tx, message, lastError ?? "failed");
  });
  const outcome = status === "DELIVERED" ? "delivered" : status === "FAILED" ? "failed" : "retried";
  metrics().shopifyMutations.inc({ mutation: message.mutation, outcome });
  const subject = message.mutation.startsWith("paymentSession")
    ? { paymentId: message.subjectId }
    : /^(refund|capture|void)Session/.test(message.mutation)
      ? { operationId: message.subjectId }
      : {};
  const fields = { shop: message.shop, method: message.method, mutation: message.mutation, attempt: attempts, ...subject };
  if (status === "DELIVERED") logPaymentEvent("shopify.delivered", fields);
  else if (status === "FAILED") logPaymentEvent("shopify.failed", { ...fields, reason: (lastError ?? "failed").slice(0, 300) });
  else logPaymentEvent("shopify.retrying", { ...fields, nextAttemptAt: nextAttemptAt.toISOString(), reason: (lastError ?? "").slice(0, 300) });
  return outcome;
}
