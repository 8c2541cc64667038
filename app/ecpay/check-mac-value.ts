// ECPay CheckMacValue (ecpay-aio §1.1): PHP urlencode of "HashKey=…&k=v…&HashIV=…" with keys
// sorted case-insensitively (byte-wise, like PHP strcasecmp), lowercased, the seven .NET
// characters restored, hashed (SHA256 for AIO, MD5 for the APIs that use it), uppercase hex.
//
// Note on the algorithm itself: because the whole string is lowercased before hashing, two
// messages that differ only in the case of ASCII letters have the same CheckMacValue. That is
// ECPay's design, not something we can fix here; callers compare business fields exactly.
import { createHash, timingSafeEqual } from "node:crypto";

export type CheckMacAlgorithm = "sha256" | "md5";

export interface EcpayKeys {
  hashKey: string;
  hashIv: string;
}

const DOTNET_RESTORED: Record<string, string> = {
  "%2d": "-",
  "%5f": "_",
  "%2e": ".",
  "%21": "!",
  "%2a": "*",
  "%28": "(",
  "%29": ")",
};

const HEX = "0123456789ABCDEF";

function isUnreservedByte(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    byte === 0x2d || // -
    byte === 0x5f || // _
    byte === 0x2e // .
  );
}

/**
 * PHP `urlencode`: every UTF-8 byte but [A-Za-z0-9-_.] becomes %XX, space becomes "+".
 * Done byte by byte (not via encodeURIComponent) so `~ ' ! * ( )` get PHP's treatment and a
 * lone surrogate cannot throw; it becomes U+FFFD exactly as it would on the wire.
 */
export function phpUrlEncode(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    if (isUnreservedByte(byte)) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += "+";
    else out += `%${HEX[byte >> 4]}${HEX[byte & 0x0f]}`;
  }
  return out;
}

/** ASCII-only lowercase, as PHP 8 `strtolower`/`strcasecmp` do (locale-independent). */
function asciiLower(value: string): string {
  return value.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** Sort like PHP `uksort($a, 'strcasecmp')`: compare ASCII-lowercased keys byte-wise. */
export function compareKeysCaseInsensitive(a: string, b: string): number {
  return Buffer.compare(Buffer.from(asciiLower(a), "utf8"), Buffer.from(asciiLower(b), "utf8"));
}

/** The string that is hashed, exposed for diagnostics and tests. */
export function checkMacSource(params: Readonly<Record<string, string>>, keys: EcpayKeys): string {
  const pairs = Object.keys(params)
    .filter((key) => key !== "CheckMacValue")
    .sort(compareKeysCaseInsensitive)
    .map((key) => `${key}=${params[key] ?? ""}`);
  const raw = [`HashKey=${keys.hashKey}`, ...pairs, `HashIV=${keys.hashIv}`].join("&");
  // After urlencode every "%" starts a triplet, so these matches never straddle two escapes.
  return asciiLower(phpUrlEncode(raw)).replace(/%2d|%5f|%2e|%21|%2a|%28|%29/g, (m) => DOTNET_RESTORED[m] ?? m);
}

export function computeCheckMacValue(
  params: Readonly<Record<string, string>>,
  keys: EcpayKeys,
  algorithm: CheckMacAlgorithm = "sha256",
): string {
  return createHash(algorithm).update(checkMacSource(params, keys), "utf8").digest("hex").toUpperCase();
}

/** Returns a copy of `params` with its CheckMacValue set (any received one is replaced). */
export function signParams(
  params: Readonly<Record<string, string>>,
  keys: EcpayKeys,
  algorithm: CheckMacAlgorithm = "sha256",
): Record<string, string> {
  const { CheckMacValue: _ignored, ...rest } = params;
  return { ...rest, CheckMacValue: computeCheckMacValue(rest, keys, algorithm) };
}

/** Constant-time comparison of the received CheckMacValue with the one we compute. */
export function verifyCheckMacValue(
  params: Readonly<Record<string, string>>,
  keys: EcpayKeys,
  algorithm: CheckMacAlgorithm = "sha256",
): boolean {
  const received = params.CheckMacValue;
  if (typeof received !== "string" || received.length === 0) return false;
  const expected = Buffer.from(computeCheckMacValue(params, keys, algorithm), "utf8");
  const actual = Buffer.from(received.toUpperCase(), "utf8");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
