// The detail page's actions: "query ECPay now" and "retry delivery to Shopify". Both look the
// payment up by (shop, method) first, so a merchant can only act on their own rows.
import type { EcpayBinding, PaymentAttempt } from "@prisma/client";
import { err, ok, type Result } from "neverthrow";
import { encodeFormBody } from "../ecpay/form-body";
import { PUBLIC_STAGE_MERCHANT } from "../ecpay/public-stage-merchant";
import type { EcpayCredentials, EcpayError } from "../ecpay/types";
import { productionCredentials, stageCredentials } from "../payments/bindings.server";
import type { Deps } from "../payments/deps.server";
import type { MethodHandle } from "../payments/methods";
import { deliverSoon } from "./configure.server";

export type QueryFailure = { kind: "not-found" } | { kind: "no-credentials"; merchantId: string } | { kind: "ecpay"; error: EcpayError };

export interface QueryAnswer {
  merchantTradeNo: string;
  tradeStatus: string;
  tradeNo: string;
  tradeAmt: number;
}

/** The outcome recorded for a query answer, in the notification log's vocabulary. */
export function queryOutcome(tradeStatus: string): string {
  if (tradeStatus === "1") return "QUERY_PAID";
  if (tradeStatus === "0") return "QUERY_UNPAID";
  if (tradeStatus === "10200095") return "QUERY_FAILED";
  if (tradeStatus === "10200047") return "QUERY_NOT_FOUND";
  return `QUERY_STATUS_${tradeStatus.replace(/[^A-Za-z0-9]/g, "").slice(0, 20)}`;
}

/** The keys the attempt was made with: the shop's binding for that MerchantID (stage or production). */
export function credentialsForAttempt(deps: Pick<Deps, "secrets">, attempt: Pick<PaymentAttempt, "merchantId" | "stage">, bindings: EcpayBinding[]): EcpayCredentials | null {
  if (attempt.stage) {
    const own = bindings.find((b) => b.stageMerchantId === attempt.merchantId);
    if (own) return stageCredentials(deps.secrets, own);
    return attempt.merchantId === PUBLIC_STAGE_MERCHANT.merchantId ? stageCredentials(deps.secrets, null) : null;
  }
  const binding = bindings.find((b) => b.merchantId === attempt.merchantId);
  return binding ? productionCredentials(deps.secrets, binding) : null;
}

/** Ask ECPay for the trade's state now (QueryTradeInfo) and record the answer in the notification log (channel QUERY). */
export async function queryEcpayNow(
  deps: Deps,
  shop: string,
  method: MethodHandle,
  paymentId: string,
  merchantTradeNo?: string,
): Promise<Result<QueryAnswer, QueryFailure>> {
  const session = await deps.db.paymentSession.findFirst({
    where: { id: paymentId, shop, method },
    include: { attempts: { orderBy: { createdAt: "desc" } } },
  });
  const attempt = merchantTradeNo ? session?.attempts.find((a) => a.merchantTradeNo === merchantTradeNo) : session?.attempts[0];
  if (!session || !attempt) return err({ kind: "not-found" });
  const bindings = await deps.db.ecpayBinding.findMany({ where: { shop } });
  const credentials = credentialsForAttempt(deps, attempt, bindings);
  if (!credentials) return err({ kind: "no-credentials", merchantId: attempt.merchantId });
  const answer = await deps.ecpay.queryTradeInfo(credentials, attempt.merchantTradeNo);
  if (answer.isErr()) return err({ kind: "ecpay", error: answer.error });
  const info = answer.value;
  await deps.db.ecpayNotification.create({
    data: {
      channel: "QUERY",
      method,
      merchantTradeNo: attempt.merchantTradeNo,
      rawBody: encodeFormBody(info.fields),
      signatureValid: true,
      outcome: queryOutcome(info.tradeStatus),
    },
  });
  return ok({ merchantTradeNo: info.merchantTradeNo, tradeStatus: info.tradeStatus, tradeNo: info.tradeNo, tradeAmt: info.tradeAmt });
}

export type RetryFailure = "not-found" | "delivered" | "in-flight";

/** Make an undelivered Shopify mutation of this payment due now and wake delivery. */
export async function retryShopifyDelivery(
  deps: Deps,
  shop: string,
  method: MethodHandle,
  paymentId: string,
  messageId: string,
): Promise<Result<void, RetryFailure>> {
  const session = await deps.db.paymentSession.findFirst({
    where: { id: paymentId, shop, method },
    select: { id: true, operations: { select: { id: true } } },
  });
  if (!session) return err("not-found");
  const subjects = [session.id, ...session.operations.map((o) => o.id)];
  const message = await deps.db.outboxMessage.findFirst({ where: { id: messageId, shop, method, subjectId: { in: subjects } } });
  if (!message) return err("not-found");
  if (message.status === "DELIVERED") return err("delivered");
  const now = deps.now();
  const { count } = await deps.db.outboxMessage.updateMany({
    where: { id: message.id, status: { not: "DELIVERED" }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    data: { status: "PENDING", nextAttemptAt: now },
  });
  if (count === 0) return err("in-flight");
  await deliverSoon(deps);
  return ok(undefined);
}
