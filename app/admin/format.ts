// Dates and money as the merchant reads them: Taiwan time, whole TWD. No Intl, so the server's
// HTML and the browser's render always agree.
import { formatTaiwanDateTime } from "../lib/taiwan-time";
import { formatMoney } from "../payments/money";
import type { MessageKey } from "../i18n";
import type { PaymentMoney } from "./status";

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return formatTaiwanDateTime(new Date(iso)) ?? "—";
}

/** A whole number with thousands separators: "10,000". */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// The buyer pages use the same formatter, so it lives with the money rules in app/payments.
export { formatMoney };

/** Shopify's amount as sent; one that is not whole TWD is shown as it came. */
export function formatAmount(amount: number | null, raw: string, currency: string): string {
  return amount === null ? `${raw} ${currency}` : formatMoney(amount, currency);
}

/** yyyy-MM-dd of an instant in Taiwan time, for date inputs. */
export function taiwanDate(date: Date): string {
  return (formatTaiwanDateTime(date) ?? "").slice(0, 10).replace(/\//g, "-");
}

/** ECPay's fee (a decimal string in its messages, e.g. "54" or "10.5") in the same format. */
export function feeText(fee: string, currency: string): string {
  return /^\d+$/.test(fee) ? formatMoney(Number(fee), currency) : `${fee} ${currency}`;
}

/**
 * The list's second line under the amount when the money is not simply "paid in full": what was
 * captured, refunded and kept (net), e.g. "已請款 NT$1,000 · 已退款 NT$300 · 淨額 NT$700".
 */
export function moneyNote(money: PaymentMoney, t: (key: MessageKey) => string, currency = "TWD"): string | null {
  if (money.captured === 0 || (money.captured === money.authorized && money.refunded === 0)) return null;
  const parts = [`${t("admin.detail.captured")} ${formatMoney(money.captured, currency)}`];
  if (money.refunded > 0) {
    parts.push(`${t("admin.detail.refunded")} ${formatMoney(money.refunded, currency)}`, `${t("admin.detail.net")} ${formatMoney(money.net, currency)}`);
  }
  return parts.join(" · ");
}
