// Settlement on Kysely (app/payments/settlement.server.ts) when rows were read before another
// writer changed them: a notification settles from the rows its check read outside the
// transaction, so every write must be conditional on them, and a loser must be decided again from
// what is committed. On PostgreSQL the two settlements below truly run at once.
import { describe, expect, it } from "vitest";
import type { EcpayOutcome } from "~/ecpay/outcomes";
import { applyEcpayOutcome } from "~/payments/apply-outcome.server";
import { readTrade } from "~/payments/trade-read.server";
import { databasePerFile } from "../support/per-file";

const shop = "races.myshopify.com";

const file = databasePerFile();

async function sessionWithAttempt(id: string, group: string) {
  await file.prisma.paymentSession.create({
    data: { id, gid: `gid://shopify/PaymentSession/${id}`, method: "credit", shop, group, amount: 500, amountRaw: "500", currency: "TWD", kind: "SALE", test: false, cancelUrl: "https://races.example/cancel", proposedAt: new Date() },
  });
  await file.prisma.paymentAttempt.create({ data: { merchantTradeNo: `T${id}`, paymentSessionId: id, merchantId: "3002607", stage: false, amount: 500 } });
  return (await readTrade(file.prisma, `T${id}`))!;
}

const paid = (merchantTradeNo: string, paymentId: string): EcpayOutcome => ({
  kind: "paid",
  trade: { merchantTradeNo, tradeNo: `E${merchantTradeNo}`, amount: 500, customField1: paymentId },
  facts: { tradeNo: `E${merchantTradeNo}`, tradeAmt: 500, paymentType: "Credit_CreditCard", paymentDate: "2026/12/03 12:00:00", chargeFee: "10", simulatePaid: false, gwsr: "1", rtnCode: "1", rtnMsg: "交易成功", installmentStages: null, redeemedAmount: null },
});

const deps = () => ({ db: file.prisma, now: () => new Date() });

function settle(rows: NonNullable<Awaited<ReturnType<typeof readTrade>>>, current = true) {
  return applyEcpayOutcome(deps(), {
    attempt: rows.attempt,
    session: rows.session,
    outcome: paid(rows.attempt.merchantTradeNo, rows.session.id),
    message: { channel: "RETURN", rawBody: `MerchantTradeNo=${rows.attempt.merchantTradeNo}` },
    ...(current && { current: { attempt: rows.attempt, session: rows.session } }),
  });
}

describe("settling from rows read before the transaction", () => {
  it("decides a message again when its rows changed since it read them: a resend of a paid trade is a duplicate, counted", async () => {
    const rows = await sessionWithAttempt("stale1", "g-stale1");
    expect(await settle(rows)).toBe("ACCEPTED");
    // The same rows again (a resend whose check read before the first committed).
    expect(await settle(rows)).toBe("DUPLICATE");
    const session = await file.prisma.paymentSession.findUniqueOrThrow({ where: { id: "stale1" } });
    expect(session).toMatchObject({ status: "PAID", capturedAmount: 500, settledGroup: `${shop} g-stale1` });
    expect(await file.prisma.outboxMessage.count({ where: { subjectId: "stale1" } })).toBe(1);
    const log = await file.prisma.ecpayNotification.findMany({ where: { merchantTradeNo: "Tstale1" }, orderBy: { receivedAt: "asc" } });
    expect(log.map((n) => [n.outcome, n.count, n.counterKey !== null])).toEqual([
      ["ACCEPTED", 1, false],
      ["DUPLICATE", 1, true],
    ]);
  });

  it("resolves only one of two tabs of a checkout paid at the same moment: the other is rejected and flagged", async () => {
    const first = await sessionWithAttempt("tabA", "g-tabs");
    const second = await sessionWithAttempt("tabB", "g-tabs");
    const results = await Promise.all([settle(first), settle(second)]);
    expect([...results].sort()).toEqual(["ACCEPTED", "DUPLICATE_PAYMENT"]);
    const sessions = await file.prisma.paymentSession.findMany({ where: { group: "g-tabs" }, orderBy: { id: "asc" } });
    const winner = sessions.find((s) => s.status === "PAID")!;
    const loser = sessions.find((s) => s.status === "REJECTED")!;
    expect(winner.settledGroup).toBe(`${shop} g-tabs`);
    expect(loser).toMatchObject({ settledGroup: null, flag: "DUPLICATE_PAYMENT", rejectCode: "PROCESSING_ERROR" });
    const outbox = await file.prisma.outboxMessage.findMany({ where: { subjectId: { in: ["tabA", "tabB"] } }, select: { subjectId: true, mutation: true } });
    expect(outbox.sort((a, b) => a.mutation.localeCompare(b.mutation))).toEqual([
      { subjectId: loser.id, mutation: "paymentSessionReject" },
      { subjectId: winner.id, mutation: "paymentSessionResolve" },
    ]);
    // Both attempts are paid: the money arrived twice, and the merchant sees the flag to refund one.
    expect(await file.prisma.paymentAttempt.count({ where: { merchantTradeNo: { in: ["TtabA", "TtabB"] }, status: "PAID" } })).toBe(2);
  });

  it("reads again inside the transaction when handed no rows (the reconciler's and the merchant's queries)", async () => {
    const rows = await sessionWithAttempt("fresh1", "g-fresh1");
    expect(await settle(rows, false)).toBe("ACCEPTED");
    expect(await settle(rows, false)).toBe("DUPLICATE");
  });
});
