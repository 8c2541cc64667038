// What the gateway can and cannot do for a refund, capture or void, decided before ECPay is
// called. Pure: the registry (methods.ts) and the payment's amounts in, a decision out.
import type { PaymentKind, PaymentStatus } from "@prisma/client";
import type { PaymentMethodDefinition } from "../methods";
import { formatMoney } from "../money";
import { tradeIsFullOnly } from "../settlement-rules";
import type { OperationType, Rejection } from "./types";

export interface PaymentFigures {
  status: PaymentStatus;
  kind: PaymentKind;
  /** Whole TWD the buyer paid or authorized. */
  amount: number | null;
  capturedAmount: number;
  refundedAmount: number;
  authorizationExpiresAt: Date | null;
}

const CAPTURED_STATUSES: readonly PaymentStatus[] = ["PAID", "PARTIALLY_REFUNDED", "REFUNDED"];

/**
 * What was captured: the recorded capture, or for a paid sale its amount (a sale is captured at
 * checkout even if nothing recorded a capture).
 */
export function capturedAmountOf(payment: PaymentFigures): number {
  if (payment.capturedAmount > 0) return payment.capturedAmount;
  return payment.kind === "SALE" && CAPTURED_STATUSES.includes(payment.status) ? (payment.amount ?? 0) : 0;
}

export interface RuleInput {
  type: OperationType;
  method: PaymentMethodDefinition;
  /** Whole TWD, or null when Shopify's amount was not whole TWD (or absent, for a void). */
  amount: number | null;
  amountRaw: string | null;
  currency: string | null;
  payment: PaymentFigures;
  /**
   * What the paid trade is (PaymentAttempt), whatever app it came through; null before it is paid.
   * A UnionPay trade is captured at authorization; an installment or redemption trade moves only in full.
   */
  trade: TradeFacts | null;
  now: Date;
}

export interface TradeFacts {
  unionPay: boolean;
  installmentStages: number | null;
  redeemedAmount: number | null;
}

/** The method's rule, or the trade's when it was paid in installments or with bonus points. */
function fullOnly(input: RuleInput): boolean {
  return input.method.refund === "full-only" || (input.trade !== null && tradeIsFullOnly(input.trade));
}

export type RuleDecision =
  | {
      ok: true;
      /** The amount to move at ECPay (void: the authorized amount). */
      amount: number;
      /** Refund: the whole refundable rest. Capture: the whole authorization. Void: always. */
      full: boolean;
    }
  | { ok: false; rejection: Rejection };

const reject = (message: Rejection["message"], vars?: Rejection["vars"], code: Rejection["code"] = "PROCESSING_ERROR"): RuleDecision => ({
  ok: false,
  rejection: { code, message, ...(vars && { vars }) },
});

function checkMoney(input: RuleInput): { ok: true; amount: number } | { ok: false; decision: RuleDecision } {
  if ((input.currency ?? "").toUpperCase() !== "TWD") {
    return { ok: false, decision: reject("operation.currencyNotTwd", { currency: input.currency ?? "" }) };
  }
  if (input.amount === null || input.amount <= 0) {
    return { ok: false, decision: reject("operation.amountNotWhole", { amount: input.amountRaw ?? "" }) };
  }
  return { ok: true, amount: input.amount };
}

/** The registry's rules, the amounts and the payment's state, in the order a merchant would want them explained. */
export function checkOperationRules(input: RuleInput): RuleDecision {
  const { method, payment } = input;
  const authorized = payment.amount ?? 0;
  switch (input.type) {
    case "refund": {
      if (method.refund === "contact-buyer") return reject("refund.contactBuyer");
      if (method.refund === "opay-back-office") return reject("refund.opayBackOffice");
      const money = checkMoney(input);
      if (!money.ok) return money.decision;
      if (payment.status !== "PAID" && payment.status !== "PARTIALLY_REFUNDED") {
        return payment.status === "REFUNDED"
          ? reject("refund.exceedsRefundable", { amount: formatMoney(money.amount), refundable: formatMoney(0) })
          : reject("refund.notPaid");
      }
      const refundable = capturedAmountOf(payment) - payment.refundedAmount;
      if (money.amount > refundable) return reject("refund.exceedsRefundable", { amount: formatMoney(money.amount), refundable: formatMoney(refundable) });
      const full = money.amount === refundable;
      if (fullOnly(input) && !full) return reject("refund.fullOnly");
      return { ok: true, amount: money.amount, full };
    }
    case "capture": {
      if (!method.supportsAuthorization) return reject("capture.notSupported");
      if (input.trade?.unionPay) return reject("operation.unionPayClosed");
      const money = checkMoney(input);
      if (!money.ok) return money.decision;
      if (payment.status !== "AUTHORIZED") return reject("capture.notAuthorized");
      if (payment.authorizationExpiresAt && payment.authorizationExpiresAt.getTime() <= input.now.getTime()) {
        return reject("capture.expired", undefined, "AUTHORIZATION_EXPIRED");
      }
      if (money.amount > authorized) return reject("capture.exceedsAuthorized", { amount: formatMoney(money.amount), authorized: formatMoney(authorized) });
      // ECPay closes installment and redemption trades all-or-nothing (ecpay-aio §4.1).
      if (fullOnly(input) && money.amount !== authorized) return reject("capture.fullOnly", { authorized: formatMoney(authorized) });
      return { ok: true, amount: money.amount, full: money.amount === authorized };
    }
    case "void": {
      if (!method.supportsAuthorization) return reject("void.notSupported");
      if (input.trade?.unionPay) return reject("operation.unionPayClosed");
      if (payment.status !== "AUTHORIZED") return reject("void.notAuthorized");
      return { ok: true, amount: authorized, full: true };
    }
  }
}
