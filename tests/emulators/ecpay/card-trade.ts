// The credit-card trade state machine behind CreditDetail/DoAction and QueryTrade/V2
// (§4.1, §4.3; developers.ecpay.com.tw/?p=9242):
//   已授權 --C--> 要關帳 --(daily close)--> 已關帳
//   已授權 --N--> 已取消            要關帳 --E--> 已授權
//   要關帳 --R (partial)--> 要關帳 with a lower close amount   (full refund there = E then N)
//   已關帳 --R--> 已關帳 with the refund recorded               (R only after close)
// Installment and redemption trades are refunded in full only; UnionPay closes at authorization.
// ECPay documents no RtnCode for rule refusals: EMULATOR_RULE_ERROR is the emulator's own, outside
// ECPay's 10xxxxxx range, and the messages say in Chinese and English which rule was broken.
import { taiwanDateTime, taiwanMinuteOfDay } from "./format";
import type { CardTrade, CloseRecord } from "./types";

export const EMULATOR_RULE_ERROR = "90000003";
/** 21 days to close an authorization when daily auto-close is off (§4.1). */
const CLOSE_LIMIT_MS = 21 * 24 * 60 * 60 * 1000;

export type DoActionKind = "C" | "R" | "E" | "N";

export type DoActionOutcome = { ok: true } | { ok: false; code: string; message: string };

const refuse = (message: string): DoActionOutcome => ({ ok: false, code: EMULATOR_RULE_ERROR, message });

export interface DoActionContext {
  now: Date;
  dailyAutoClose: boolean;
}

export function newCardTrade(input: {
  gwsr: string;
  amount: number;
  installments: number;
  redeemed: boolean;
  unionPay: boolean;
  now: Date;
}): CardTrade {
  const authTime = taiwanDateTime(input.now);
  const card: CardTrade = {
    gwsr: input.gwsr,
    authCode: "777777",
    status: "已授權",
    amount: input.amount,
    closedAmount: 0,
    refundedAmount: 0,
    authTime,
    authorizedAt: input.now,
    installments: input.installments,
    redeemed: input.redeemed,
    unionPay: input.unionPay,
    closeData: [],
  };
  if (input.unionPay) {
    // "若為銀聯卡交易時，授權完成會立即關帳" (§4.1).
    card.status = "已關帳";
    card.closedAmount = input.amount;
    addRecord(card, "已關帳", input.amount, input.now);
  }
  return card;
}

function addRecord(card: CardTrade, status: string, amount: number, now: Date): void {
  const record: CloseRecord = { status, sno: String(card.closeData.length + 1), amount, datetime: taiwanDateTime(now) };
  card.closeData.push(record);
}

/** Validates and applies one DoAction to `card` (mutating it only on success). */
export function applyDoAction(card: CardTrade, action: DoActionKind, amount: number, ctx: DoActionContext): DoActionOutcome {
  const minute = taiwanMinuteOfDay(ctx.now);
  if (ctx.dailyAutoClose && minute >= 20 * 60 + 15 && minute < 20 * 60 + 30) {
    return refuse("每日自動關帳作業中，20:15~20:30 無法執行 (not allowed during the daily close window 20:15–20:30).");
  }
  if (amount > card.amount) {
    return refuse(`金額超過訂單金額 ${card.amount} (amount exceeds the order amount).`);
  }
  const fullOnly = card.installments > 0 || card.redeemed;
  switch (action) {
    case "C": {
      if (card.status !== "已授權") return refuse(`訂單狀態為${card.status}，無法關帳 (status ${card.status}: close not allowed).`);
      if (!ctx.dailyAutoClose && ctx.now.getTime() - card.authorizedAt.getTime() > CLOSE_LIMIT_MS) {
        return refuse("error_overDate");
      }
      // Closing less than authorized is an ordinary-authorization feature; installment and
      // redemption trades are all-or-nothing in every other rule, so we require the full amount.
      if (fullOnly && amount !== card.amount) {
        return refuse("分期或紅利交易須以全額關帳 (installment/redemption trades close in full only).");
      }
      card.status = "要關帳";
      card.closedAmount = amount;
      addRecord(card, "要關帳", amount, ctx.now);
      return { ok: true };
    }
    case "E": {
      if (card.status !== "要關帳") return refuse(`訂單狀態為${card.status}，無法取消關帳 (status ${card.status}: cancel-close not allowed).`);
      // "取消…訂單將會回復到前一個的狀態".
      card.status = "已授權";
      card.closedAmount = 0;
      addRecord(card, "取消", amount, ctx.now);
      return { ok: true };
    }
    case "N": {
      if (card.status !== "已授權") return refuse(`訂單狀態為${card.status}，無法放棄 (status ${card.status}: abandon only before close).`);
      // N is always the whole authorization ("一律會以訂單全額進行").
      card.status = "已取消";
      addRecord(card, "放棄", card.amount, ctx.now);
      return { ok: true };
    }
    case "R": {
      if (card.status === "已授權") return refuse("尚未關帳，不可退刷 (refund only after close; use N to abandon).");
      if (card.status === "已取消") return refuse("訂單已取消，不可退刷 (the trade is cancelled).");
      const remaining = card.status === "要關帳" ? card.closedAmount : card.closedAmount - card.refundedAmount;
      if (amount > remaining) return refuse(`退刷金額超過可退金額 ${remaining} (refund exceeds the refundable amount).`);
      if (fullOnly && (amount !== remaining || card.refundedAmount > 0)) {
        return refuse("分期及紅利折抵交易須全額退刷，不可部分退款 (installment/redemption trades must be refunded in full; partial refund not allowed).");
      }
      if (card.status === "要關帳") {
        if (amount === remaining) {
          return refuse("要關帳狀態全額退款請先取消關帳(E)再放棄(N) (full refund while 要關帳 is E then N, not R).");
        }
        card.closedAmount -= amount;
      } else {
        card.refundedAmount += amount;
      }
      addRecord(card, "退刷", amount, ctx.now);
      return { ok: true };
    }
  }
}

/** 每日關帳 at 20:15: pending closes are settled; with auto-close, authorizations are closed too. */
export function dailyClose(card: CardTrade, ctx: DoActionContext): boolean {
  if (card.status === "要關帳" || (ctx.dailyAutoClose && card.status === "已授權")) {
    if (card.status === "已授權") card.closedAmount = card.amount;
    card.status = "已關帳";
    addRecord(card, "已關帳", card.closedAmount, ctx.now);
    return true;
  }
  return false;
}

/** RtnValue of CreditDetail/QueryTrade/V2 (§4.3). */
export function queryTradeValue(card: CardTrade): Record<string, unknown> {
  return {
    TradeID: Number(card.gwsr),
    amount: card.amount,
    clsamt: card.closedAmount - card.refundedAmount,
    authtime: card.authTime,
    status: card.status,
    close_data: card.closeData.map((record) => ({ ...record })),
  };
}
