import { err, ok } from "neverthrow";
import { describe, expect, it, vi } from "vitest";
import type { DoActionInput, DoActionKind, EcpayCredentials, EcpayError, IEcpayGateway } from "~/ecpay/types";
import { executePlan } from "~/payments/operations/execute-plan";
import { clsamtBeforeUnresolvedRefund, clsamtOf, completedAtEcpay, planOperation, unresolvedAction, type CardView, type PlanInput } from "~/payments/operations/plan";
import type { CardState, EcpayLogEntry } from "~/payments/operations/types";

const CREDENTIALS: EcpayCredentials = { merchantId: "2000132", hashKey: "k", hashIv: "v", environment: "production" };
const TRADE = { merchantTradeNo: "M1", tradeNo: "2401010000000001" };

type Answer = "ok" | EcpayError;
const notAllowed: EcpayError = { kind: "not-allowed", code: "10100050", message: "DoAction: not allowed by ECPay's rules: 狀態不符" };
const timedOut: EcpayError = { kind: "indeterminate", message: "DoAction R: ECPay did not answer in time" };
const declined: EcpayError = { kind: "declined", code: "10100099", message: "DoAction R: ECPay declined: 餘額不足" };

/** A fake gateway answering DoAction from a script, in order. */
function fakeGateway(answers: Answer[] = []) {
  const queue = [...answers];
  const gateway = {
    createCheckout: vi.fn(),
    verifyCallback: vi.fn(),
    queryTradeInfo: vi.fn(),
    queryPaymentInfo: vi.fn(),
    queryCreditDetail: vi.fn(),
    doAction: vi.fn(async (_credentials: EcpayCredentials, _input: DoActionInput) => {
      const next = queue.shift() ?? "ok";
      return next === "ok" ? ok({ rtnCode: "1", rtnMsg: "成功", fields: {} }) : err(next);
    }),
  } satisfies IEcpayGateway;
  return gateway;
}

function calls(gateway: ReturnType<typeof fakeGateway>): Array<[DoActionKind, number]> {
  return gateway.doAction.mock.calls.map(([, input]) => [input.action, input.totalAmount]);
}

const base: Omit<PlanInput, "view"> = {
  type: "refund",
  amount: 1000,
  full: true,
  authorized: 1000,
  captured: 1000,
  refunded: 0,
  unionPay: false,
  unresolved: null,
  clsamtBeforeUnresolved: null,
};

const ecpay = (status: string, clsamt: number | null = 1000): CardView => ({ source: "ecpay", status, clsamt });
const record = (state: CardState | null): CardView => ({ source: "record", state });

async function run(input: PlanInput, answers: Answer[] = []) {
  const plan = planOperation(input);
  if (plan.kind !== "run") throw new Error(`expected a run plan, got ${plan.kind}`);
  const gateway = fakeGateway(answers);
  const log: EcpayLogEntry[] = [];
  const persist = vi.fn(async () => {});
  const startState = input.view.source === "record" ? input.view.state : null;
  const result = await executePlan({ gateway, credentials: CREDENTIALS, trade: TRADE, startState, log, now: () => "t", persist }, plan.first);
  return { result, calls: calls(gateway), log, persist };
}

