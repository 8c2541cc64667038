// MerchantTradeNo (ecpay-aio §2.5): ≤20 alphanumerics, unique forever at ECPay, new for every
// attempt. Developers share stage merchant 3002607, so uniqueness cannot come from our database
// alone: Taiwan time to the second (readable in reconciliation) + 8 random characters.
import { randomBytes } from "node:crypto";
import { taiwanDateParts } from "../lib/taiwan-time";

/**
 * Uppercase and digits only: whether ECPay's duplicate check is case-sensitive is undocumented,
 * so mixed case would buy nothing we can count on. 36^8 ≈ 2.8e12 values per second.
 */
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const RANDOM_CHARS = 8;
/** Largest multiple of 36 below 256: bytes at or above it are dropped so every character is equally likely. */
const UNBIASED_LIMIT = 252;
const MAX_RANDOM_CALLS = 32;

/** `yyMMddHHmmss` (Taiwan) + 8 random [0-9A-Z]: exactly 20 characters. */
export function newMerchantTradeNo(now: Date = new Date(), random: () => Buffer = () => randomBytes(16)): string {
  const p = taiwanDateParts(now) ?? taiwanDateParts(new Date());
  if (p === null) throw new Error("unreachable: the current time is a valid date");
  const timePart = `${p.year.slice(2)}${p.month}${p.day}${p.hour}${p.minute}${p.second}`;
  let randomPart = "";
  for (let call = 0; call < MAX_RANDOM_CALLS && randomPart.length < RANDOM_CHARS; call += 1) {
    for (const byte of random()) {
      if (byte >= UNBIASED_LIMIT) continue;
      randomPart += ALPHABET[byte % ALPHABET.length];
      if (randomPart.length === RANDOM_CHARS) break;
    }
  }
  if (randomPart.length < RANDOM_CHARS) {
    // Only a broken random source gets here; failing loudly beats issuing a guessable number.
    throw new Error("newMerchantTradeNo: the random source returned too few usable bytes");
  }
  return `${timePart}${randomPart}`;
}

export const MERCHANT_TRADE_NO_PATTERN = /^[A-Za-z0-9]{1,20}$/;

export function isMerchantTradeNo(value: string): boolean {
  return MERCHANT_TRADE_NO_PATTERN.test(value);
}
