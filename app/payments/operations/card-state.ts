// Our record of the card after an operation that needed no DoAction (PaymentAttempt.cardState,
// see types.ts). Pure.
import { cardStateFromEcpay } from "./plan";
import type { CardState, OperationType } from "./types";

/** A test session's operation, completed without ECPay: the state ECPay would have left. */
export function simulatedCardState(type: OperationType, full: boolean, before: CardState | null): CardState | null {
  if (type === "capture") return "CLOSE_REQUESTED";
  if (type === "void") return "ABANDONED";
  return full && before === "AUTHORIZED" ? "ABANDONED" : before;
}

/** An operation an earlier try already carried out (its answer was lost), from the state seen now. */
export function doneState(type: OperationType, full: boolean, state: CardState | null): CardState | null {
  if (type === "capture") return state ?? "CLOSE_REQUESTED";
  if (type === "void") return "ABANDONED";
  return full && state === "ABANDONED" ? "ABANDONED" : state;
}

/** QueryTrade/V2's status as a card state; null while ECPay is between states (or for an unknown status). */
export function ecpayCardState(status: string): CardState | null {
  const state = cardStateFromEcpay(status);
  return state === "IN_FLUX" ? null : state;
}
