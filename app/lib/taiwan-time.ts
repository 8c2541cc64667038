// Taiwan time without Intl: Asia/Taipei has been a fixed UTC+8 with no daylight saving since
// 1979, so shifting the epoch is exact and independent of the host's time zone and ICU data.
const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;

export interface TaiwanDateParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

/** Calendar fields of `date` in Asia/Taipei, zero-padded. Returns null for an invalid Date. */
export function taiwanDateParts(date: Date): TaiwanDateParts | null {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) return null;
  const shifted = new Date(ms + TAIPEI_OFFSET_MS);
  return {
    year: pad(shifted.getUTCFullYear(), 4),
    month: pad(shifted.getUTCMonth() + 1),
    day: pad(shifted.getUTCDate()),
    hour: pad(shifted.getUTCHours()),
    minute: pad(shifted.getUTCMinutes()),
    second: pad(shifted.getUTCSeconds()),
  };
}

/** ECPay's `yyyy/MM/dd HH:mm:ss` in Taiwan time (MerchantTradeDate, PaymentDate, TradeDate). */
export function formatTaiwanDateTime(date: Date): string | null {
  const p = taiwanDateParts(date);
  return p ? `${p.year}/${p.month}/${p.day} ${p.hour}:${p.minute}:${p.second}` : null;
}

/** Parses ECPay's `yyyy/MM/dd HH:mm:ss` (Taiwan time) back to an instant; null when malformed. */
export function parseTaiwanDateTime(value: string): Date | null {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - TAIPEI_OFFSET_MS;
  const date = new Date(ms);
  // Reject 2024/02/30 and friends rather than letting Date roll them over.
  return formatTaiwanDateTime(date) === value ? date : null;
}
