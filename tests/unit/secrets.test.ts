import { createCipheriv, hkdfSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { associatedData, createSecretBox, EncryptionKeyError, type SecretContext } from "~/lib/secrets.server";
import { keyIdOf as keyId, sealV1 } from "../support/legacy-secrets";

const key = () => randomBytes(32).toString("base64");

const HASH_KEY: SecretContext = { purpose: "ecpay-binding", shop: "a.myshopify.com", merchantId: "3002607", field: "hashKey" };
const TOKEN: SecretContext = { purpose: "bind-confirmation", shop: "a.myshopify.com", method: "credit" };

/** A v2 value sealed by hand under an explicit key and associated data. */
function sealV2By(raw: string, keyBytes: Buffer, aad: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyBytes, iv);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v2", keyId(raw), iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}
const hkdf = (raw: string, info: string) => Buffer.from(hkdfSync("sha256", Buffer.from(raw, "base64"), Buffer.alloc(0), info, 32));

function withPart(sealed: string, index: number, value: string): string {
  const parts = sealed.split(".");
  parts[index] = value;
  return parts.join(".");
}

describe("secrets at rest", () => {
  it("round-trips a HashKey as v2 under the current key without the plaintext appearing in the sealed value", () => {
    const box = createSecretBox({ ENCRYPTION_KEY: key() });
    const sealed = box.seal("pwFHCqoQZGmho4w6", HASH_KEY);
    expect(sealed).not.toContain("pwFHCqoQZGmho4w6");
    expect(sealed.startsWith(`v2.${box.currentKeyId}.`)).toBe(true);
    expect(box.open(sealed, HASH_KEY)).toBe("pwFHCqoQZGmho4w6");
    expect(box.isSealed(sealed)).toBe(true);
    expect(box.needsRotation(sealed)).toBe(false);
  });

  it("uses a fresh IV so equal secrets never produce equal ciphertexts", () => {
    const box = createSecretBox({ ENCRYPTION_KEY: key() });
    expect(box.seal("same", HASH_KEY)).not.toBe(box.seal("same", HASH_KEY));
  });

  it("refuses a tampered ciphertext, IV or key id", () => {
    const raw = key();
    const other = key();
    const box = createSecretBox({ ENCRYPTION_KEY: raw, ENCRYPTION_KEY_PREVIOUS: other });
    const sealed = box.seal("secret", HASH_KEY);
    const [, , iv, , data] = sealed.split(".");
    const flip = (text: string) => {
      const bytes = Buffer.from(text, "base64url");
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString("base64url");
    };
    expect(() => box.open(withPart(sealed, 4, flip(data!)), HASH_KEY)).toThrow(EncryptionKeyError);
    expect(() => box.open(withPart(sealed, 4, Buffer.from("tampered!").toString("base64url")), HASH_KEY)).toThrow(EncryptionKeyError);
    expect(() => box.open(withPart(sealed, 2, flip(iv!)), HASH_KEY)).toThrow(EncryptionKeyError);
    // Another configured key's id: the value is tried under that key and does not open.
    expect(() => box.open(withPart(sealed, 1, keyId(other)), HASH_KEY)).toThrow(/does not open here/);
    expect(() => box.open(withPart(sealed, 1, "00000000"), HASH_KEY)).toThrow(/not configured/);
    expect(() => box.open(withPart(sealed, 0, "v3"), HASH_KEY)).toThrow(/sealed format/);
    expect(() => box.open(`${sealed}.x`, HASH_KEY)).toThrow(/sealed format/);
  });

  it("refuses a 4-byte or 15-byte tag before deciphering, and a 17-byte one or an IV that is not 12 bytes", () => {
    const box = createSecretBox({ ENCRYPTION_KEY: key() });
    const sealed = box.seal("secret", HASH_KEY);
    const tag = Buffer.from(sealed.split(".")[3]!, "base64url");
    for (const bytes of [4, 15]) {
      expect(() => box.open(withPart(sealed, 3, tag.subarray(0, bytes).toString("base64url")), HASH_KEY)).toThrow(/16-byte tag/);
    }
    expect(() => box.open(withPart(sealed, 3, Buffer.concat([tag, Buffer.alloc(1)]).toString("base64url")), HASH_KEY)).toThrow(/16-byte tag/);
    expect(() => box.open(withPart(sealed, 2, randomBytes(16).toString("base64url")), HASH_KEY)).toThrow(/12-byte IV/);
    // A second spelling of the same tag bytes (base64url's unused trailing bits) is not accepted either.
    const text = tag.toString("base64url");
    const last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const respelled = text.slice(0, -1) + last[last.indexOf(text.at(-1)!) ^ 1];
    expect(Buffer.from(respelled, "base64url").equals(tag)).toBe(true);
    expect(() => box.open(withPart(sealed, 3, respelled), HASH_KEY)).toThrow(/16-byte tag/);
  });

  it("does not open a value sealed for one shop, MerchantID or field for another", () => {
    const box = createSecretBox({ ENCRYPTION_KEY: key() });
    const sealed = box.seal("pwFHCqoQZGmho4w6", HASH_KEY);
    expect(() => box.open(sealed, { ...HASH_KEY, shop: "b.myshopify.com" })).toThrow(/does not open here/);
    expect(() => box.open(sealed, { ...HASH_KEY, merchantId: "3002599" })).toThrow(/does not open here/);
    expect(() => box.open(sealed, { ...HASH_KEY, field: "hashIv" })).toThrow(/does not open here/);
    expect(() => box.open(sealed, { ...HASH_KEY, field: "stageHashKey" })).toThrow(/does not open here/);
    const access = box.seal("shpat_x", { purpose: "shopify-session", sessionId: "credit:offline_a.myshopify.com", field: "accessToken" });
    expect(() => box.open(access, { purpose: "shopify-session", sessionId: "atm:offline_a.myshopify.com", field: "accessToken" })).toThrow();
    expect(() => box.open(access, { purpose: "shopify-session", sessionId: "credit:offline_a.myshopify.com", field: "refreshToken" })).toThrow();
    expect(box.open(access, { purpose: "shopify-session", sessionId: "credit:offline_a.myshopify.com", field: "accessToken" })).toBe("shpat_x");
  });

  it("names the context in the associated data so that no two contexts share it, even with a '|' in a part", () => {
    expect(associatedData(HASH_KEY)).toBe("ecpay-binding|a.myshopify.com|3002607|hashKey");
    expect(associatedData({ purpose: "shopify-session", sessionId: "credit:offline_a.myshopify.com", field: "accessToken" })).toBe(
      "shopify-session|credit:offline_a.myshopify.com|accessToken",
    );
    expect(associatedData(TOKEN)).toBe("bind-confirmation|a.myshopify.com|credit");
    expect(associatedData({ ...TOKEN, shop: "a|b" })).not.toBe(associatedData({ ...TOKEN, shop: "a", method: "b|credit" }));
  });

  it("does not open a browser token as a database secret, or a database secret as a browser token", () => {
    const raw = key();
    const box = createSecretBox({ ENCRYPTION_KEY: raw });
    const token = box.seal('{"input":{}}', TOKEN);
    const secret = box.seal("pwFHCqoQZGmho4w6", HASH_KEY);
    expect(box.open(token, TOKEN)).toBe('{"input":{}}');
    expect(() => box.open(token, HASH_KEY)).toThrow(EncryptionKeyError);
    expect(() => box.open(secret, TOKEN)).toThrow(EncryptionKeyError);
    // Not only the associated data differs: the two are sealed under different HKDF keys. A value
    // under the database key with a browser token's associated data still does not open as a token.
    const aad = associatedData(TOKEN);
    expect(box.open(sealV2By(raw, hkdf(raw, "ecpay-shopify/browser-tokens/v2"), aad, "ok"), TOKEN)).toBe("ok");
    expect(() => box.open(sealV2By(raw, hkdf(raw, "ecpay-shopify/db-secrets/v2"), aad, "x"), TOKEN)).toThrow(/does not open here/);
    expect(() => box.open(sealV2By(raw, Buffer.from(raw, "base64"), aad, "x"), TOKEN)).toThrow(/does not open here/);
    const dbAad = associatedData(HASH_KEY);
    expect(box.open(sealV2By(raw, hkdf(raw, "ecpay-shopify/db-secrets/v2"), dbAad, "ok"), HASH_KEY)).toBe("ok");
    expect(() => box.open(sealV2By(raw, hkdf(raw, "ecpay-shopify/browser-tokens/v2"), dbAad, "x"), HASH_KEY)).toThrow(/does not open here/);
  });

  it("opens v1 values of the previous release as database secrets and reports that they need rotation", () => {
    const raw = key();
    const box = createSecretBox({ ENCRYPTION_KEY: raw });
    const legacy = sealV1(raw, "pwFHCqoQZGmho4w6");
    expect(box.isSealed(legacy)).toBe(true);
    expect(box.needsRotation(legacy)).toBe(true);
    expect(box.open(legacy, HASH_KEY)).toBe("pwFHCqoQZGmho4w6");
    expect(box.open(legacy, { purpose: "shopify-session", sessionId: "credit:offline_a.myshopify.com", field: "accessToken" })).toBe("pwFHCqoQZGmho4w6");
    // Never as a browser token: those have their own key since v2.
    expect(() => box.open(legacy, TOKEN)).toThrow(/not a browser token/);
  });

  it("refuses a v1 value whose tag was cut short", () => {
    const raw = key();
    const box = createSecretBox({ ENCRYPTION_KEY: raw });
    for (const bytes of [4, 12, 15]) expect(() => box.open(sealV1(raw, "pwFHCqoQZGmho4w6", bytes), HASH_KEY)).toThrow(/16-byte tag/);
  });

  it("stops with a clear message when the key is missing or malformed", () => {
    expect(() => createSecretBox({})).toThrow(EncryptionKeyError);
    expect(() => createSecretBox({})).toThrow(/ENCRYPTION_KEY is not set/);
    expect(() => createSecretBox({ ENCRYPTION_KEY: "short" })).toThrow(/32 random bytes in base64/);
    expect(() => createSecretBox({ ENCRYPTION_KEY: randomBytes(16).toString("base64") })).toThrow(/32 random bytes/);
  });

  it("keeps the key id as the sha256 prefix of the raw key, so ENCRYPTION_KEY_PREVIOUS names the same key as before", () => {
    const raw = key();
    expect(createSecretBox({ ENCRYPTION_KEY: raw }).currentKeyId).toBe(keyId(raw));
  });

  it("opens v1 and v2 values sealed with a previous key during rotation and flags them for re-sealing", () => {
    const oldKey = key();
    const sealedWithOld = createSecretBox({ ENCRYPTION_KEY: oldKey }).seal("HashIV", HASH_KEY);
    const legacyWithOld = sealV1(oldKey, "HashIV");
    const rotated = createSecretBox({ ENCRYPTION_KEY: key(), ENCRYPTION_KEY_PREVIOUS: oldKey });
    expect(rotated.open(sealedWithOld, HASH_KEY)).toBe("HashIV");
    expect(rotated.open(legacyWithOld, HASH_KEY)).toBe("HashIV");
    expect(rotated.needsRotation(sealedWithOld)).toBe(true);
    expect(rotated.needsRotation(legacyWithOld)).toBe(true);
    expect(rotated.needsRotation(rotated.seal("HashIV", HASH_KEY))).toBe(false);
    expect(() => createSecretBox({ ENCRYPTION_KEY: key() }).open(sealedWithOld, HASH_KEY)).toThrow(/not configured/);
  });
});
