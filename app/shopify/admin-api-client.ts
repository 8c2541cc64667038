// The one Admin GraphQL read we need: the store's name (`query { shop { name } }`,
// shopify.dev/docs/api/admin-graphql/latest/objects/Shop#field-name), for the reconciliation CSV.
// fetch-based like the Payments Apps client, so tests reach the simulator through the same origin
// override; never throws, never logs (the token must not end up in logs).
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";

export interface IShopAdminApi {
  /** The store's name as the merchant set it in Shopify; an error says why not (the caller falls back). */
  shopName(shop: string, accessToken: string): Promise<Result<string, string>>;
}

export const SHOP_NAME_QUERY = "query ShopName { shop { name } }";

const answerSchema = z.object({ data: z.object({ shop: z.object({ name: z.string().min(1) }) }) });

export interface AdminApiClientOptions {
  apiVersion: string;
  /** Test-only (SHOPIFY_PAYMENTS_API_ORIGIN): send to <origin>/admin/api/... instead of https://<shop>/. */
  originOverride: string | null;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function createAdminApiClient(options: AdminApiClientOptions): IShopAdminApi {
  const origin = options.originOverride?.replace(/\/+$/, "") ?? null;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  return {
    async shopName(shop, accessToken) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const response = await fetchImpl(`${origin ?? `https://${shop}`}/admin/api/${options.apiVersion}/graphql.json`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-Shopify-Access-Token": accessToken },
          body: JSON.stringify({ query: SHOP_NAME_QUERY }),
          signal: controller.signal,
        });
        const text = await response.text();
        if (!response.ok) return err(`Admin API answered ${response.status}`);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return err("Admin API answered with something other than JSON");
        }
        const parsed = answerSchema.safeParse(json);
        return parsed.success ? ok(parsed.data.data.shop.name) : err("Admin API answer has no shop name");
      } catch {
        return err(controller.signal.aborted ? `Admin API did not answer within ${timeoutMs} ms` : "Admin API unreachable");
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
