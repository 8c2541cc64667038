// Ask ECPay (QueryTradeInfo, server to server, signed answer) what happened to an attempt, and
// settle it exactly as a notification would. Used when the buyer returns without a notification
// having arrived, and by the reconciler for notifications that never come.
import type { PaymentAttempt, PaymentSession } from "@prisma/client";
import { encodeFormBody } from "../../ecpay/form-body";
import { credentialsForAttempt } from "../bindings.server";
import { customFieldToPaymentId } from "../custom-field";
import type { Deps } from "../deps.server";
import { settleFailed, settlePaid } from "../settlement.server";

export type QuerySettlement = "settled" | "unpaid" | "failed" | "error";

export async function settleFromTradeQuery(deps: Deps, attempt: PaymentAttempt, session: PaymentSession): Promise<QuerySettlement> {
  const now = deps.now();
  await deps.db.paymentAttempt.update({ where: { merchantTradeNo: attempt.merchantTradeNo }, data: { lastQueriedAt: now } });
  const credentials = await credentialsForAttempt(deps.db, deps.secrets, attempt, session.shop);
  if (!credentials) return "error";
  const answer = await deps.ecpay.queryTradeInfo(credentials, attempt.merchantTradeNo);
  if (answer.isErr()) return "error";
  const info = answer.value;
  const rawBody = encodeFormBody(info.fields);
  const matches = info.tradeAmt === attempt.amount && customFieldToPaymentId(info.customField1) === session.id;

  if (info.tradeStatus === "1") {
    if (!matches) {
      await deps.db.$transaction([
        deps.db.paymentSession.update({ where: { id: session.id }, data: { flag: "AMOUNT_MISMATCH" } }),
        deps.db.ecpayNotification.create({
          data: { channel: "QUERY", method: session.method, merchantTradeNo: attempt.merchantTradeNo, rawBody, signatureValid: true, outcome: "AMOUNT_MISMATCH" },
        }),
      ]);
      return "error";
    }
    await deps.db.$transaction(async (tx) => {
      const fresh = await tx.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: attempt.merchantTradeNo } });
      const freshSession = await tx.paymentSession.findUniqueOrThrow({ where: { id: session.id } });
      const outcome = await settlePaid(tx, {
        attempt: fresh,
        session: freshSession,
        now,
        facts: {
          tradeNo: info.tradeNo,
          tradeAmt: info.tradeAmt,
          paymentType: info.paymentType,
          paymentDate: info.paymentDate,
          chargeFee: info.chargeFee,
          simulatePaid: info.simulatePaid,
          gwsr: info.gwsr,
          rtnCode: "1",
          rtnMsg: "QueryTradeInfo TradeStatus=1",
        },
      });
      await tx.ecpayNotification.create({
        data: { channel: "QUERY", method: session.method, merchantTradeNo: attempt.merchantTradeNo, rawBody, signatureValid: true, outcome },
      });
    });
    return "settled";
  }
  if (info.tradeStatus === "10200095") {
    await deps.db.$transaction(async (tx) => {
      const fresh = await tx.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: attempt.merchantTradeNo } });
      const outcome = await settleFailed(tx, fresh, info.tradeStatus, "QueryTradeInfo: 交易訂單未成立");
      await tx.ecpayNotification.create({
        data: { channel: "QUERY", method: session.method, merchantTradeNo: attempt.merchantTradeNo, rawBody, signatureValid: true, outcome },
      });
    });
    return "failed";
  }
  return "unpaid";
}
