import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  appConfigFileName,
  extensionFilePath,
  extensionFor,
  generatedConfigFiles,
  inputsFromCommittedFiles,
  offsiteExtensionSchema,
} from "~/shopify/app-config-files";
import { METHOD_HANDLES, PAYMENT_METHODS } from "~/payments/methods";

const read = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : null);

describe("the generated Shopify app configs and payments extensions", () => {
  it("match what the registry generates (run npm run config:generate after changing methods.ts)", () => {
    const files = generatedConfigFiles(inputsFromCommittedFiles(read));
    expect(files.size).toBe(16);
    for (const [file, contents] of files) expect(read(file), file).toBe(contents);
  });

  it("give every method its own app config, credit in shopify.app.toml", () => {
    expect(appConfigFileName("credit")).toBe("shopify.app.toml");
    expect(appConfigFileName("atm")).toBe("shopify.app.atm.toml");
  });

  it("declare capture and void URLs only for methods that authorize", () => {
    for (const method of METHOD_HANDLES) {
      const ext = extensionFor(method, "https://pay.example.tw");
      const auth = PAYMENT_METHODS[method].supportsAuthorization;
      expect(Boolean(ext.capture_session_url), method).toBe(auth);
      expect(Boolean(ext.void_session_url), method).toBe(auth);
      expect(ext.payment_session_url).toBe(`https://pay.example.tw/payments/${method}/session`);
      expect(ext.refund_session_url).toBe(`https://pay.example.tw/payments/${method}/refund`);
    }
  });

  it("target offsite, Taiwan and TWD, with test mode and a pinned API version", () => {
    for (const method of METHOD_HANDLES) {
      const toml = read(extensionFilePath(method))!;
      expect(toml).toContain('type = "payments_extension"');
      expect(toml).toContain('target = "payments.offsite.render"');
      expect(toml).toContain('supported_countries = ["TW"]');
      expect(toml).toContain('supported_buyer_contexts = [{ currency = "TWD", countries = ["TW"] }]');
      expect(toml).toContain("test_mode_available = true");
      expect(toml).toMatch(/^api_version = "\d{4}-\d{2}"$/m);
    }
  });

  it("keep app configs non-embedded and subscribed to the compliance webhooks", () => {
    for (const method of METHOD_HANDLES) {
      const toml = read(appConfigFileName(method))!;
      expect(toml).toContain("embedded = false");
      for (const topic of ["customers/data_request", "customers/redact", "shop/redact"]) {
        expect(toml).toContain(`compliance_topics = ["${topic}"]`);
      }
      expect(toml).toContain('topics = ["app/uninstalled"]');
    }
  });

  it("refuse what the Shopify CLI would refuse", () => {
    const good = extensionFor("credit", "https://pay.example.tw");
    expect(offsiteExtensionSchema.safeParse({ ...good, payment_session_url: "/payments/credit/session" }).success).toBe(false);
    expect(offsiteExtensionSchema.safeParse({ ...good, payment_session_url: "http://pay.example.tw/x" }).success).toBe(false);
    expect(offsiteExtensionSchema.safeParse({ ...good, merchant_label: "x".repeat(51) }).success).toBe(false);
    expect(offsiteExtensionSchema.safeParse({ ...good, supports_installments: true }).success).toBe(false);
    expect(offsiteExtensionSchema.safeParse({ ...good, handle: "-bad" }).success).toBe(false);
    expect(offsiteExtensionSchema.safeParse({ ...good, default_buyer_label: "x" }).success).toBe(false);
  });
});
