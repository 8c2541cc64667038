// Telling Shopify which ECPay account this app uses (paymentsAppConfigure) goes through the outbox
// like every other mutation, so a failed call is retried and visible, never swallowed.
import { randomUUID } from "node:crypto";
import type { OutboxMessage } from "@prisma/client";
import { deliverSoon, enqueue } from "../payments/outbox.server";
import type { Deps } from "../payments/ports";
import type { MethodHandle } from "../payments/methods";

const CONFIGURE = "paymentsAppConfigure";

export interface ConfigureRequest {
  ready: boolean;
  externalHandle: string | null;
}

export interface ConfigureState {
  /** What Shopify last confirmed. */
  ready: boolean;
  handle: string | null;
  /** A configure call still being delivered (with its last error while it retries). */
  pending: { attempts: number; lastError: string | null; ready: boolean; externalHandle: string | null } | null;
  /** Shopify refused the last configure call for good. */
  error: string | null;
}

/** Queue paymentsAppConfigure for this app and shop; an older undelivered call is superseded. */
export async function requestConfigure(deps: Deps, method: MethodHandle, shop: string, request: ConfigureRequest): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    // An older call still retrying must not land after this one and undo it.
    await tx.outboxMessage.updateMany({
      where: { shop, method, mutation: CONFIGURE, status: "PENDING", OR: [{ lockedUntil: null }, { lockedUntil: { lt: deps.now() } }] },
      data: { status: "FAILED", lastError: "superseded by a newer configuration" },
    });
    await tx.shopInstallation.update({ where: { method_shop: { method, shop } }, data: { configureError: null } });
    await enqueue(tx, {
      shop,
      method,
      mutation: CONFIGURE,
      subjectId: `configure:${method}:${shop}:${randomUUID()}`,
      variables: { externalHandle: request.externalHandle, ready: request.ready },
    });
  });
  await deliverSoon();
}

function pendingConfigure(message: OutboxMessage | null): ConfigureState["pending"] {
  if (!message) return null;
  let vars: { ready?: unknown; externalHandle?: unknown } = {};
  try {
    vars = JSON.parse(message.variables) as typeof vars;
  } catch {
    vars = {};
  }
  return {
    attempts: message.attempts,
    lastError: message.lastError,
    ready: vars.ready === true,
    externalHandle: typeof vars.externalHandle === "string" ? vars.externalHandle : null,
  };
}

export async function configureState(deps: Deps, method: MethodHandle, shop: string): Promise<ConfigureState> {
  const [installation, pending] = await Promise.all([
    deps.db.shopInstallation.findUnique({ where: { method_shop: { method, shop } } }),
    deps.db.outboxMessage.findFirst({
      where: { shop, method, mutation: CONFIGURE, status: "PENDING" },
      orderBy: { createdAt: "desc" },
    }),
  ]);
  return {
    ready: installation?.configuredReady ?? false,
    handle: installation?.configuredHandle ?? null,
    pending: pendingConfigure(pending),
    error: installation?.configureError ?? null,
  };
}

/** What Shopify should be told now: ready with the bound MerchantID, or not ready. */
export async function desiredConfiguration(deps: Deps, method: MethodHandle, shop: string): Promise<ConfigureRequest> {
  const installation = await deps.db.shopInstallation.findUnique({
    where: { method_shop: { method, shop } },
    include: { binding: { select: { merchantId: true } } },
  });
  const merchantId = installation?.binding?.merchantId ?? null;
  return merchantId ? { ready: true, externalHandle: merchantId } : { ready: false, externalHandle: null };
}

/** The retry button: send the current desired configuration again, now. */
export async function retryConfigure(deps: Deps, method: MethodHandle, shop: string): Promise<void> {
  await requestConfigure(deps, method, shop, await desiredConfiguration(deps, method, shop));
}
