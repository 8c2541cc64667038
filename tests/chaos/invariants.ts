// The end-of-run checks of a chaos run, per session: what ECPay says happened is what we recorded
// and what Shopify was told, once; nothing acknowledged to ECPay before it was stored; refunds
// within what was captured; nothing left in the outbox; the admin ledger agrees with ECPay.
import type { PrismaClient } from "@prisma/client";
import { listTransactions } from "~/admin/transactions.server";
import type { EcpayCredentials, IEcpayGateway } from "~/ecpay/types";
import { paymentIdToCustomField } from "~/payments/custom-field";
import { METHOD_HANDLES } from "~/payments/methods";
import { capturedAmountOf } from "~/payments/operations/rules";
import type { EcpayEmulator, EmulatorOrder } from "../emulators/ecpay";
import type { ShopifySimulator } from "../simulators/shopify";
import { SHOP } from "../support/payment-stack";
import { stageUnsupported, type CheckoutRecord } from "./scenario";

export interface InvariantResult {
  name: string;
  checked: number;
  violations: number;
  examples: string[];
}

/** One GraphQL call the server made to Shopify, as the fault proxy saw it. */
export interface ShopifyCall {
  mutations: string[];
  /** variables.id: the session gid. */
  id: string | null;
  fault: string;
  /** The server got Shopify's real answer: 200 without user errors and no injected failure. */
  cleanSuccess: boolean;
  forwarded: boolean;
  startedAt: number;
  endedAt: number;
}

export interface InvariantInput {
  prisma: PrismaClient;
  records: CheckoutRecord[];
  stage: EcpayEmulator;
  production: EcpayEmulator;
  shopify: ShopifySimulator;
  calls: ShopifyCall[];
  gateway: IEcpayGateway;
  credentials: { production: EcpayCredentials; stage: EcpayCredentials };
}

const TERMINAL_MUTATIONS = /^(payment|refund|capture|void)Session(Resolve|Reject)$/;

class Check {
  readonly result: InvariantResult;
  constructor(name: string) {
    this.result = { name, checked: 0, violations: 0, examples: [] };
  }
  count(n = 1) {
    this.result.checked += n;
  }
  fail(example: string) {
    this.result.violations += 1;
    if (this.result.examples.length < 10) this.result.examples.push(example);
  }
}

/** ECPay's money on a card trade: nothing until closed, nothing once abandoned, less what was refunded. */
function ecpayNet(order: EmulatorOrder): number {
  const card = order.card;
  if (!card) return order.totalAmount;
  switch (card.status) {
    case "已授權":
    case "已取消":
      return 0;
    case "要關帳":
      return card.closedAmount;
    case "已關帳":
      return card.closedAmount - card.refundedAmount;
  }
}

