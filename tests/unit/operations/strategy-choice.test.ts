import { describe, expect, it } from "vitest";
import { strategyFor } from "~/payments/operations/strategies/choose";

describe("the operation orchestrator's choice of strategy", () => {
  it("sends a capture and a void to their own strategies, whatever the card's state", () => {
    expect(strategyFor({ type: "capture", unionPay: false, startState: "AUTHORIZED" }).name).toBe("capture");
    expect(strategyFor({ type: "void", unionPay: false, startState: null }).name).toBe("void");
  });

  it("refunds a card that is still only authorized before capture, and a closed, closing or unknown one after", () => {
    expect(strategyFor({ type: "refund", unionPay: false, startState: "AUTHORIZED" }).name).toBe("refund-before-capture");
    for (const startState of ["CLOSE_REQUESTED", "CLOSED", "ABANDONED", null] as const) {
      expect(strategyFor({ type: "refund", unionPay: false, startState }).name).toBe("refund-after-capture");
    }
  });

  it("refunds a UnionPay trade after capture even when our record says authorized, since UnionPay closes at authorization", () => {
    expect(strategyFor({ type: "refund", unionPay: true, startState: "AUTHORIZED" }).name).toBe("refund-after-capture");
  });
});
