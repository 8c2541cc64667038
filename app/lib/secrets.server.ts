// Secrets at rest (HashKey, HashIV): AES-256-GCM under ENCRYPTION_KEY. Each ciphertext names the
// key that sealed it ("v1.<keyId>.<iv>.<tag>.<data>"), so keys can rotate: put the old key in
// ENCRYPTION_KEY_PREVIOUS, run `npm run ops -- rotate-keys`, then drop it.
import type { Env } from "../config.server";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export class EncryptionKeyError extends Error {
  override name = "EncryptionKeyError";
}

interface Key {
  id: string;
  bytes: Buffer;
}

function parseKey(raw: string, variable: string): Key {
  const bytes = Buffer.from(raw.trim(), "base64");
  if (bytes.length !== 32 || bytes.toString("base64").replace(/=+$/, "") !== raw.trim().replace(/=+$/, "")) {
    throw new EncryptionKeyError(
      `${variable} must be 32 random bytes in base64 (generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")`,
    );
  }
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes };
}

export interface SecretBox {
  readonly currentKeyId: string;
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** True when the value was sealed with an older key and should be re-sealed. */
  needsRotation(sealed: string): boolean;
  /** True when the value is in the sealed format (any key). */
  isSealed(value: string): boolean;
}

export function createSecretBox(env: Env = process.env): SecretBox {
  if (!env.ENCRYPTION_KEY) {
    throw new EncryptionKeyError(
      "ENCRYPTION_KEY is not set: it must be 32 random bytes in base64 (it encrypts ECPay HashKey/HashIV at rest)",
    );
  }
  const current = parseKey(env.ENCRYPTION_KEY, "ENCRYPTION_KEY");
  const previous = (env.ENCRYPTION_KEY_PREVIOUS ?? "")
    .split(",")
    .filter((value) => value.trim().length > 0)
    .map((value) => parseKey(value, "ENCRYPTION_KEY_PREVIOUS"));
  const keys = new Map([current, ...previous].map((key) => [key.id, key]));

  return {
    currentKeyId: current.id,
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", current.bytes, iv);
      const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ["v1", current.id, iv.toString("base64url"), tag.toString("base64url"), data.toString("base64url")].join(".");
    },
    open(sealed) {
      const [version, keyId, iv, tag, data] = sealed.split(".");
      if (version !== "v1" || !keyId || !iv || !tag || data === undefined) {
        throw new EncryptionKeyError("stored secret is not in the v1 sealed format");
      }
      const key = keys.get(keyId);
      if (!key) throw new EncryptionKeyError(`stored secret was sealed with key ${keyId}, which is not configured`);
      const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
    },
    needsRotation(sealed) {
      return sealed.split(".")[1] !== current.id;
    },
    isSealed(value) {
      return /^v1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]*$/.test(value);
    },
  };
}

let box: SecretBox | undefined;
export function secretBox(): SecretBox {
  box ??= createSecretBox();
  return box;
}
