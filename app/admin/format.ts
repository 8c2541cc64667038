// Dates and money as the merchant reads them: Taiwan time, whole TWD. No Intl, so the server's
// HTML and the browser's render always agree.
import { formatTaiwanDateTime } from "../ecpay/taiwan-time";

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return formatTaiwanDateTime(new Date(iso)) ?? "—";
}

export function formatAmount(amount: number | null, raw: string, currency: string): string {
  if (amount === null) return `${raw} ${currency}`;
  return `${currency === "TWD" ? "NT$" : `${currency} `}${String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`;
}

/** yyyy-MM-dd of an instant in Taiwan time, for date inputs. */
export function taiwanDate(date: Date): string {
  return (formatTaiwanDateTime(date) ?? "").slice(0, 10).replace(/\//g, "-");
}