describe("the refund sequence when QueryTrade/V2 tells the card state", () => {
  it("abandons an authorization (N) for a full refund before anything was closed", async () => {
    const { result, calls: made } = await run({ ...base, view: ecpay("已授權") });
    expect(made).toEqual([["N", 1000]]);
    expect(result).toEqual({ ok: true, state: "ABANDONED" });
  });

  it("closes then refunds (C, R) a partial refund of a sale that is still only authorized", async () => {
    const { calls: made } = await run({ ...base, amount: 300, full: false, view: ecpay("已授權") });
    expect(made).toEqual([["C", 1000], ["R", 300]]);
  });

  it("cancels the close then abandons (E, N) a full refund while 要關帳", async () => {
    const { result, calls: made } = await run({ ...base, view: ecpay("要關帳") });
    expect(made).toEqual([["E", 1000], ["N", 1000]]);
    expect(result.ok).toBe(true);
  });

  it("refunds (R) a partial refund while 要關帳 and any refund once 已關帳", async () => {
    expect((await run({ ...base, amount: 300, full: false, view: ecpay("要關帳") })).calls).toEqual([["R", 300]]);
    expect((await run({ ...base, view: ecpay("已關帳") })).calls).toEqual([["R", 1000]]);
  });

  it("cancels only what is still closed after an earlier partial refund", async () => {
    const { calls: made } = await run({ ...base, amount: 700, refunded: 300, view: ecpay("要關帳") });
    expect(made).toEqual([["E", 700], ["N", 1000]]);
  });

  it("always refunds UnionPay with R, which closes at authorization", async () => {
    expect((await run({ ...base, unionPay: true, view: ecpay("已關帳") })).calls).toEqual([["R", 1000]]);
    expect((await run({ ...base, unionPay: true, view: record(null) })).calls).toEqual([["R", 1000]]);
  });

  it("rejects a refund of a cancelled trade and waits while ECPay is mid-close", () => {
    expect(planOperation({ ...base, view: ecpay("已取消") })).toEqual({ kind: "reject", rejection: { code: "PROCESSING_ERROR", message: "refund.voided" } });
    expect(planOperation({ ...base, view: ecpay("關帳中") })).toMatchObject({ kind: "wait" });
    expect(planOperation({ ...base, view: ecpay("銀行拒絕") })).toMatchObject({ kind: "reject", rejection: { message: "operation.ecpayRefused" } });
  });

  it("does not repeat an unanswered R that ECPay's closed amount shows was done", () => {
    const lost = { ...base, amount: 300, full: false, unresolved: "R" as const, clsamtBeforeUnresolved: 1000 };
    expect(planOperation({ ...lost, view: ecpay("已關帳", 700) })).toEqual({ kind: "done" });
  });

  it("never sends an unanswered R again when the documented fields cannot show it done", () => {
    const lost = { ...base, amount: 300, full: false, unresolved: "R" as const, clsamtBeforeUnresolved: 1000 };
    const unknown = { kind: "reject", rejection: { code: "PROCESSING_ERROR", message: "operation.unknownOutcome" } };
    // Unchanged closed amount: ECPay may still be processing it, or worded it where we do not read.
    expect(planOperation({ ...lost, view: ecpay("已關帳", 1000) })).toEqual(unknown);
    expect(planOperation({ ...lost, view: ecpay("已關帳", null) })).toEqual(unknown);
    expect(planOperation({ ...lost, clsamtBeforeUnresolved: null, view: ecpay("已關帳", 0) })).toEqual(unknown);
  });

  it("reads clsamt as a number or a digit string, and nothing else", () => {
    expect(clsamtOf({ clsamt: 700 })).toBe(700);
    expect(clsamtOf({ clsamt: "700" })).toBe(700);
    expect(clsamtOf({ clsamt: "7e2" })).toBeNull();
    expect(clsamtOf({})).toBeNull();
  });

  it("takes the closed amount before a lost R only from the query right before it", () => {
    const query = (clsamt: number): EcpayLogEntry => ({ at: "t", call: "QueryTrade/V2", outcome: "ok", status: "已關帳", clsamt });
    const refund: EcpayLogEntry = { at: "t", call: "DoAction", action: "R", amount: 300, outcome: "indeterminate" };
    const close: EcpayLogEntry = { at: "t", call: "DoAction", action: "C", amount: 1000, outcome: "ok" };
    expect(clsamtBeforeUnresolvedRefund([query(1000), refund, query(700)])).toBe(1000);
    expect(clsamtBeforeUnresolvedRefund([query(0), close, refund])).toBeNull();
    expect(clsamtBeforeUnresolvedRefund([refund])).toBeNull();
  });
});

