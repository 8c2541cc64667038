// What an ECPay message means, in the domain's words. Every RtnCode and TradeStatus is read here
// and nowhere else: a verified notification (ReturnURL, PaymentInfoURL, OrderResultURL) or query
// answer (QueryTradeInfo, QueryPaymentInfo) becomes one of a closed set of outcomes, in the shape
// of Medusa's getWebhookActionAndData (`{ kind, facts }`). Pure.
import type { EcpayCallback, PaymentInfo, TradeInfo } from "./types";

/** ECPay's documented codes (ecpay-aio §3.1, §3.3, §4.2, §4.4), named once. */
const RTN_CODE = { paid: "1", atmAccountIssued: "2" } as const;
const TRADE_STATUS = { unpaid: "0", paid: "1", notCompleted: "10200095", notFound: "10200047" } as const;

/** The trade an outcome is about, to check it against our attempt before anything is settled. */
export interface TradeRef {
  merchantTradeNo: string;
  /** ECPay's TradeNo; "" when ECPay has none (an unknown or never-started trade). */
  tradeNo: string;
  /** TradeAmt in whole TWD; 0 when ECPay reported none. */
  amount: number;
  /** CustomField1 as ECPay echoes it (our payment id). */
  customField1: string;
}

/** ECPay's own code and message, kept verbatim to store and show in developer details only. */
export interface EcpayVerdict {
  ecpayCode: string;
  ecpayMessage: string;
}

/** A paid trade (RtnCode 1, TradeStatus 1). */
export interface PaidFacts {
  tradeNo: string;
  tradeAmt: number;
  paymentType: string;
  paymentDate: string | null;
  chargeFee: string | null;
  /** 模擬付款 from ECPay's back office: moves no money. */
  simulatePaid: boolean;
  gwsr: string | null;
  rtnCode: string;
  rtnMsg: string;
  /** From the NeedExtraPaidInfo fields (paidCardFacts): installments / bonus points used. */
  installmentStages: number | null;
  redeemedAmount: number | null;
}

/** An ATM virtual account ECPay issued (PaymentInfoURL RtnCode 2, or QueryPaymentInfo). */
export interface AtmAccountFacts {
  tradeNo: string;
  bankCode: string;
  vAccount: string;
  /** `yyyy/MM/dd`, Taiwan time. */
  expireDate: string;
}

/**
 * The closed set of outcomes:
 * - paid: the money is ECPay's (a card authorized, a transfer received)
 * - pending-account-issued: an ATM account waits for the buyer's transfer
 * - failed: ECPay reports the payment failed (a notification with any other RtnCode)
 * - not-completed: the buyer never completed the payment, the order is closed unpaid (TradeStatus 10200095)
 * - unpaid: the order exists and is not paid yet (TradeStatus 0; QueryPaymentInfo with no account to report)
 * - not-found: ECPay has no such trade (TradeStatus 10200047)
 * - unrecognised: a code ECPay does not document for this answer; nothing may be concluded from it
 */
export type EcpayOutcome =
  | { kind: "paid"; trade: TradeRef; facts: PaidFacts }
  | { kind: "pending-account-issued"; trade: TradeRef; facts: AtmAccountFacts }
  | { kind: "failed"; trade: TradeRef; facts: EcpayVerdict }
  | { kind: "not-completed"; trade: TradeRef; facts: EcpayVerdict }
  | { kind: "unpaid"; trade: TradeRef; facts: EcpayVerdict }
  | { kind: "not-found"; trade: TradeRef; facts: EcpayVerdict }
  | { kind: "unrecognised"; trade: TradeRef; facts: EcpayVerdict };

export type EcpayOutcomeKind = EcpayOutcome["kind"];

/** What a notification can say. */
export type NotificationOutcome = Extract<EcpayOutcome, { kind: "paid" | "pending-account-issued" | "failed" }>;
/** What a QueryTradeInfo answer can say (it reports an issued ATM account as unpaid). */
export type TradeQueryOutcome = Extract<EcpayOutcome, { kind: "paid" | "not-completed" | "unpaid" | "not-found" | "unrecognised" }>;
/** What a QueryPaymentInfo answer can say. */
export type PaymentInfoOutcome = Extract<EcpayOutcome, { kind: "pending-account-issued" | "unpaid" | "not-found" }>;

/** The URL ECPay POSTed to: only PaymentInfoURL reports an ATM account (§3.3). */
export type NotificationEndpoint = "ReturnURL" | "PaymentInfoURL" | "OrderResultURL";

/**
 * How a paid card trade was paid, from its NeedExtraPaidInfo fields (ecpay-aio §3.2, signed with
 * the rest): `stage` is the installment count (the buyer may pick ECPay's consumer-paid
 * installments on a one-time payment too) and `red_de_amt` the amount paid with bonus points. Both
 * make the trade refundable only in full (§4.1). Empty or malformed means none.
 */
export function paidCardFacts(fields: Readonly<Record<string, unknown>>): { installmentStages: number | null; redeemedAmount: number | null } {
  const count = (value: unknown) => {
    const n = typeof value === "string" && /^\d{1,9}$/.test(value) ? Number(value) : 0;
    return n > 0 ? n : null;
  };
  return { installmentStages: count(fields.stage), redeemedAmount: count(fields.red_de_amt) };
}