export async function checkInvariants(input: InvariantInput): Promise<InvariantResult[]> {
  const { prisma, shopify } = input;
  const terminal = new Check("right-terminal-state");
  const oneKind = new Check("one-terminal-mutation-kind-per-session");
  const ack = new Check("no-ack-before-stored");
  const refunds = new Check("refunds-within-captured");
  const outbox = new Check("outbox-drained");
  const ledger = new Check("ledger-matches-ecpay");
  const double = new Check("no-double-delivery");

  const orders = [...input.stage.orders(), ...input.production.orders()];
  const ordersByField = new Map<string, EmulatorOrder[]>();
  for (const order of orders) {
    const key = order.request.CustomField1 ?? "";
    ordersByField.set(key, [...(ordersByField.get(key) ?? []), order]);
  }

  for (const record of input.records) {
    if (!record.paymentId || !record.gid) continue;
    const where = `#${record.plan.index} ${record.plan.method}/${record.plan.kind}${record.plan.test ? "/test" : ""} ${record.paymentId}`;
    const session = await prisma.paymentSession.findUnique({ where: { id: record.paymentId }, include: { attempts: true, operations: true } });
    const simulated = shopify.paymentSession(record.paymentId);
    const atEcpay = ordersByField.get(paymentIdToCustomField(record.paymentId)) ?? [];
    const paid = atEcpay.filter((o) => o.status === "paid" && (!o.simulatePaid || record.plan.test));
    const expired = atEcpay.some((o) => o.atm?.expired);
    const accountIssued = atEcpay.some((o) => o.atm && !o.atm.expired);
    terminal.count();
    if (!session) {
      // Shopify never got our 200: nothing may have been sent to ECPay for it.
      if (atEcpay.length > 0) terminal.fail(`${where}: ECPay has orders but we have no session`);
      continue;
    }
    const order = shopify.orderForPayment(record.gid);
    const financial = order?.financialSessions ?? [];
    const resolved = (kind: string) => financial.filter((f) => f.kind === kind && f.status === "resolved");
    let expected: string[];
    let expectedCaptured = 0;
    let expectedRefunded = 0;
    if (paid.length > 0) {
      if (paid.length > 1) terminal.fail(`${where}: ECPay paid ${paid.length} attempts of one session`);
      const amount = paid[0]!.totalAmount;
      if (resolved("void").length > 0) expected = ["VOIDED"];
      else if (record.plan.kind === "authorization" && resolved("capture").length === 0) expected = ["AUTHORIZED"];
      else {
        expectedCaptured = record.plan.kind === "sale" ? amount : resolved("capture").reduce((sum, f) => sum + (f.amount ?? 0) / 100, 0);
        expectedRefunded = resolved("refund").reduce((sum, f) => sum + (f.amount ?? 0) / 100, 0);
        expected = [expectedRefunded === 0 ? "PAID" : expectedRefunded >= expectedCaptured ? "REFUNDED" : "PARTIALLY_REFUNDED"];
      }
      if (simulated?.finalMutation !== "paymentSessionResolve") terminal.fail(`${where}: paid at ECPay, Shopify final ${simulated?.finalMutation ?? "none"}`);
    } else if (expired) {
      expected = ["REJECTED"];
      if (simulated?.finalMutation !== "paymentSessionReject") terminal.fail(`${where}: ATM expired, Shopify final ${simulated?.finalMutation ?? "none"}`);
    } else if (accountIssued) {
      // A virtual account the buyer has not paid into yet: pending, and Shopify knows it.
      expected = ["PENDING"];
      if (!simulated?.wasPending || simulated.finalMutation) terminal.fail(`${where}: ATM account issued, Shopify pending ${simulated?.wasPending ?? false}, final ${simulated?.finalMutation ?? "none"}`);
    } else if (stageUnsupported(record.plan)) {
      expected = ["REJECTED"];
      if (atEcpay.length > 0 || simulated?.finalMutation !== "paymentSessionReject") terminal.fail(`${where}: test UnionPay reached ECPay or was not rejected (${simulated?.finalMutation ?? "none"})`);
    } else {
      expected = ["RECEIVED", "REDIRECTED"];
      if (simulated?.finalMutation) terminal.fail(`${where}: nothing paid at ECPay, yet Shopify got ${simulated.finalMutation}`);
    }
    if (!expected.includes(session.status)) terminal.fail(`${where}: status ${session.status}, ECPay says ${expected.join("|")}`);
    if (expectedCaptured > 0 && (capturedAmountOf(session) !== expectedCaptured || session.refundedAmount !== expectedRefunded)) {
      terminal.fail(`${where}: captured/refunded ${capturedAmountOf(session)}/${session.refundedAmount}, Shopify resolved ${expectedCaptured}/${expectedRefunded}`);
    }
    for (const op of session.operations) {
      const fin = shopify.financialSession(op.id);
      const shopifyStatus = fin?.status;
      const consistent = op.status === "SUCCEEDED" ? shopifyStatus === "resolved" : op.status === "FAILED" ? shopifyStatus === "rejected" : false;
      if (!consistent) terminal.fail(`${where}: ${op.type} ${op.id} is ${op.status} here, ${shopifyStatus ?? "unknown"} at Shopify`);
    }

    // Refunds never exceed what was captured: here, at Shopify, at ECPay.
    refunds.count();
    if (session.refundedAmount > capturedAmountOf(session)) refunds.fail(`${where}: refunded ${session.refundedAmount} > captured ${capturedAmountOf(session)}`);
    if (order && order.refunded > order.captured) refunds.fail(`${where}: Shopify refunded ${order.refunded} > captured ${order.captured}`);
    for (const o of paid) {
      if (o.card && o.card.refundedAmount > o.card.closedAmount) refunds.fail(`${where}: ECPay refunded ${o.card.refundedAmount} > closed ${o.card.closedAmount}`);
    }

    // The ledger against ECPay: QueryTradeInfo for every attempt, card money for live card trades.
    for (const attempt of session.attempts) {
      ledger.count();
      const credentials = attempt.stage ? input.credentials.stage : input.credentials.production;
      const info = await input.gateway.queryTradeInfo(credentials, attempt.merchantTradeNo);
      if (info.isErr()) {
        ledger.fail(`${where}: QueryTradeInfo ${attempt.merchantTradeNo}: ${info.error.message}`);
        continue;
      }
      const ecpayPaid = info.value.tradeStatus === "1" && (!info.value.simulatePaid || attempt.stage);
      if (ecpayPaid !== (attempt.status === "PAID")) ledger.fail(`${where}: ${attempt.merchantTradeNo} is ${attempt.status} here, TradeStatus ${info.value.tradeStatus} at ECPay`);
      if (attempt.status === "PAID" && (info.value.tradeAmt !== attempt.tradeAmt || info.value.tradeNo !== attempt.tradeNo)) {
        ledger.fail(`${where}: ${attempt.merchantTradeNo} ${attempt.tradeNo}/${attempt.tradeAmt} here, ${info.value.tradeNo}/${info.value.tradeAmt} at ECPay`);
      }
    }
    const live = paid.find((o) => o.card && !record.plan.test);
    if (live) {
      const ours = session.status === "AUTHORIZED" || session.status === "VOIDED" ? 0 : capturedAmountOf(session) - session.refundedAmount;
      if (ours !== ecpayNet(live)) ledger.fail(`${where}: net ${ours} here, ${ecpayNet(live)} at ECPay (card ${live.card!.status}, closed ${live.card!.closedAmount}, refunded ${live.card!.refundedAmount})`);
    }
  }

  // The admin's transaction list shows ECPay's TradeNo for every paid session.
  const paidTradeNo = new Map<string, string>();
  for (const order of orders) if (order.status === "paid") paidTradeNo.set(order.request.CustomField1 ?? "", order.tradeNo);
  for (const method of METHOD_HANDLES) {
    let after: string | undefined;
    do {
      const page = await listTransactions(prisma, SHOP, method, { after }, 200);
      for (const row of page.rows) {
        const expectedTradeNo = paidTradeNo.get(paymentIdToCustomField(row.id));
        ledger.count();
        if (expectedTradeNo && row.tradeNo !== expectedTradeNo) ledger.fail(`admin ${method} ${row.id}: TradeNo ${row.tradeNo ?? "none"}, ECPay ${expectedTradeNo}`);
      }
      after = page.next ?? undefined;
    } while (after);
  }

  // Every "1|OK" ECPay received answered a message we had stored.
  // A duplicate (it changed nothing) is not stored whole but counted in one row per trade.
  const stored = new Map<string, number>();
  const countedDuplicates = new Map<string, number>();
  for (const row of await prisma.ecpayNotification.findMany({
    where: { channel: { in: ["RETURN", "PAYMENT_INFO"] } },
    select: { rawBody: true, counterKey: true, merchantTradeNo: true, outcome: true, count: true },
  })) {
    if (row.counterKey === null) stored.set(row.rawBody, (stored.get(row.rawBody) ?? 0) + 1);
    else if (row.outcome === "DUPLICATE" && row.merchantTradeNo) countedDuplicates.set(row.merchantTradeNo, (countedDuplicates.get(row.merchantTradeNo) ?? 0) + row.count);
  }
  const acknowledged = new Map<string, number>();
  for (const entry of [...input.stage.notificationLog(), ...input.production.notificationLog()]) {
    if (!entry.acknowledged) continue;
    const body = new URLSearchParams(entry.fields).toString();
    acknowledged.set(body, (acknowledged.get(body) ?? 0) + 1);
  }
  for (const [body, acks] of acknowledged) {
    ack.count(acks);
    const rows = (stored.get(body) ?? 0) + (countedDuplicates.get(new URLSearchParams(body).get("MerchantTradeNo") ?? "") ?? 0);
    if (acks > rows) ack.fail(`${acks} × 1|OK but ${rows} stored: ${body.slice(0, 120)}`);
  }

  const left = await prisma.outboxMessage.findMany({ where: { status: { not: "DELIVERED" } }, select: { mutation: true, subjectId: true, status: true, lastError: true } });
  outbox.count(await prisma.outboxMessage.count());
  for (const row of left) outbox.fail(`${row.mutation} ${row.subjectId}: ${row.status} (${row.lastError ?? ""})`);

  // Shopify saw one terminal mutation kind per session; no mutation was in flight twice at once
  // (two workers on one row) or sent again after we recorded it delivered. A resend after an
  // unanswered or unrecorded call is the at-least-once contract (Shopify treats it idempotently).
  const recordedAt = new Map<string, number>();
  for (const row of await prisma.outboxAttempt.findMany({ where: { ok: true }, select: { at: true, message: { select: { mutation: true, subjectId: true } } } })) {
    const key = `${row.message.mutation} ${row.message.subjectId}`;
    recordedAt.set(key, Math.min(recordedAt.get(key) ?? Infinity, row.at.getTime()));
  }
  const byId = new Map<string, ShopifyCall[]>();
  for (const call of input.calls) if (call.id) byId.set(call.id, [...(byId.get(call.id) ?? []), call]);
  for (const [id, calls] of byId) {
    oneKind.count();
    const kinds = new Set(calls.flatMap((c) => c.mutations).filter((m) => TERMINAL_MUTATIONS.test(m)));
    if (kinds.size > 1) oneKind.fail(`${id}: ${[...kinds].join(" + ")}`);
    const subjectId = id.slice(id.lastIndexOf("/") + 1);
    for (const mutation of new Set(calls.flatMap((c) => c.mutations))) {
      const same = calls.filter((c) => c.mutations.includes(mutation) && c.forwarded).sort((a, b) => a.startedAt - b.startedAt);
      double.count(same.length);
      for (let i = 1; i < same.length; i += 1) {
        const previous = same[i - 1]!;
        // An injected hang keeps the proxy busy after the server gave up on the call: not in flight.
        if (previous.fault !== "hang" && same[i]!.startedAt < previous.endedAt) double.fail(`${mutation} ${id}: two deliveries in flight at once`);
      }
      const recorded = recordedAt.get(`${mutation} ${subjectId}`);
      const after = recorded === undefined ? [] : same.filter((c) => c.startedAt > recorded);
      if (after.length > 0) double.fail(`${mutation} ${id}: sent ${after.length} more time(s) after it was recorded delivered`);
    }
  }

  return [terminal, oneKind, ack, refunds, outbox, ledger, double].map((c) => c.result);
}
