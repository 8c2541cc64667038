// Money in the domain is whole New Taiwan dollars (integers). Shopify sends decimal strings.

/** Whole TWD from Shopify's decimal string ("1234.00" → 1234); null for anything else. Never rounds. */
export function wholeTwd(amount: string): number | null {
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) return null;
  if (match[2] && /[1-9]/.test(match[2])) return null;
  const value = Number(match[1]);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}
