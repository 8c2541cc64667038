import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox, EncryptionKeyError } from "~/lib/secrets.server";

const key = () => randomBytes(32).toString("base64");

describe("secrets at rest", () => {
  it("round-trips a HashKey without the plaintext appearing in the sealed value", () => {
    const box = createSecretBox({ ENCRYPTION_KEY: key() });
    const sealed = box.seal("pwFHCqoQZGmho4w6");
    expect(sealed).not.toContain("pwFHCqoQZGmho4w6");
    expect(sealed.startsWith(`v1.${box.currentKeyId}.`)).toBe(true);
    expect(box.open(sealed)).toBe("pwFHCqoQZGmho4w6");
  });

  it("uses a fresh IV so equal secrets never produce equal ciphertexts", () => {
    const box = createSecretBox({ ENCRYPTION_KEY: key() });
    expect(box.seal("same")).not.toBe(box.seal("same"));
  });

  it("refuses a tampered ciphertext", () => {
    const box = createSecretBox({ ENCRYPTION_KEY: key() });
    const parts = box.seal("secret").split(".");
    parts[4] = Buffer.from("tampered!").toString("base64url");
    expect(() => box.open(parts.join("."))).toThrow();
  });

  it("stops with a clear message when the key is missing or malformed", () => {
    expect(() => createSecretBox({})).toThrow(EncryptionKeyError);
    expect(() => createSecretBox({})).toThrow(/ENCRYPTION_KEY is not set/);
    expect(() => createSecretBox({ ENCRYPTION_KEY: "short" })).toThrow(/32 random bytes in base64/);
    expect(() => createSecretBox({ ENCRYPTION_KEY: randomBytes(16).toString("base64") })).toThrow(/32 random bytes/);
  });

  it("opens values sealed with a previous key during rotation and flags them for re-sealing", () => {
    const oldKey = key();
    const sealedWithOld = createSecretBox({ ENCRYPTION_KEY: oldKey }).seal("HashIV");
    const rotated = createSecretBox({ ENCRYPTION_KEY: key(), ENCRYPTION_KEY_PREVIOUS: oldKey });
    expect(rotated.open(sealedWithOld)).toBe("HashIV");
    expect(rotated.needsRotation(sealedWithOld)).toBe(true);
    expect(rotated.needsRotation(rotated.seal("HashIV"))).toBe(false);
    expect(() => createSecretBox({ ENCRYPTION_KEY: key() }).open(sealedWithOld)).toThrow(/not configured/);
  });
});
