// Walks an operation plan against ECPay. Each DoAction is logged as "sent" (and persisted) before
// it goes out and completed with its answer right after, so a crash in between leaves a record
// that the outcome is unknown (see unresolvedAction). Depends only on the gateway port.
import type { DoActionKind, EcpayCredentials, EcpayError, IEcpayGateway } from "../../ecpay/types";
import { stateAfter, type PlanStep } from "./plan";
import type { CardState, EcpayLogEntry } from "./types";

export interface ExecuteContext {
  gateway: Pick<IEcpayGateway, "doAction">;
  credentials: EcpayCredentials;
  trade: { merchantTradeNo: string; tradeNo: string };
  /** Our view of the card before the first call. */
  startState: CardState | null;
  /** Appended to as calls are made. */
  log: EcpayLogEntry[];
  now(): string;
  /** Save the log; with a card state after a successful call, save that too. */
  persist(cardState?: CardState | null): Promise<void>;
}

export type ExecuteResult =
  | { ok: true; state: CardState | null }
  /** `action` is the call that failed; `state` is the card after the calls that succeeded. */
  | { ok: false; error: EcpayError; action: DoActionKind; state: CardState | null };

export async function executePlan(ctx: ExecuteContext, first: PlanStep): Promise<ExecuteResult> {
  let state = ctx.startState;
  let step: PlanStep | undefined = first;
  let firstRefusal: EcpayError | null = null;
  while (step) {
    const entry: Extract<EcpayLogEntry, { call: "DoAction" }> = { at: ctx.now(), call: "DoAction", action: step.action, amount: step.amount, outcome: "sent" };
    ctx.log.push(entry);
    await ctx.persist();
    const answer = await ctx.gateway.doAction(ctx.credentials, { ...ctx.trade, action: step.action, totalAmount: step.amount });
    if (answer.isOk()) {
      entry.outcome = "ok";
      entry.rtnCode = answer.value.rtnCode;
      entry.rtnMsg = answer.value.rtnMsg;
      state = stateAfter(step.action, state);
      if (!step.then) entry.completed = { cardState: state };
      await ctx.persist(state);
      step = step.then;
      continue;
    }
    const error = answer.error;
    entry.outcome = error.kind;
    entry.error = error.message;
    if (error.code !== undefined) entry.rtnCode = error.code;
    await ctx.persist();
    if (error.kind === "not-allowed" && step.ifRefused) {
      // A refusal for the trade's state moved no money: try the next likeliest state's action.
      firstRefusal ??= error;
      step = step.ifRefused;
      continue;
    }
    // When every probe was refused, the first refusal (the likeliest state) explains it best.
    return { ok: false, error: error.kind === "not-allowed" && firstRefusal ? firstRefusal : error, action: step.action, state };
  }
  return { ok: true, state };
}
