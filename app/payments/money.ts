// Money in the domain is whole New Taiwan dollars (integers). Shopify sends decimal strings.
// One display format for buyers, the admin and the CSV (formatMoney): no Intl, so the server's
// HTML and the browser's render always agree.

/** Whole TWD from Shopify's decimal string ("1234.00" → 1234); null for anything else. Never rounds. */
export function wholeTwd(amount: string): number | null {
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) return null;
  if (match[2] && /[1-9]/.test(match[2])) return null;
  const value = Number(match[1]);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** The one money format of the buyer pages, the admin and the CSV: "NT$2,380" (whole TWD), "-NT$300". */
export function formatMoney(amount: number, currency = "TWD"): string {
  const digits = String(Math.abs(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${amount < 0 ? "-" : ""}${currency === "TWD" ? "NT$" : `${currency} `}${digits}`;
}
