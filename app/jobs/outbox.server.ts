// The outbox: every Shopify mutation is a row written in the same transaction as the state change
// it reports, then delivered by a worker with exponential backoff and jitter until Shopify confirms.
// Claims are atomic row updates, so several server instances never deliver the same row at once.
import { randomUUID } from "node:crypto";
import type { OutboxMessage, Prisma } from "@prisma/client";
import type { Deps } from "../payments/ports";
import { isMethodHandle } from "../payments/methods";
import { outsideUrlProblem } from "../payments/outside-url";
import type { Tx } from "../db.server";
import { tuning } from "../config.server";
import { chaosPoint } from "../lib/chaos.server";
import { sqlOf } from "../lib/prisma-client.server";
import { claimBatch, leaseFree, newClaim, type Claim, type LeaseTable } from "../lib/lease.server";
import { log, logPaymentEvent } from "../lib/log.server";
import { metrics } from "../lib/metrics.server";
import type { PaymentsMutationName, PaymentsMutationVariables } from "../shopify/payments-apps-api";
import { backoffMs } from "../lib/backoff";
import { addFlag } from "../payments/settlement.server";
import { hasFlag } from "../payments/settlement-rules";
import { PENDING_RETRY_WINDOW_MS } from "../payments/time-limits";

/** A claimed row stays ours this long: longer than one delivery can take (the client's timeout), short enough that a crashed worker's rows are picked up soon. */
export const outboxLeaseMs = (): number => tuning().shopifyApiTimeoutMs + 5_000;
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

async function claim(deps: Deps, workerId: string, limit: number): Promise<{ claim: Claim; messages: OutboxMessage[] }> {
  const now = deps.now();
  const candidates = await deps.db.outboxMessage.findMany({
    where: { status: "PENDING", ...leaseFree(now), nextAttemptAt: { lte: now } },
    orderBy: { nextAttemptAt: "asc" },
    take: limit,
    select: { id: true },
  });
  // One claim for the batch, long enough for its calls in turn (each at most the client's timeout),
  // since a token's calls wait for one of its slots: no call starts that its lease could not cover.
  const { outboxBatchSize, outboxConcurrencyPerToken, shopifyApiTimeoutMs } = tuning();
  const rounds = Math.ceil(Math.min(limit, outboxBatchSize) / outboxConcurrencyPerToken);
  const leaseMs = Math.max(outboxLeaseMs(), Math.min(rounds, 3) * shopifyApiTimeoutMs + 5_000);
  const batchClaim = newClaim(now, leaseMs, workerId);
  return { claim: batchClaim, messages: await claimBatch(outboxLease(deps.db), candidates.map((c) => c.id), batchClaim) };
}

/**
 * The buyer is redirected to Shopify's nextAction URL: one that is not plain https on a DNS host is
 * never stored, as if Shopify had given none (the buyer keeps the waiting page).
 */
function acceptedNextActionUrl(message: OutboxMessage, url: string | null): url is string {
  if (!url) return false;
  const problem = outsideUrlProblem(url);
  if (problem) log().error({ paymentId: message.subjectId }, `Shopify's nextAction URL is refused (${problem}): ${JSON.stringify(url.slice(0, 200))}`);
  return !problem;
}

