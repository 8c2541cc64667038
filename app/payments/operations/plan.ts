// Which DoAction calls a capture, void or refund needs (ecpay-aio §4.1). Pure.
//
// With the merchant's 商家檢查碼 we read the card state from QueryTrade/V2 and the sequence is exact:
//   已授權: full refund N, partial C then R · 要關帳: full E then N, partial R · 已關帳: R.
// Without it we only know what we did ourselves (PaymentAttempt.cardState), and ECPay may have
// moved on since (the daily close settles 要關帳 trades, or auto-closes authorizations). So we try
// the likeliest action first and fall back when ECPay refuses it for the trade's state: a refused
// DoAction moves no money, which makes this probing safe.
import { z } from "zod";
import type { DoActionKind } from "../../ecpay/types";
import type { CardState, EcpayLogEntry, OperationType, Rejection } from "./types";

export interface PlanStep {
  action: DoActionKind;
  amount: number;
  /** Next call once this one succeeded. */
  then?: PlanStep;
  /** Try this instead when ECPay refuses this call for the trade's state (not-allowed). */
  ifRefused?: PlanStep;
}

export type CardView =
  /** From QueryTrade/V2: ECPay's own status and closed amount (clsamt; null when absent or unreadable). */
  | { source: "ecpay"; status: string; clsamt: number | null }
  /** Our record of what we did; null when we never recorded anything. */
  | { source: "record"; state: CardState | null };

export interface PlanInput {
  type: OperationType;
  /** From the rules: what to move (void: the authorized amount). */
  amount: number;
  full: boolean;
  /** The card authorization amount (DoAction N). */
  authorized: number;
  /** Captured so far (the close amount). */
  captured: number;
  /** Refunded before this operation. */
  refunded: number;
  /** UnionPay trades are closed at authorization: refunds are always R. */
  unionPay: boolean;
  view: CardView;
  /** The DoAction of an earlier try whose outcome is unknown (timeout, crash), if any. */
  unresolved: DoActionKind | null;
  /** For an unresolved R: ECPay's clsamt read right before it was sent (clsamtBeforeUnresolvedRefund). */
  clsamtBeforeUnresolved: number | null;
}

export type OperationPlan =
  | { kind: "run"; first: PlanStep }
  /** An earlier try already did it (its answer was lost). */
  | { kind: "done" }
  | { kind: "reject"; rejection: Rejection }
  /** ECPay is in the middle of a state change (關帳中, 取消中): try again later. */
  | { kind: "wait"; reason: string };

type EcpayState = CardState | "IN_FLUX";

/** QueryTrade/V2 status (ecpay-aio §4.3) as our card state; null for states no DoAction can work from. */
export function cardStateFromEcpay(status: string): EcpayState | null {
  switch (status) {
    case "已授權":
      return "AUTHORIZED";
    case "要關帳":
      return "CLOSE_REQUESTED";
    case "已關帳":
      return "CLOSED";
    case "已取消":
      return "ABANDONED";
    case "關帳中":
    case "要取消":
    case "取消中":
      return "IN_FLUX";
    default:
      return null;
  }
}

/**
 * QueryTrade/V2's `clsamt` (ecpay-aio §4.3), the trade's closed amount. Of that answer only
 * `amount`, `clsamt`, `status` and the names of close_data's keys are documented; the wording of
 * close_data's statuses is not (the emulator's "退刷" is its own guess), so nothing reads it.
 */
export function clsamtOf(fields: Record<string, unknown>): number | null {
  const parsed = z.union([z.number().int().min(0), z.string().regex(/^\d{1,9}$/).transform(Number)]).safeParse(fields.clsamt);
  return parsed.success ? parsed.data : null;
}

/**
 * The clsamt ECPay showed right before the unresolved R was sent: the log entry just before that
 * DoAction is this operation's QueryTrade/V2 answer. Null when the R followed another DoAction (or
 * no readable query): then no documented field tells what the R alone changed.
 */
export function clsamtBeforeUnresolvedRefund(log: readonly EcpayLogEntry[]): number | null {
  let index = log.length - 1;
  while (index >= 0 && log[index]?.call !== "DoAction") index -= 1;
  const sent = log[index];
  const before = log[index - 1];
  if (sent?.call !== "DoAction" || sent.action !== "R" || before?.call !== "QueryTrade/V2" || before.outcome !== "ok") return null;
  return before.clsamt ?? null;
}

/** The DoAction whose outcome is still unknown: the last one in the log, if it never got a clear answer. */
/** The card state after an earlier run carried the whole plan out at ECPay, or undefined when none did. */
export function completedAtEcpay(log: readonly EcpayLogEntry[]): { cardState: CardState | null } | undefined {
  const last = [...log].reverse().find((entry) => entry.call === "DoAction");
  return last?.call === "DoAction" && last.outcome === "ok" ? last.completed : undefined;
}

