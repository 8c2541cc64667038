// ECPay's PaymentType (the channel the buyer actually paid with: Credit_CreditCard, ATM_TAISHIN,
// WebATM_BOT, TWQR_OPAY, WeiXin_OPAY, ecpay-aio §3) as the merchant reads it, and the values each
// app can see, for the transactions filter.
import { t, type Locale, type MessageKey } from "../i18n";
import type { PaymentMethodDefinition } from "../payments/methods";

/** ChooseSubPayment banks for ATM and WebATM (ecpay-aio §2.1). */
export const ECPAY_BANKS = ["TAISHIN", "ESUN", "BOT", "FUBON", "CHINATRUST", "FIRST", "CATHAY", "MEGA", "LAND", "TACHONG", "SINOPAC", "PANHSIN"] as const;
type Bank = (typeof ECPAY_BANKS)[number];

const BANK_LABELS: Record<Bank, MessageKey> = {
  TAISHIN: "admin.bank.TAISHIN",
  ESUN: "admin.bank.ESUN",
  BOT: "admin.bank.BOT",
  FUBON: "admin.bank.FUBON",
  CHINATRUST: "admin.bank.CHINATRUST",
  FIRST: "admin.bank.FIRST",
  CATHAY: "admin.bank.CATHAY",
  MEGA: "admin.bank.MEGA",
  LAND: "admin.bank.LAND",
  TACHONG: "admin.bank.TACHONG",
  SINOPAC: "admin.bank.SINOPAC",
  PANHSIN: "admin.bank.PANHSIN",
};

const SINGLE: Record<string, MessageKey> = {
  Credit_CreditCard: "admin.paymentType.Credit_CreditCard",
  TWQR_OPAY: "admin.paymentType.TWQR_OPAY",
  WeiXin_OPAY: "admin.paymentType.WeiXin_OPAY",
  ApplePay: "admin.paymentType.ApplePay",
};

/** A PaymentType value as ECPay sends it; anything else is not a filter. */
export const PAYMENT_TYPE_PATTERN = /^[A-Za-z]{2,20}(_[A-Za-z0-9]{2,20})?$/;

function isBank(value: string): value is Bank {
  return (ECPAY_BANKS as readonly string[]).includes(value);
}

/** "ATM 虛擬帳號（台新銀行）", "Credit card", …; an unknown value is shown as ECPay sent it. */
export function paymentTypeLabel(locale: Locale, paymentType: string | null | undefined): string {
  if (!paymentType) return "";
  const single = SINGLE[paymentType];
  if (single) return t(locale, single);
  const [channel, bank] = paymentType.split("_", 2) as [string, string | undefined];
  if ((channel === "ATM" || channel === "WebATM") && bank) {
    const bankName = isBank(bank) ? t(locale, BANK_LABELS[bank]) : bank;
    return t(locale, channel === "ATM" ? "admin.paymentType.ATM" : "admin.paymentType.WebATM", { bank: bankName });
  }
  return paymentType;
}

/** The PaymentType values an app's payments can carry (its ChoosePayment). */
export function paymentTypesFor(method: Pick<PaymentMethodDefinition, "ecpay">): string[] {
  switch (method.ecpay.choosePayment) {
    case "Credit":
      return ["Credit_CreditCard"];
    case "ATM":
      return ECPAY_BANKS.map((bank) => `ATM_${bank}`);
    case "WebATM":
      return ECPAY_BANKS.map((bank) => `WebATM_${bank}`);
    case "TWQR":
      return ["TWQR_OPAY"];
    case "WeiXin":
      return ["WeiXin_OPAY"];
  }
}

/** The attempt whose PaymentType counts: the one that took the money, else the latest ECPay reported on. */
export function usedPaymentType(attempts: ReadonlyArray<{ status: string; paymentType: string | null }>): string | null {
  const paid = attempts.find((a) => a.status === "PAID" && a.paymentType);
  if (paid) return paid.paymentType;
  return [...attempts].reverse().find((a) => a.paymentType)?.paymentType ?? null;
}