describe("the refund sequence from our own record (no 商家檢查碼)", () => {
  it("tries R first and falls back to E then N when ECPay refuses a full R before the close settled", async () => {
    const { result, calls: made } = await run({ ...base, view: record("CLOSE_REQUESTED") }, [notAllowed, "ok", "ok"]);
    expect(made).toEqual([["R", 1000], ["E", 1000], ["N", 1000]]);
    expect(result).toEqual({ ok: true, state: "ABANDONED" });
  });

  it("refunds with R alone once the close settled", async () => {
    const { result, calls: made } = await run({ ...base, view: record("CLOSE_REQUESTED") });
    expect(made).toEqual([["R", 1000]]);
    expect(result).toEqual({ ok: true, state: "CLOSE_REQUESTED" });
  });

  it("refunds with R when ECPay's daily auto-close already closed what we recorded as authorized", async () => {
    const { calls: made } = await run({ ...base, view: record("AUTHORIZED") }, [notAllowed, "ok"]);
    expect(made).toEqual([["N", 1000], ["R", 1000]]);
  });

  it("closes before a partial refund of what we recorded as authorized", async () => {
    expect((await run({ ...base, amount: 300, full: false, view: record("AUTHORIZED") })).calls).toEqual([["C", 1000], ["R", 300]]);
  });

  it("closes and refunds when a partial R is refused because the trade was never closed", async () => {
    const { calls: made } = await run({ ...base, amount: 300, full: false, view: record(null) }, [notAllowed, "ok", "ok"]);
    expect(made).toEqual([["R", 300], ["C", 1000], ["R", 300]]);
  });

  it("never sends again an R whose answer was lost, and asks the merchant to check the back office", () => {
    expect(planOperation({ ...base, unresolved: "R", view: record("CLOSED") })).toEqual({
      kind: "reject",
      rejection: { code: "PROCESSING_ERROR", message: "operation.unknownOutcome" },
    });
  });

  it("reports the first refusal when every probe is refused", async () => {
    const { result, calls: made } = await run({ ...base, view: record("CLOSE_REQUESTED") }, [notAllowed, { ...notAllowed, message: "E refused" }, { ...notAllowed, message: "N refused" }]);
    expect(made).toEqual([["R", 1000], ["E", 1000], ["N", 1000]]);
    expect(result).toMatchObject({ ok: false, error: notAllowed, action: "N" });
  });
});

describe("walking a plan", () => {
  it("stops at an unanswered call without trying anything else", async () => {
    const { result, calls: made, log } = await run({ ...base, view: record("CLOSE_REQUESTED") }, [timedOut]);
    expect(made).toEqual([["R", 1000]]);
    expect(result).toEqual({ ok: false, error: timedOut, action: "R", state: "CLOSE_REQUESTED" });
    expect(unresolvedAction(log)).toBe("R");
  });

  it("stops at a decline and keeps the state reached by the calls that succeeded", async () => {
    const { result, calls: made } = await run({ ...base, amount: 300, full: false, view: ecpay("已授權") }, ["ok", declined]);
    expect(made).toEqual([["C", 1000], ["R", 300]]);
    expect(result).toEqual({ ok: false, error: declined, action: "R", state: "CLOSE_REQUESTED" });
  });

  it("logs every call as sent before it goes out, then its answer", async () => {
    const { log, persist } = await run({ ...base, view: ecpay("要關帳") });
    expect(log).toEqual([
      { at: "t", call: "DoAction", action: "E", amount: 1000, outcome: "ok", rtnCode: "1", rtnMsg: "成功" },
      // The last step marks the operation done at ECPay, so a run that cannot record it never repeats it.
      { at: "t", call: "DoAction", action: "N", amount: 1000, outcome: "ok", rtnCode: "1", rtnMsg: "成功", completed: { cardState: "ABANDONED" } },
    ]);
    // sent, answered (with state) for each call
    expect(persist.mock.calls).toEqual([[], ["AUTHORIZED"], [], ["ABANDONED"]]);
    expect(unresolvedAction(log)).toBeNull();
    expect(completedAtEcpay(log)).toEqual({ cardState: "ABANDONED" });
    expect(completedAtEcpay(log.slice(0, 1))).toBeUndefined();
    expect(unresolvedAction([{ at: "t", call: "DoAction", action: "C", amount: 1, outcome: "sent" }])).toBe("C");
  });
});

describe("capture and void plans", () => {
  it("captures with C for the amount and voids with N for the authorization", () => {
    expect(planOperation({ ...base, type: "capture", amount: 600, full: false, view: ecpay("已授權") })).toEqual({ kind: "run", first: { action: "C", amount: 600 } });
    expect(planOperation({ ...base, type: "void", view: record("AUTHORIZED") })).toEqual({ kind: "run", first: { action: "N", amount: 1000 } });
  });

  it("treats an unanswered C as done when ECPay shows the trade closing", () => {
    expect(planOperation({ ...base, type: "capture", unresolved: "C", view: ecpay("要關帳") })).toEqual({ kind: "done" });
    expect(planOperation({ ...base, type: "capture", unresolved: null, view: ecpay("要關帳") })).toMatchObject({ kind: "reject" });
    expect(planOperation({ ...base, type: "void", unresolved: "N", view: ecpay("已取消") })).toEqual({ kind: "done" });
  });
});
