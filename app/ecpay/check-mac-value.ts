// ECPay CheckMacValue (ecpay-aio §1.1): PHP urlencode of "HashKey=…&k=v…&HashIV=…" with keys
// sorted case-insensitively (byte-wise, like PHP strcasecmp), lowercased, the seven .NET
// characters restored, hashed (SHA256 for AIO, MD5 for the APIs that use it), uppercase hex.
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

/** PHP `urlencode`: every byte but [A-Za-z0-9-_.] becomes %XX, space becomes "+". */
export function phpUrlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/%20/g, "+")
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Sort like PHP `uksort($a, 'strcasecmp')`: compare lowercased keys byte-wise. */
function compareKeys(a: string, b: string): number {
  const la = Buffer.from(a.toLowerCase(), "utf8");
  const lb = Buffer.from(b.toLowerCase(), "utf8");
  return Buffer.compare(la, lb);
}

/** The string that is hashed, exposed for diagnostics and tests. */
export function checkMacSource(params: Record<string, string>, keys: EcpayKeys): string {
  const pairs = Object.keys(params)
    .filter((key) => key !== "CheckMacValue")
    .sort(compareKeys)
    .map((key) => `${key}=${params[key] ?? ""}`);
  const raw = `HashKey=${keys.hashKey}&${pairs.join("&")}&HashIV=${keys.hashIv}`;
  return phpUrlEncode(raw)
    .toLowerCase()
    .replace(/%2d|%5f|%2e|%21|%2a|%28|%29/g, (m) => DOTNET_RESTORED[m] ?? m);
}

export function computeCheckMacValue(
  params: Record<string, string>,
  keys: EcpayKeys,
  algorithm: CheckMacAlgorithm = "sha256",
): string {
  return createHash(algorithm).update(checkMacSource(params, keys), "utf8").digest("hex").toUpperCase();
}

/** Constant-time comparison of the received CheckMacValue with the one we compute. */
export function verifyCheckMacValue(
  params: Record<string, string>,
  keys: EcpayKeys,
  algorithm: CheckMacAlgorithm = "sha256",
): boolean {
  const received = params.CheckMacValue;
  if (typeof received !== "string" || received.length === 0) return false;
  const expected = Buffer.from(computeCheckMacValue(params, keys, algorithm), "utf8");
  const actual = Buffer.from(received.toUpperCase(), "utf8");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
