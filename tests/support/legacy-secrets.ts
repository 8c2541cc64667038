// What the release before sealed format v2 stored: "v1.<keyId>.<iv>.<tag>.<data>", AES-256-GCM under
// the raw ENCRYPTION_KEY, no associated data. Tests write such rows to prove they still open and rotate.
import { createCipheriv, createHash, randomBytes } from "node:crypto";

export const keyIdOf = (rawKey: string) => createHash("sha256").update(Buffer.from(rawKey, "base64")).digest("hex").slice(0, 8);

/** `tagBytes` below 16 makes the truncated tag GCM itself would accept. */
export function sealV1(rawKey: string, plaintext: string, tagBytes = 16): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(rawKey, "base64"), iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag().subarray(0, tagBytes);
  return ["v1", keyIdOf(rawKey), iv.toString("base64url"), tag.toString("base64url"), data.toString("base64url")].join(".");
}