export function unresolvedAction(log: readonly EcpayLogEntry[]): DoActionKind | null {
  const last = [...log].reverse().find((entry) => entry.call === "DoAction");
  if (!last || last.call !== "DoAction") return null;
  return last.outcome === "sent" || last.outcome === "indeterminate" ? last.action : null;
}

const step = (action: DoActionKind, amount: number, more: Omit<PlanStep, "action" | "amount"> = {}): PlanStep => ({ action, amount, ...more });
const run = (first: PlanStep): OperationPlan => ({ kind: "run", first });
const refuse = (message: Rejection["message"], vars?: Rejection["vars"]): OperationPlan => ({
  kind: "reject",
  rejection: { code: "PROCESSING_ERROR", message, ...(vars && { vars }) },
});

export function planOperation(input: PlanInput): OperationPlan {
  return input.view.source === "ecpay" ? planFromEcpay(input, input.view) : planFromRecord(input, input.view.state);
}

function planFromEcpay(input: PlanInput, view: { status: string; clsamt: number | null }): OperationPlan {
  const state = cardStateFromEcpay(view.status);
  if (state === null) return refuse("operation.ecpayRefused", { detail: `ECPay trade status ${view.status}` });
  if (state === "IN_FLUX") return { kind: "wait", reason: `ECPay trade status ${view.status}` };
  const { amount, authorized, captured, refunded } = input;
  switch (input.type) {
    case "capture":
      if (input.unresolved === "C" && (state === "CLOSE_REQUESTED" || state === "CLOSED")) return { kind: "done" };
      return state === "AUTHORIZED" ? run(step("C", amount)) : refuse("capture.notAuthorized");
    case "void":
      if (input.unresolved === "N" && state === "ABANDONED") return { kind: "done" };
      return state === "AUTHORIZED" ? run(step("N", authorized)) : refuse("void.notAuthorized");
    case "refund": {
      if (input.unresolved === "R") {
        // Done only when the closed amount fell by the refund since just before the R (§4.3
        // documents clsamt as the closed amount; that an R lowers it is our reading). Anything
        // else is indeterminate: an R is never sent twice, the merchant checks the back office.
        const before = input.clsamtBeforeUnresolved;
        return before !== null && view.clsamt !== null && view.clsamt <= before - amount ? { kind: "done" } : refuse("operation.unknownOutcome");
      }
      if (input.unresolved === "N" && state === "ABANDONED" && input.full) return { kind: "done" };
      if (input.unionPay && state !== "ABANDONED") return run(step("R", amount));
      switch (state) {
        case "AUTHORIZED":
          // Nothing was requested from the bank yet: a full refund gives the hold up; a partial one
          // closes the sale first so that R can return part of it.
          return input.full ? run(step("N", authorized)) : run(step("C", captured, { then: step("R", amount) }));
        case "CLOSE_REQUESTED":
          return input.full ? run(step("E", captured - refunded, { then: step("N", authorized) })) : run(step("R", amount));
        case "CLOSED":
          return run(step("R", amount));
        case "ABANDONED":
          return refuse("refund.voided");
      }
    }
  }
}

function planFromRecord(input: PlanInput, state: CardState | null): OperationPlan {
  const { amount, authorized, captured, refunded } = input;
  switch (input.type) {
    case "capture":
      return run(step("C", amount));
    case "void":
      return run(step("N", authorized));
    case "refund": {
      // Without a way to look, an R whose answer was lost must never be sent again.
      if (input.unresolved === "R") return refuse("operation.unknownOutcome");
      if (state === "ABANDONED") return refuse("refund.voided");
      if (input.unionPay) return run(step("R", amount));
      const cancelThenAbandon = step("E", captured - refunded, { then: step("N", authorized), ifRefused: step("N", authorized) });
      if (input.full) {
        return state === "AUTHORIZED"
          ? run(step("N", authorized, { ifRefused: step("R", amount, { ifRefused: cancelThenAbandon }) }))
          : run(step("R", amount, { ifRefused: cancelThenAbandon }));
      }
      return state === "AUTHORIZED"
        ? run(step("C", captured, { then: step("R", amount), ifRefused: step("R", amount) }))
        : run(step("R", amount, { ifRefused: step("C", captured, { then: step("R", amount) }) }));
    }
  }
}

/** Our card state after a successful DoAction. */
export function stateAfter(action: DoActionKind, before: CardState | null): CardState {
  switch (action) {
    case "C":
      return "CLOSE_REQUESTED";
    case "E":
      return "AUTHORIZED";
    case "N":
      return "ABANDONED";
    case "R":
      return before === "CLOSE_REQUESTED" || before === "CLOSED" ? before : "CLOSED";
  }
}
