// Shared shapes of the capture/void/refund flow (DESIGN §3 "Authorize, capture, void, refund").
import type { DoActionKind, EcpayErrorKind } from "../../ecpay/types";
import type { MessageKey } from "../../i18n";

export const OPERATION_TYPES = ["refund", "capture", "void"] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

/** Prisma's OperationType enum value for a route's operation. */
export const OPERATION_ENUM = { refund: "REFUND", capture: "CAPTURE", void: "VOID" } as const satisfies Record<OperationType, string>;

/**
 * Our record of the card trade at ECPay (PaymentAttempt.cardState, ecpay-aio §4.1):
 * AUTHORIZED 已授權 · CLOSE_REQUESTED 要關帳 · CLOSED 已關帳 · ABANDONED 已取消 (N).
 * CLOSING is our own lease while a pending close's DoAction C is in flight.
 */
export const CARD_STATES = ["AUTHORIZED", "CLOSE_REQUESTED", "CLOSED", "ABANDONED"] as const;
export type CardState = (typeof CARD_STATES)[number];
export const CLOSING = "CLOSING";

export function asCardState(value: string | null | undefined): CardState | null {
  return (CARD_STATES as readonly string[]).includes(value ?? "") ? (value as CardState) : null;
}

/** A localized reason to reject, with the Shopify reason code to send. */
export interface Rejection {
  code: "PROCESSING_ERROR" | "AUTHORIZATION_EXPIRED";
  message: MessageKey;
  vars?: Record<string, string | number>;
}

/**
 * One line of OperationSession.ecpayLog. A DoAction line is written as "sent" before the call and
 * completed after it, so a crash in between leaves a trace that the outcome is unknown.
 */
export type EcpayLogEntry =
  | {
      at: string;
      call: "DoAction";
      action: DoActionKind;
      amount: number;
      outcome: "sent" | "ok" | EcpayErrorKind;
      rtnCode?: string;
      rtnMsg?: string;
      error?: string;
      /**
       * Set on the plan's last step when it succeeded, with the card state after it: the operation
       * is done at ECPay, and a run that could not record it must record it, never run it again.
       */
      completed?: { cardState: CardState | null };
    }
  | {
      at: string;
      call: "QueryTrade/V2";
      outcome: "ok" | EcpayErrorKind;
      status?: string;
      /** The trade's closed amount (clsamt), kept to judge an R whose answer was lost. */
      clsamt?: number;
      error?: string;
    }
  | { at: string; call: "simulated"; note: string };
