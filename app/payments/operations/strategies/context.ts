// What a strategy is handed. One strategy per case of a refund, capture or void (the shape of
// saleor np-atobarai's refund orchestrator): the orchestrator (../orchestrator.server.ts) picks
// one and hands it the context its case needs, nothing more.
import type { EcpayBinding, PaymentAttempt } from "@prisma/client";
import type { DoActionKind, EcpayCredentials } from "../../../ecpay/types";
import type { CardView } from "../plan";
import type { Outcome, Run } from "../run.server";
import type { CardState } from "../types";

/** Every case: the run (its log, lease and recording) and what the registry's rules allowed. */
export interface OperationContext {
  run: Run;
  /** The amount to move at ECPay (void: the authorized amount) and whether it is the whole. */
  decision: { amount: number; full: boolean };
  /** The paid trade; null before any attempt was paid. */
  attempt: PaymentAttempt | null;
}

/** A production operation that reaches ECPay: the trade, its account and the earlier tries' log. */
export interface EcpayContext extends OperationContext {
  trade: PaymentAttempt & { tradeNo: string };
  binding: EcpayBinding;
  credentials: EcpayCredentials;
  /** The merchant's 商家檢查碼; null when unknown (then QueryTrade/V2 cannot be asked). */
  checkCode: string | null;
  /** The card authorization amount (DoAction N, QueryTrade/V2 CreditAmount). */
  authorized: number;
  /** The DoAction of an earlier try whose outcome is unknown, if any. */
  unresolved: DoActionKind | null;
  /** Whether QueryTrade/V2 can read the card: a check code and the trade's gwsr. */
  canQuery: boolean;
}

/** After the card was looked at: where ECPay's (or our) view says it stands. */
export interface CardContext extends EcpayContext {
  view: CardView;
  /** The card state the first DoAction starts from. */
  startState: CardState | null;
}

export interface OperationStrategy<C extends OperationContext> {
  /** The case, for logs and tests. */
  readonly name: string;
  execute(ctx: C): Promise<Outcome>;
}
