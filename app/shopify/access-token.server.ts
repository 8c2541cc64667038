// The offline token a method's app holds for a shop, through the library so expiring offline
// tokens are refreshed (docs/shopify-payments-apps.md §6 pitfall 3).
import type { MethodHandle } from "../payments/methods";
import { shopifyAppFor } from "./apps.server";

export interface IAccessTokens {
  /** null when the app is not installed on the shop (uninstalled, or never). */
  offlineToken(method: MethodHandle, shop: string): Promise<string | null>;
}

export const libraryAccessTokens: IAccessTokens = {
  async offlineToken(method, shop) {
    const app = shopifyAppFor(method);
    if (!app) return null;
    try {
      const { session } = await app.unauthenticated.admin(shop);
      return session.accessToken ?? null;
    } catch {
      return null;
    }
  },
};
