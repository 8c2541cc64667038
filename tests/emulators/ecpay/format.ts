// Small formatting helpers shared by the emulator: Taiwan time, HTML escaping, ECPay's response
// encoding. Written here rather than imported from app/ecpay so the emulator never shares a bug
// with the client it tests (only CheckMacValue is shared, by design of the brief).

// Asia/Taipei is a fixed UTC+8 with no daylight saving since 1979.
const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

function shifted(date: Date): Date {
  return new Date(date.getTime() + TAIPEI_OFFSET_MS);
}

/** `yyyy/MM/dd HH:mm:ss` in Taiwan time. */
export function taiwanDateTime(date: Date): string {
  const d = shifted(date);
  return `${taiwanDate(date)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `yyyy/MM/dd` in Taiwan time. */
export function taiwanDate(date: Date): string {
  const d = shifted(date);
  return `${pad(d.getUTCFullYear(), 4)}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

/** Taiwan wall-clock minutes since midnight (for the 20:15–20:30 DoAction window, §4.1). */
export function taiwanMinuteOfDay(date: Date): number {
  const d = shifted(date);
  return d.getUTCHours() * 60 + d.getUTCMinutes();
}

/** Taiwan calendar date `days` after `date`, as `yyyy/MM/dd`. */
export function taiwanDatePlusDays(date: Date, days: number): string {
  return taiwanDate(new Date(date.getTime() + days * 24 * 60 * 60 * 1000));
}

/** True when `yyyy/MM/dd HH:mm:ss` is a real calendar instant. */
export function isEcpayDateTime(value: string): boolean {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    utc.getUTCFullYear() === y &&
    utc.getUTCMonth() === mo - 1 &&
    utc.getUTCDate() === d &&
    utc.getUTCHours() === h &&
    utc.getUTCMinutes() === mi &&
    utc.getUTCSeconds() === s
  );
}

/** 16-digit ECPay TradeNo: yyMMddHHmmss (Taiwan) + 4 digits, like the real ones (e.g. 2306042016059597). */
export function tradeNoPrefix(date: Date): string {
  const d = shifted(date);
  return (
    pad(d.getUTCFullYear() % 100) +
    pad(d.getUTCMonth() + 1) +
    pad(d.getUTCDate()) +
    pad(d.getUTCHours()) +
    pad(d.getUTCMinutes()) +
    pad(d.getUTCSeconds())
  );
}

/** Attribute/text escaping for the HTML pages; values stay byte-identical after the browser decodes them. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * ECPay's server-to-server responses (QueryTradeInfo, DoAction) are `key=value&…` with the values
 * NOT form-encoded: spaces, `+` and CJK text appear raw (observed responses show
 * `PaymentDate=2024/09/29 17:19:17` and `ItemName=本次購買總金額`; ECPay's PHP SDK had to add
 * `str_replace('+', '%2B', …)` before `parse_str`, §1.5). A client that form-decodes the body
 * directly turns a `+` in ItemName into a space and fails the CheckMacValue. We escape only `%`
 * and `&` (which would otherwise make the body ambiguous) so that the documented client fix
 * (`+` → `%2B`, then decode) recovers every value exactly.
 */
export function ecpayResponseBody(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${value.replace(/%/g, "%25").replace(/&/g, "%26")}`)
    .join("&");
}

/** Case-insensitive byte-wise key order (how ECPay lists fields in its responses). */
export function sortedFields(fields: Record<string, string>): Record<string, string> {
  const keys = Object.keys(fields).sort((a, b) => Buffer.compare(Buffer.from(a.toLowerCase()), Buffer.from(b.toLowerCase())));
  const out: Record<string, string> = {};
  for (const key of keys) out[key] = fields[key] ?? "";
  return out;
}