/** What a delivered mutation changes on our side (nextAction URL, configured state). */
async function applyDelivered(tx: Tx, message: OutboxMessage, nextActionUrl: string | null) {
  switch (message.mutation as PaymentsMutationName) {
    case "paymentSessionResolve":
    case "paymentSessionReject":
    case "paymentSessionPending":
      if (acceptedNextActionUrl(message, nextActionUrl)) await tx.paymentSession.updateMany({ where: { id: message.subjectId }, data: { nextActionUrl } });
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
  /** Claimed but not sent: the token was paused by Shopify's throttling, or the lease too short. Due again later. */
  released: number;
}

/** One app on one shop: one access token, and Shopify's throttling bucket. */
const tokenKey = (message: Pick<OutboxMessage, "method" | "shop">) => `${message.method} ${message.shop}`;

/**
 * Until when (epoch ms) each token must not be called: Shopify throttled it (429, THROTTLED) or its
 * reported budget ran low. Per process, like the concurrency bounds; kept across batches.
 */
const tokenPausedUntil = new Map<string, number>();

function pauseToken(key: string, untilMs: number): void {
  if ((tokenPausedUntil.get(key) ?? 0) < untilMs) tokenPausedUntil.set(key, untilMs);
}

/** Forget every token's pause (tests). */
export function clearTokenPauses(): void {
  tokenPausedUntil.clear();
}

/** What one call to Shopify decided for its row; written back with the batch. */
interface Outcome {
  message: OutboxMessage;
  status: "DELIVERED" | "PENDING" | "FAILED";
  attempts: number;
  at: Date;
  nextAttemptAt: Date;
  lastError: string | null;
  response: string | null;
  log: Prisma.OutboxAttemptUncheckedCreateInput;
  retryVariables: PaymentsMutationVariables["paymentSessionPending"] | null;
  nextActionUrl: string | null;
}

/**
 * Deliver what is due. Safe to run from several processes at once. The batch's calls run
 * concurrently, at most OUTBOX_CONCURRENCY_PER_TOKEN per app token and OUTBOX_CONCURRENCY_PER_SHOP
 * per shop; a token Shopify throttles is paused (its unsent rows go back, due when the pause ends).
 * The delivered rows are written back together, each only while this claim still holds it.
 */
export async function deliverDue(deps: Deps, options: { workerId?: string; limit?: number } = {}): Promise<DeliveryReport> {
  const workerId = options.workerId ?? randomUUID();
  const report: DeliveryReport = { delivered: 0, retried: 0, failed: 0, released: 0 };
  const { claim: batchClaim, messages } = await claim(deps, workerId, options.limit ?? tuning().outboxBatchSize);
  if (messages.length === 0) return report;
  // A batch is mostly one shop's mutations: read each app's token once per batch, not per message
  // (every query costs ~2 ms of CPU, README "Benchmark").
  const tokens = new Map<string, Promise<string | null>>();
  const tokenFor = (message: OutboxMessage): Promise<string | null> => {
    const key = tokenKey(message);
    let token = tokens.get(key);
    if (!token) {
      token = isMethodHandle(message.method) ? deps.tokens.offlineToken(message.method, message.shop) : Promise.resolve(null);
      tokens.set(key, token);
    }
    return token;
  };
  const outcomes: Outcome[] = [];
  const released = new Map<number, OutboxMessage[]>();
  const release = (message: OutboxMessage, dueAtMs: number) => released.set(dueAtMs, [...(released.get(dueAtMs) ?? []), message]);
  await runBounded(deps, batchClaim, messages, {
    send: async (message) => {
      try {
        outcomes.push(await callShopify(deps, message, await tokenFor(message)));
      } catch (error) {
        // The rest of the batch is still written back; this row stays claimed until its lease
        // lapses and is then delivered again (Shopify's idempotency makes a repeat harmless).
        log().error({ err: error, shop: message.shop, mutation: message.mutation }, `outbox: delivering ${message.id} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    release,
  });
  for (const [dueAtMs, rows] of released) {
    // Not an attempt: the row goes back as it was, due when its token may be called again.
    const { count } = await deps.db.outboxMessage.updateMany({
      where: { id: { in: rows.map((m) => m.id) }, lockedBy: batchClaim.token },
      data: { lockedBy: null, lockedUntil: null, ...(dueAtMs > 0 ? { nextAttemptAt: new Date(dueAtMs) } : {}) },
    });
    report.released += count;
  }
  for (const outcome of await writeBack(deps, batchClaim, outcomes)) report[outcome] += 1;
  return report;
}

/**
 * Send each message when its token and shop have a free slot and its token is not paused, in
 * claim order; a message whose token is paused, or that the lease could no longer cover (a call
 * takes up to the client's timeout), is released instead of sent.
 */
async function runBounded(
  deps: Deps,
  batchClaim: Claim,
  messages: readonly OutboxMessage[],
  handlers: { send(message: OutboxMessage): Promise<void>; release(message: OutboxMessage, dueAtMs: number): void },
): Promise<void> {
  const { outboxConcurrencyPerToken: perToken, outboxConcurrencyPerShop: perShop, shopifyApiTimeoutMs } = tuning();
  const waiting = [...messages];
  const inFlight = new Set<Promise<void>>();
  const byToken = new Map<string, number>();
  const byShop = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);
  while (waiting.length > 0 || inFlight.size > 0) {
    const now = deps.now().getTime();
    for (let i = 0; i < waiting.length; ) {
      const message = waiting[i]!;
      const key = tokenKey(message);
      const pausedUntil = tokenPausedUntil.get(key) ?? 0;
      if (pausedUntil > now || batchClaim.until.getTime() - now < shopifyApiTimeoutMs + 1_000) {
        waiting.splice(i, 1);
        handlers.release(message, pausedUntil > now ? pausedUntil : 0);
        continue;
      }
      if ((byToken.get(key) ?? 0) >= perToken || (byShop.get(message.shop) ?? 0) >= perShop) {
        i += 1;
        continue;
      }
      waiting.splice(i, 1);
      add(byToken, key, 1);
      add(byShop, message.shop, 1);
      const call: Promise<void> = handlers.send(message).finally(() => {
        add(byToken, key, -1);
        add(byShop, message.shop, -1);
        inFlight.delete(call);
      });
      inFlight.add(call);
    }
    if (inFlight.size > 0) await Promise.race(inFlight);
    else if (waiting.length > 0) break; // unreachable: with nothing in flight every waiting row is sent or released
  }
}

/** Call Shopify for one row and decide what becomes of it; nothing is written yet. */
async function callShopify(deps: Deps, message: OutboxMessage, token: string | null): Promise<Outcome> {
  chaosPoint("outbox-claimed", `${message.mutation} ${message.subjectId}`);
  const attempts = message.attempts + 1;
  const result = token
    ? await deps.shopify.mutate(message.shop, token, message.mutation as PaymentsMutationName, JSON.parse(message.variables))
    : null;
  const now = deps.now();

  const log: Prisma.OutboxAttemptUncheckedCreateInput = { messageId: message.id, ok: false, at: now };
  let status: Outcome["status"] = "PENDING";
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
    // Shopify's bucket for this token is nearly empty: wait until it refills enough for a full set
    // of concurrent calls instead of running into THROTTLED.
    const budget = result.value.budget;
    if (budget) {
      const needed = budget.requested * tuning().outboxConcurrencyPerToken;
      if (budget.available < needed) pauseToken(tokenKey(message), now.getTime() + Math.ceil(((needed - budget.available) / budget.restoreRate) * 1000));
    }
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
      const waitMs = Math.max(error.retryAfterMs, 1_000);
      nextAttemptAt = new Date(now.getTime() + waitMs);
      // Every call of this token waits, not just this one (Shopify's bucket is per app and shop).
      pauseToken(tokenKey(message), nextAttemptAt.getTime());
    } else if (error.kind === "unauthorized" || error.kind === "transient") {
      log.httpStatus = error.status ?? null;
    }
  }
  if (status === "PENDING" && now.getTime() - message.createdAt.getTime() > MAX_AGE_MS) status = "FAILED";
  log.error = lastError;
  log.response = response;
  return { message, status, attempts, at: now, nextAttemptAt, lastError, response, log, retryVariables, nextActionUrl: result?.isOk() ? result.value.nextActionUrl : null };
}

/** Another worker took the row over (this claim's lease expired): this claim writes nothing of it. */
class LeaseLost extends Error {}

/**
 * Write the batch's outcomes. Delivered rows whose only consequence is the payment's nextAction URL
 * (every mutation but paymentsAppConfigure) go together in one transaction: one UPDATE marks them
 * delivered while this claim holds them, one INSERT logs their attempts, one UPDATE stores the URLs.
 * If any row's lease was lost, that transaction changes nothing and every row is written alone.
 */
async function writeBack(deps: Deps, batchClaim: Claim, outcomes: readonly Outcome[]): Promise<(keyof DeliveryReport)[]> {
  const together = outcomes.filter((o) => o.status === "DELIVERED" && !o.retryVariables && o.message.mutation !== "paymentsAppConfigure");
  const alone = outcomes.filter((o) => !together.includes(o));
  const written: Outcome[] = [];
  if (together.length > 0) {
    const at = deps.now();
    try {
      await deps.db.$transaction(async (tx) => {
        const { count } = await tx.outboxMessage.updateMany({
          where: { id: { in: together.map((o) => o.message.id) }, lockedBy: batchClaim.token },
          // The answer is kept in the attempt's log (the admin's timeline shows it there).
          data: { status: "DELIVERED", attempts: { increment: 1 }, lastError: null, response: null, nextAttemptAt: at, lockedBy: null, lockedUntil: null, deliveredAt: at },
        });
        if (count !== together.length) throw new LeaseLost();
        await tx.outboxAttempt.createMany({ data: together.map((o) => o.log) });
        await storeNextActionUrls(tx, together);
      });
      written.push(...together);
    } catch (error) {
      if (!(error instanceof LeaseLost)) throw error;
      alone.push(...together);
    }
  }
  for (const outcome of alone) if (await writeOne(deps, batchClaim, outcome)) written.push(outcome);
  return written.map((outcome) => {
    const result = outcome.status === "DELIVERED" ? "delivered" : outcome.status === "FAILED" ? "failed" : "retried";
    logOutcome(outcome, result);
    return result;
  });
}

/** The payments' nextAction URLs (which differ per row) in one UPDATE, in either SQL dialect. */
async function storeNextActionUrls(tx: Tx, outcomes: readonly Outcome[]): Promise<void> {
  const urls = new Map<string, string>();
  for (const { message, nextActionUrl } of outcomes) {
    if (message.mutation.startsWith("paymentSession") && acceptedNextActionUrl(message, nextActionUrl)) urls.set(message.subjectId, nextActionUrl);
  }
  if (urls.size === 0) return;
  // Kysely compiles the CASE for either dialect and runs inside this Prisma transaction (sqlOf).
  const [[firstId, firstUrl], ...rest] = [...urls];
  await sqlOf(tx)
    .updateTable("PaymentSession")
    .set((eb) => ({
      nextActionUrl: rest.reduce((kase, [id, url]) => kase.when(id).then(url), eb.case("id").when(firstId!).then(firstUrl!)).end(),
    }))
    .where("id", "in", [...urls.keys()])
    .execute();
}

/** One row's outcome in its own transaction, while this claim holds the row; false when it no longer does. */
async function writeOne(deps: Deps, batchClaim: Claim, outcome: Outcome): Promise<boolean> {
  const { message, status, attempts, lastError, response, nextAttemptAt, retryVariables, at } = outcome;
  try {
    await deps.db.$transaction(async (tx) => {
      const { count } = await tx.outboxMessage.updateMany({
        where: { id: message.id, lockedBy: batchClaim.token },
        data: {
          status,
          attempts,
          lastError,
          response,
          nextAttemptAt,
          lockedBy: null,
          lockedUntil: null,
          deliveredAt: status === "DELIVERED" ? at : null,
          ...(retryVariables ? { variables: JSON.stringify(retryVariables) } : {}),
        },
      });
      if (count === 0) throw new LeaseLost();
      await tx.outboxAttempt.create({ data: outcome.log });
      if (retryVariables) await addFlag(tx, message.subjectId, PENDING_WINDOW_SHORTENED);
      if (status === "DELIVERED") await applyDelivered(tx, message, outcome.nextActionUrl);
      if (status === "FAILED") await recordFailure(tx, message, lastError ?? "failed");
    });
    return true;
  } catch (error) {
    if (!(error instanceof LeaseLost)) throw error;
    log().warn({ shop: message.shop, mutation: message.mutation }, `outbox: the lease on ${message.id} passed to another worker; its outcome is that worker's to write`);
    return false;
  }
}

function logOutcome({ message, status, attempts, lastError, nextAttemptAt }: Outcome, outcome: "delivered" | "failed" | "retried"): void {
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
}
