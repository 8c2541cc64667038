// Where the card stands before the first DoAction: ECPay's own word (QueryTrade/V2 with the
// merchant's 商家檢查碼), else our record. The answer is logged; a query ECPay did not answer
// sends the operation back to wait.
import { clsamtOf, type CardView } from "./plan";
import { ecpayCardState } from "./card-state";
import type { Outcome } from "./run.server";
import { asCardState } from "./types";
import type { CardContext, EcpayContext } from "./strategies/context";

export async function lookAtCard(ctx: EcpayContext): Promise<{ ok: true; ctx: CardContext } | { ok: false; outcome: Outcome }> {
  const { run, trade } = ctx;
  let view: CardView = { source: "record", state: asCardState(trade.cardState) };
  if (ctx.canQuery && ctx.checkCode !== null && trade.gwsr !== null) {
    const queried = await run.deps.ecpay.queryCreditDetail(ctx.credentials, { creditRefundId: trade.gwsr, creditAmount: ctx.authorized, creditCheckCode: ctx.checkCode });
    if (queried.isOk()) {
      const clsamt = clsamtOf(queried.value.fields);
      run.log.push({ at: run.now(), call: "QueryTrade/V2", outcome: "ok", status: queried.value.status, ...(clsamt !== null && { clsamt }) });
      view = { source: "ecpay", status: queried.value.status, clsamt };
    } else {
      run.log.push({ at: run.now(), call: "QueryTrade/V2", outcome: queried.error.kind, error: queried.error.message });
      if (queried.error.kind === "indeterminate" || queried.error.kind === "rate-limited") {
        return { ok: false, outcome: await run.retry(queried.error, ctx.unresolved === "R") };
      }
      // The check code may be wrong while the keys are right: go on with what we recorded.
    }
  }
  const startState = view.source === "ecpay" ? (ecpayCardState(view.status) ?? asCardState(trade.cardState)) : view.state;
  return { ok: true, ctx: { ...ctx, view, startState } };
}