/**
 * A verified notification: RtnCode 1 is paid (ReturnURL, OrderResultURL); RtnCode 2 on
 * PaymentInfoURL with the account's fields is an issued ATM account; anything else is a failure
 * (§3.1, §3.3). SimulatePaid is a fact of the paid outcome: the domain decides what it is worth.
 */
export function notificationOutcome(callback: EcpayCallback, endpoint: NotificationEndpoint): NotificationOutcome {
  const trade: TradeRef = {
    merchantTradeNo: callback.merchantTradeNo,
    tradeNo: callback.tradeNo,
    amount: callback.tradeAmt,
    customField1: callback.customField1,
  };
  if (callback.rtnCode === RTN_CODE.paid) {
    return {
      kind: "paid",
      trade,
      facts: {
        tradeNo: callback.tradeNo,
        tradeAmt: callback.tradeAmt,
        paymentType: callback.paymentType,
        paymentDate: callback.paymentDate,
        chargeFee: callback.chargeFee,
        simulatePaid: callback.simulatePaid,
        gwsr: callback.gwsr,
        ...paidCardFacts(callback.fields),
        rtnCode: callback.rtnCode,
        rtnMsg: callback.rtnMsg,
      },
    };
  }
  const { bankCode, vAccount, expireDate } = callback;
  if (endpoint === "PaymentInfoURL" && callback.rtnCode === RTN_CODE.atmAccountIssued && bankCode && vAccount && expireDate) {
    return { kind: "pending-account-issued", trade, facts: { tradeNo: callback.tradeNo, bankCode, vAccount, expireDate } };
  }
  return { kind: "failed", trade, facts: { ecpayCode: callback.rtnCode, ecpayMessage: callback.rtnMsg } };
}

/**
 * A verified QueryTradeInfo answer (§4.2): TradeStatus 1 paid, 0 created and unpaid (an issued ATM
 * account too), 10200095 "交易訂單未成立": the buyer did not complete the payment; 10200047 is
 * ECPay's answer for a MerchantTradeNo it does not know (observed).
 */
export function tradeQueryOutcome(info: TradeInfo): TradeQueryOutcome {
  const trade: TradeRef = { merchantTradeNo: info.merchantTradeNo, tradeNo: info.tradeNo, amount: info.tradeAmt, customField1: info.customField1 };
  const verdict = (ecpayMessage: string): EcpayVerdict => ({ ecpayCode: info.tradeStatus, ecpayMessage });
  switch (info.tradeStatus) {
    case TRADE_STATUS.paid:
      return {
        kind: "paid",
        trade,
        facts: {
          tradeNo: info.tradeNo,
          tradeAmt: info.tradeAmt,
          paymentType: info.paymentType,
          paymentDate: info.paymentDate,
          chargeFee: info.chargeFee,
          simulatePaid: info.simulatePaid,
          gwsr: info.gwsr,
          ...paidCardFacts(info.fields),
          // Stored on the attempt as a notification's RtnCode/RtnMsg would be.
          rtnCode: RTN_CODE.paid,
          rtnMsg: `QueryTradeInfo TradeStatus=${info.tradeStatus}`,
        },
      };
    case TRADE_STATUS.notCompleted:
      return { kind: "not-completed", trade, facts: verdict("QueryTradeInfo: 交易訂單未成立") };
    case TRADE_STATUS.unpaid:
      return { kind: "unpaid", trade, facts: verdict("QueryTradeInfo: 訂單成立未付款") };
    case TRADE_STATUS.notFound:
      return { kind: "not-found", trade, facts: verdict("QueryTradeInfo: 查無此筆交易") };
    default:
      return { kind: "unrecognised", trade, facts: verdict(`QueryTradeInfo TradeStatus=${info.tradeStatus}`) };
  }
}

/**
 * A verified QueryPaymentInfo answer (§4.4): RtnCode 2 with the account's fields is an issued ATM
 * account, as PaymentInfoURL reports it; 10200047 no such trade; anything else means ECPay has no
 * account to report (not issued yet, not ATM, or "unavailable once paid": QueryTradeInfo says which).
 */
export function paymentInfoOutcome(info: PaymentInfo): PaymentInfoOutcome {
  const trade: TradeRef = { merchantTradeNo: info.merchantTradeNo, tradeNo: info.tradeNo, amount: info.tradeAmt, customField1: info.customField1 };
  const { bankCode, vAccount, expireDate } = info;
  if (info.rtnCode === RTN_CODE.atmAccountIssued && bankCode && vAccount && expireDate) {
    return { kind: "pending-account-issued", trade, facts: { tradeNo: info.tradeNo, bankCode, vAccount, expireDate } };
  }
  const facts = { ecpayCode: info.rtnCode, ecpayMessage: info.rtnMsg };
  return info.rtnCode === TRADE_STATUS.notFound ? { kind: "not-found", trade, facts } : { kind: "unpaid", trade, facts };
}
