// The environment a test server runs with: all eight apps configured, a fresh encryption key.
import { randomBytes } from "node:crypto";
import { METHOD_HANDLES, methodEnvName } from "~/payments/methods";

export const TEST_ENCRYPTION_KEY = randomBytes(32).toString("base64");

export function appSecret(method: string): string {
  return `test-secret-${method}`;
}

export function appApiKey(method: string): string {
  return `test-api-key-${method}`;
}

export function testAppEnv(extra: Record<string, string> = {}): Record<string, string> {
  // Nothing verifies client certificates on loopback: the opt-out production requires (README "Security model").
  const env: Record<string, string> = { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, NODE_ENV: "production", MTLS_VERIFIED_HEADER: "none" };
  for (const method of METHOD_HANDLES) {
    env[`SHOPIFY_${methodEnvName(method)}_API_KEY`] = appApiKey(method);
    env[`SHOPIFY_${methodEnvName(method)}_API_SECRET`] = appSecret(method);
  }
  return { ...env, ...extra };
}
