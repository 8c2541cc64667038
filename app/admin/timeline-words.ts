// Each timeline event in the merchant's words (issue 16): what happened, with the admin's money
// format, ECPay's PaymentType in words and Shopify's status words; codes stay in the developer details.
import type { Locale, MessageKey } from "../i18n";
import { formatAmount, formatDateTime, formatMoney } from "./format";
import { paymentTypeLabel } from "./payment-types";
import type { BadgeTone } from "./status";
import type { CardThen, TimelineEvent } from "./timeline";
import type { Translate } from "./use-admin";

export interface EventWords {
  text: string;
  tone: BadgeTone;
}

const MUTATION_WORDS: Record<string, MessageKey> = {
  paymentSessionResolve: "admin.timeline.mutation.paymentSessionResolve",
  paymentSessionReject: "admin.timeline.mutation.paymentSessionReject",
  paymentSessionPending: "admin.timeline.mutation.paymentSessionPending",
  refundSessionResolve: "admin.timeline.mutation.refundSessionResolve",
  refundSessionReject: "admin.timeline.mutation.refundSessionReject",
  captureSessionResolve: "admin.timeline.mutation.captureSessionResolve",
  captureSessionReject: "admin.timeline.mutation.captureSessionReject",
  voidSessionResolve: "admin.timeline.mutation.voidSessionResolve",
  voidSessionReject: "admin.timeline.mutation.voidSessionReject",
};

const OPERATION_WORDS: Record<string, MessageKey> = { CAPTURE: "admin.timeline.op.CAPTURE", REFUND: "admin.timeline.op.REFUND", VOID: "admin.timeline.op.VOID" };
const OPERATION_DONE: Record<string, MessageKey> = { CAPTURE: "admin.timeline.captured", REFUND: "admin.timeline.refundedWords", VOID: "admin.timeline.voided" };

const CARD_WORDS: Record<CardThen, MessageKey> = {
  none: "admin.timeline.card.none",
  AUTHORIZED: "admin.timeline.card.AUTHORIZED",
  CLOSE_REQUESTED: "admin.timeline.card.CLOSE_REQUESTED",
  CLOSED: "admin.timeline.card.CLOSED",
  ABANDONED: "admin.timeline.card.ABANDONED",
};

export function cardWords(card: CardThen, t: Translate): string {
  return t("admin.timeline.cardThen", { state: t(CARD_WORDS[card]) });
}

/** "Credit card" reads "by credit card" in a sentence; names (Apple Pay, ATM …) keep their capitals. */
function inSentence(label: string, locale: Locale): string {
  return locale === "en" && /^[A-Z][a-z]+ [a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}

/** The list's and detail's money format (formatAmount); an operation without an amount (a void) has none. */
function amountText(amount: number | null, raw: string | null, currency = "TWD"): string {
  return amount === null && !raw ? "" : formatAmount(amount, raw ?? "", currency);
}

export function describeEvent(event: TimelineEvent, t: Translate, locale: Locale): EventWords {
  switch (event.type) {
    case "session":
      return {
        text: t("admin.timeline.sessionWords", {
          amount: amountText(event.amount, event.amountRaw, event.currency),
          kind: t(event.kind === "AUTHORIZATION" ? "admin.detail.kindAuthorization" : "admin.detail.kindSale"),
        }),
        tone: undefined,
      };
    case "attempt":
      return { text: t("admin.timeline.attemptWords", { no: event.merchantTradeNo }), tone: undefined };
    case "notification": {
      const m = event.meaning;
      switch (m.kind) {
        case "paid": {
          const amount = m.amount === null ? "" : formatMoney(m.amount);
          const type = inSentence(paymentTypeLabel(locale, m.paymentType), locale);
          return { text: type ? t("admin.timeline.paid", { amount, type }) : t("admin.timeline.paidNoType", { amount }), tone: "success" };
        }
        case "atmIssued":
          return { text: t("admin.timeline.atmIssued", { bank: m.bankCode, account: m.vAccount, expire: m.expireDate ?? "—" }), tone: "attention" };
        case "codeIssued":
          return { text: t("admin.timeline.codeIssued", { code: m.code, expire: m.expireDate ?? "—" }), tone: "attention" };
        case "failed":
          return { text: t("admin.timeline.paymentFailed", { reason: m.reason }), tone: "critical" };
        case "queryUnpaid":
          return { text: t("admin.timeline.queryUnpaid"), tone: "attention" };
        case "queryNotFound":
          return { text: t("admin.timeline.queryNotFound"), tone: "attention" };
        case "queryFailed":
          return { text: t("admin.timeline.queryFailedTrade"), tone: "critical" };
        case "queryNotCompleted":
          return { text: t("admin.timeline.queryNotCompleted"), tone: "critical" };
        case "queryOther":
          return { text: t("admin.timeline.queryOther", { status: m.status }), tone: undefined };
        case "duplicate":
          return { text: t("admin.timeline.duplicate"), tone: undefined };
        case "badSignature":
          return { text: t("admin.timeline.badSignature"), tone: "critical" };
        case "simulatedIgnored":
          return { text: t("admin.timeline.simulatedIgnored"), tone: "critical" };
        case "latePayment":
          return { text: t("admin.timeline.latePayment"), tone: "warning" };
        case "duplicatePayment":
          return { text: t("admin.timeline.duplicatePayment"), tone: "warning" };
        case "refused":
          return { text: t("admin.timeline.refused"), tone: undefined };
      }
      break;
    }
    case "operation": {
      const amount = amountText(event.amount, event.amountRaw);
      const operation = t(OPERATION_WORDS[event.operation] ?? "admin.timeline.op.REFUND");
      if (event.status === "SUCCEEDED") return { text: t(OPERATION_DONE[event.operation] ?? "admin.timeline.refundedWords", { amount }), tone: "success" };
      if (event.status === "FAILED") return { text: t("admin.timeline.operationFailed", { operation, amount }), tone: "critical" };
      return { text: t("admin.timeline.operationPending", { operation, amount }), tone: "attention" };
    }
    case "outbox": {
      const what = t(MUTATION_WORDS[event.mutation] ?? "admin.timeline.mutation.other");
      if (event.status === "DELIVERED") return { text: t("admin.timeline.shopifyTold", { what }), tone: "success" };
      if (event.status === "FAILED") return { text: t("admin.timeline.shopifyGaveUp", { what }), tone: "critical" };
      if (event.retryingSince) return { text: t("admin.timeline.shopifyRetrying", { what, since: formatDateTime(event.retryingSince) }), tone: "warning" };
      return { text: t("admin.timeline.shopifySending", { what }), tone: "attention" };
    }
  }
}
