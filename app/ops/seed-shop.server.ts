// `ops seed-shop`: install a shop for one method without OAuth (dev stores, the sandbox, tests):
// the offline session in that app's namespace, the installation, and the ECPay binding, encrypted.
import { Session } from "@shopify/shopify-api";
import type { PrismaClient } from "@prisma/client";
import { z } from "zod";
import { DEFAULT_SCOPES } from "../config.server";
import type { SecretBox } from "../lib/secrets.server";
import { attachBinding, ensureInstallation, saveBinding } from "../payments/bindings.server";
import { METHOD_HANDLES } from "../payments/methods";
import { createSessionStorage } from "../shopify/session-storage.server";

export const shopDomain = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be a permanent shop domain like example.myshopify.com");

export const seedShopArgs = z
  .object({
    method: z.enum(METHOD_HANDLES),
    shop: shopDomain,
    accessToken: z.string().min(1, "is required"),
    merchantId: z.string().regex(/^\d{1,10}$/, "must be ECPay's numeric MerchantID").optional(),
    hashKey: z.string().min(1).optional(),
    hashIv: z.string().min(1).optional(),
    stageMerchantId: z.string().regex(/^\d{1,10}$/).optional(),
    stageHashKey: z.string().min(1).optional(),
    stageHashIv: z.string().min(1).optional(),
    creditCheckCode: z.string().min(1).optional(),
    ready: z.boolean().default(true),
  })
  .superRefine((args, ctx) => {
    const prod = [args.merchantId, args.hashKey, args.hashIv].filter(Boolean).length;
    if (prod !== 0 && prod !== 3) {
      ctx.addIssue({ code: "custom", path: ["merchantId"], message: "--merchant-id, --hash-key and --hash-iv go together" });
    }
    const stage = [args.stageMerchantId, args.stageHashKey, args.stageHashIv].filter(Boolean).length;
    if (stage !== 0 && stage !== 3) {
      ctx.addIssue({
        code: "custom",
        path: ["stageMerchantId"],
        message: "--stage-merchant-id, --stage-hash-key and --stage-hash-iv go together",
      });
    }
  });

export type SeedShopArgs = z.output<typeof seedShopArgs>;

export async function seedShop(db: PrismaClient, box: SecretBox, args: SeedShopArgs) {
  const storage = createSessionStorage(db, args.method, box);
  const session = new Session({
    id: `offline_${args.shop}`,
    shop: args.shop,
    state: "seeded",
    isOnline: false,
    scope: DEFAULT_SCOPES,
    accessToken: args.accessToken,
  });
  await storage.storeSession(session);
  await ensureInstallation(db, args.method, args.shop);
  if (args.merchantId && args.hashKey && args.hashIv) {
    const binding = await saveBinding(db, box, args.shop, {
      merchantId: args.merchantId,
      hashKey: args.hashKey,
      hashIv: args.hashIv,
      stageMerchantId: args.stageMerchantId,
      stageHashKey: args.stageHashKey,
      stageHashIv: args.stageHashIv,
      creditCheckCode: args.creditCheckCode,
    });
    await attachBinding(db, args.method, args.shop, binding.id);
    // Seeding stands in for the merchant's confirmation and Shopify's paymentsAppConfigure answer.
    await db.shopInstallation.update({
      where: { method_shop: { method: args.method, shop: args.shop } },
      data: { configuredReady: args.ready, configuredHandle: args.merchantId },
    });
    return { sessionId: `${args.method}:${session.id}`, bindingId: binding.id };
  }
  return { sessionId: `${args.method}:${session.id}`, bindingId: null };
}
