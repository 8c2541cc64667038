// Sealed secrets: AES-256-GCM, "v2.<keyId>.<iv>.<tag>.<data>". Each value names the ENCRYPTION_KEY
// that sealed it (keyId = sha256 prefix of the raw key), so keys can rotate: put the old key in
// ENCRYPTION_KEY_PREVIOUS, run `npm run ops -- rotate-keys`, then drop it.
// - Keys are derived per purpose with HKDF-SHA256, so what we hand to a browser (the bind confirmation
//   token) and what we keep in the database are sealed under different keys and never open as each other.
// - Every value is bound to where it belongs (associated data: purpose|row|field), so a sealed HashKey
//   copied into another shop's row or another field does not open.
// - Exactly a 12-byte IV and a 16-byte tag: GCM would otherwise accept a truncated tag (4 bytes = 2^32 forgery).
// v1 values (raw key, no associated data) from before still open as database secrets, never as
// browser tokens, and rotate-keys re-seals them into v2.
import type { Env } from "../config.server";
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";

export class EncryptionKeyError extends Error {
  override name = "EncryptionKeyError";
}

/** Where a sealed value belongs; it opens only for the same context. */
export type SecretContext =
  | { purpose: "ecpay-binding"; shop: string; merchantId: string; field: "hashKey" | "hashIv" | "stageHashKey" | "stageHashIv" | "creditCheckCode" }
  /** sessionId is the stored (namespaced, "<method>:<id>") id: the row's own primary key. */
  | { purpose: "shopify-session"; sessionId: string; field: "accessToken" | "refreshToken" }
  /** Handed to the merchant's browser between "verify" and "confirm" of a binding. */
  | { purpose: "bind-confirmation"; shop: string; method: string };

export const KEY_INFO = {
  db: "ecpay-shopify/db-secrets/v2",
  browser: "ecpay-shopify/browser-tokens/v2",
} as const;
type KeyClass = keyof typeof KEY_INFO;

const keyClassOf = (context: SecretContext): KeyClass => (context.purpose === "bind-confirmation" ? "browser" : "db");

/** The associated data: "purpose|part|part", each part with "%" and "|" escaped so no two contexts collide. */
export function associatedData(context: SecretContext): string {
  const parts =
    context.purpose === "ecpay-binding"
      ? [context.purpose, context.shop, context.merchantId, context.field]
      : context.purpose === "shopify-session"
        ? [context.purpose, context.sessionId, context.field]
        : [context.purpose, context.shop, context.method];
  return parts.map((part) => part.replace(/[%|]/g, (c) => encodeURIComponent(c))).join("|");
}

interface Key {
  id: string;
  raw: Buffer;
  derived: Record<KeyClass, Buffer>;
}

function parseKey(raw: string, variable: string): Key {
  const bytes = Buffer.from(raw.trim(), "base64");
  if (bytes.length !== 32 || bytes.toString("base64").replace(/=+$/, "") !== raw.trim().replace(/=+$/, "")) {
    throw new EncryptionKeyError(
      `${variable} must be 32 random bytes in base64 (generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")`,
    );
  }
  const derive = (info: string) => Buffer.from(hkdfSync("sha256", bytes, Buffer.alloc(0), info, 32));
  return {
    id: createHash("sha256").update(bytes).digest("hex").slice(0, 8),
    raw: bytes,
    derived: { db: derive(KEY_INFO.db), browser: derive(KEY_INFO.browser) },
  };
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^(v1|v2)\.([0-9a-f]{8})\.([\w-]+)\.([\w-]+)\.([\w-]*)$/;

/** base64url that decodes to exactly `length` bytes and is the one canonical spelling of them. */
function exactBytes(text: string, length?: number): Buffer | null {
  const bytes = Buffer.from(text, "base64url");
  if (length !== undefined && bytes.length !== length) return null;
  return bytes.toString("base64url") === text ? bytes : null;
}

export interface SecretBox {
  readonly currentKeyId: string;
  seal(plaintext: string, context: SecretContext): string;
  /** Throws EncryptionKeyError unless the value was sealed by a configured key for exactly this context. */
  open(sealed: string, context: SecretContext): string;
  /** True when the value is v1 or sealed with an older key, and should be re-sealed. */
  needsRotation(sealed: string): boolean;
  /** True when the value is in a sealed format (any version, any key). */
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
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current.derived[keyClassOf(context)], iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(associatedData(context), "utf8"));
      const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ["v2", current.id, iv.toString("base64url"), tag.toString("base64url"), data.toString("base64url")].join(".");
    },
    open(sealed, context) {
      const match = SEALED.exec(sealed);
      if (!match) throw new EncryptionKeyError("stored secret is not in the sealed format");
      const [, version, keyId, ivText, tagText, dataText] = match;
      const iv = exactBytes(ivText, IV_BYTES);
      const tag = exactBytes(tagText, TAG_BYTES);
      const data = exactBytes(dataText);
      if (!iv || !tag || !data) throw new EncryptionKeyError(`sealed secret needs a ${IV_BYTES}-byte IV and a ${TAG_BYTES}-byte tag`);
      const keyClass = keyClassOf(context);
      // v1 predates browser tokens' own key: a v1 value is a database secret or nothing.
      if (version === "v1" && keyClass !== "db") throw new EncryptionKeyError("a v1 sealed value is not a browser token");
      const key = keys.get(keyId);
      if (!key) throw new EncryptionKeyError(`stored secret was sealed with key ${keyId}, which is not configured`);
      const decipher = createDecipheriv("aes-256-gcm", version === "v1" ? key.raw : key.derived[keyClass], iv, { authTagLength: TAG_BYTES });
      if (version === "v2") decipher.setAAD(Buffer.from(associatedData(context), "utf8"));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8");
      } catch {
        throw new EncryptionKeyError("sealed secret does not open here (altered, or sealed for another place or key)");
      }
    },
    needsRotation(sealed) {
      const match = SEALED.exec(sealed);
      return !match || match[1] !== "v2" || match[2] !== current.id;
    },
    isSealed(value) {
      return SEALED.test(value);
    },
  };
}

let box: SecretBox | undefined;
export function secretBox(): SecretBox {
  box ??= createSecretBox();
  return box;
}
