// The sandbox's demo shop (npm run sandbox): one shop with all eight apps, bound to ECPay's public
// stage merchant for test mode and to a made-up production merchant that only the sandbox's
// ECPay emulator (production side) knows. None of these values is a secret: they exist only on loopback.
import { PUBLIC_STAGE_MERCHANT } from "../ecpay/public-stage-merchant";
import { METHOD_HANDLES, methodEnvName, type MethodHandle } from "../payments/methods";

export const SANDBOX_SHOP = "ecpay-sandbox.myshopify.com";

/** Seeded as the shop's production binding; registered on the production emulator. */
export const SANDBOX_PRODUCTION_MERCHANT = {
  merchantId: "3390001",
  hashKey: "SbxProdKey7Hq2Wd",
  hashIv: "SbxProdIv4Lm8Tc1",
  creditCheckCode: "58203716",
} as const;

export const SANDBOX_STAGE_MERCHANT = PUBLIC_STAGE_MERCHANT;

/** The offline token Shopify (the simulator) issued to each app; stable so restarts re-seed the same. */
export const sandboxAccessToken = (method: MethodHandle) => `shpat_sandbox_${method}`;

export const sandboxApiKey = (method: MethodHandle) => `sandbox-api-key-${method}`;
export const sandboxApiSecret = (method: MethodHandle) => `sandbox-api-secret-${method}`;

/** SHOPIFY_<M>_API_KEY / _SECRET for all eight apps. */
export function sandboxAppCredentialsEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const method of METHOD_HANDLES) {
    env[`SHOPIFY_${methodEnvName(method)}_API_KEY`] = sandboxApiKey(method);
    env[`SHOPIFY_${methodEnvName(method)}_API_SECRET`] = sandboxApiSecret(method);
  }
  return env;
}
