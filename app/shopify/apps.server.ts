// One shopifyApp per payment method, all served by this server (DESIGN §1, §5). Each app has its
// own credentials, its own admin and OAuth under /apps/<m>/, and its own session namespace.
import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, shopifyApp, type ShopifyApp } from "@shopify/shopify-app-remix/server";
import { ApiVersion, LogSeverity } from "@shopify/shopify-api";
import prisma from "../db.server";
import { serverConfig, type AppCredentials } from "../config.server";
import { secretBox } from "../lib/secrets.server";
import { isMethodHandle, type MethodHandle } from "../payments/methods";
import { createSessionStorage } from "./session-storage.server";
import { log } from "../lib/log.server";

function createApp(method: MethodHandle, credentials: AppCredentials) {
  const config = serverConfig();
  return shopifyApp({
    apiKey: credentials.apiKey,
    apiSecretKey: credentials.apiSecretKey,
    apiVersion: ApiVersion.July26,
    // The library's per-request info lines ("Authenticating admin request") are noise to an
    // operator: only its warnings and errors, as JSON lines through our logger.
    logger: {
      level: LogSeverity.Warning,
      log: (severity, message) => (severity === LogSeverity.Error ? log().error(`shopify library: ${message}`) : log().warn(`shopify library: ${message}`)),
    },
    scopes: config.scopes,
    appUrl: config.appUrl,
    authPathPrefix: `/apps/${method}/auth`,
    sessionStorage: createSessionStorage(prisma, method, secretBox()),
    distribution: AppDistribution.AppStore,
    // Payments apps may not be embedded (Shopify, 2025-04-30). SHOPIFY_<M>_EMBEDDED (or
    // SHOPIFY_EMBEDDED) = true renders inside the admin with App Bridge and session tokens, for
    // partners whose app is allowed to.
    isEmbeddedApp: credentials.embedded,
    // Non-embedded, every staff member signs in with their own Shopify online (per-user) token and
    // gets our own session (admin-session.server.ts); embedded keeps Shopify's session tokens.
    useOnlineTokens: !credentials.embedded,
    future: { expiringOfflineAccessTokens: true },
    ...(process.env.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [process.env.SHOP_CUSTOM_DOMAIN] } : {}),
  });
}

export type MethodApp = ReturnType<typeof createApp>;

const apps = new Map<MethodHandle, MethodApp>();

/** The Shopify app for a method, or undefined when its credentials are not configured. */
export function shopifyAppFor(method: MethodHandle): MethodApp | undefined {
  const existing = apps.get(method);
  if (existing) return existing;
  const credentials = serverConfig().apps[method];
  if (!credentials) return undefined;
  const app = createApp(method, credentials);
  apps.set(method, app);
  return app;
}

/** Resolve a route's `$method` param to a configured app or throw a 404 Response. */
export function requireApp(methodParam: string | undefined): { method: MethodHandle; app: MethodApp } {
  if (!isMethodHandle(methodParam)) {
    throw new Response(`Unknown payment method "${methodParam ?? ""}"`, { status: 404 });
  }
  const app = shopifyAppFor(methodParam);
  if (!app) {
    throw new Response(`The ${methodParam} app is not configured on this server`, { status: 404 });
  }
  return { method: methodParam, app };
}

export type { ShopifyApp };
