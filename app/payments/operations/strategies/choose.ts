// Which strategy a production operation takes once the card has been looked at.
import type { CardState, OperationType } from "../types";
import { captureStrategy } from "./capture.server";
import type { CardContext, OperationStrategy } from "./context";
import { refundAfterCaptureStrategy } from "./refund-after-capture.server";
import { refundBeforeCaptureStrategy } from "./refund-before-capture.server";
import { voidStrategy } from "./void.server";

export interface StrategyChoice {
  type: OperationType;
  /** A UnionPay trade is closed at authorization: a refund is always after capture. */
  unionPay: boolean;
  /** The card state the first DoAction starts from (ECPay's, else ours). */
  startState: CardState | null;
}

export function strategyFor({ type, unionPay, startState }: StrategyChoice): OperationStrategy<CardContext> {
  switch (type) {
    case "capture":
      return captureStrategy;
    case "void":
      return voidStrategy;
    case "refund":
      return startState === "AUTHORIZED" && !unionPay ? refundBeforeCaptureStrategy : refundAfterCaptureStrategy;
  }
}
