// Shopify's refund, capture and void session requests: validate, persist idempotently on `id`,
// answer 201 at once (docs/shopify-payments-apps.md §2.4). The ECPay work and the resolve/reject
// happen in processDueOperations; every rule the gateway cannot meet is a reject with a
// merchantMessage there, never an HTTP error here (Shopify shows HTTP errors as a generic failure).
import { EventEmitter } from "node:events";
import { err, ok, type Result } from "neverthrow";
import type { OperationSession } from "@prisma/client";
import { logPaymentEvent } from "../../lib/log.server";
import type { Deps } from "../ports";
import type { MethodHandle } from "../methods";
import { parseOperationRequest, type OperationRequest } from "./request";
import { wholeTwd } from "../money";
import { OPERATION_ENUM, type OperationType } from "./types";

export interface ReceiveOperationInput {
  type: OperationType;
  method: MethodHandle;
  headers: Headers;
  /** The raw request body. */
  body: string;
}

export interface ReceiveOperationError {
  status: 400 | 401 | 404 | 409 | 422;
  reason: string;
}

export interface ReceivedOperation {
  operationId: string;
  /** Shopify retried a request we already hold: nothing new was stored. */
  duplicate: boolean;
}

const wake = new EventEmitter();

/** Tell an in-process worker that an operation is waiting (after the row is committed). */
export function notifyOperations(): void {
  wake.emit("work");
}

export function onOperationWork(listener: () => void): () => void {
  wake.on("work", listener);
  return () => wake.off("work", listener);
}

function sameRequest(existing: OperationSession, request: OperationRequest, method: MethodHandle): boolean {
  return (
    existing.type === OPERATION_ENUM[request.type] &&
    existing.paymentSessionId === request.paymentId &&
    existing.shop === request.shop &&
    existing.method === method
  );
}

function replay(existing: OperationSession, request: OperationRequest, method: MethodHandle): Result<ReceivedOperation, ReceiveOperationError> {
  if (sameRequest(existing, request, method)) return ok({ operationId: existing.id, duplicate: true });
  return err({ status: 409, reason: `session id ${request.id} was already used for a different ${existing.type.toLowerCase()} request` });
}

export async function receiveOperation(
  deps: Pick<Deps, "db">,
  input: ReceiveOperationInput,
): Promise<Result<ReceivedOperation, ReceiveOperationError>> {
  // The mTLS header check (when configured) ran in the route (route.server.ts) before this.
  const parsed = parseOperationRequest(input.type, input.headers, input.body);
  if (parsed.isErr()) return err(parsed.error);
  const request = parsed.value;
  const { db } = deps;

  const installation = await db.shopInstallation.findUnique({
    where: { method_shop: { method: input.method, shop: request.shop } },
    select: { status: true },
  });
  if (!installation || installation.status !== "INSTALLED") {
    return err({ status: 404, reason: `the ${input.method} app is not installed on ${request.shop}` });
  }

  const existing = await db.operationSession.findUnique({ where: { id: request.id } });
  if (existing) return replay(existing, request, input.method);

  const payment = await db.paymentSession.findUnique({
    where: { id: request.paymentId },
    select: { id: true, shop: true, method: true },
  });
  if (!payment) return err({ status: 404, reason: `payment ${request.paymentId} is unknown` });
  if (payment.shop !== request.shop) return err({ status: 422, reason: `payment ${request.paymentId} belongs to another shop` });
  if (payment.method !== input.method) {
    return err({ status: 422, reason: `payment ${request.paymentId} was made with ${payment.method}, not ${input.method}` });
  }

  try {
    await db.operationSession.create({
      data: {
        id: request.id,
        gid: request.gid,
        type: OPERATION_ENUM[request.type],
        paymentSessionId: payment.id,
        shop: request.shop,
        method: input.method,
        // Null when it is not whole TWD: the operation is rejected with a message, never rounded.
        amount: request.amountRaw === null ? null : wholeTwd(request.amountRaw),
        amountRaw: request.amountRaw,
        currency: request.currency,
        test: request.test,
        proposedAt: request.proposedAt,
      },
    });
  } catch (error) {
    // Two deliveries of the same request raced: the other one stored it.
    const winner = await db.operationSession.findUnique({ where: { id: request.id } });
    if (winner) return replay(winner, request, input.method);
    throw error;
  }
  notifyOperations();
  logPaymentEvent("operation.received", {
    shop: request.shop,
    method: input.method,
    paymentId: payment.id,
    operationId: request.id,
    operation: request.type,
    ...(request.amountRaw !== null && { amount: Number(request.amountRaw) }),
    test: request.test,
  });
  return ok({ operationId: request.id, duplicate: false });
}
