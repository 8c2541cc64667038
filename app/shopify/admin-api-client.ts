// The one Admin GraphQL read we need: the store's name (`query { shop { name } }`,
// shopify.dev/docs/api/admin-graphql/latest/objects/Shop#field-name), for the reconciliation CSV.
// Through the same bounded POST as the Payments Apps client (graphql-post.ts), so tests reach the
// simulator through the same origin override; never throws, never logs.
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import { postGraphql } from "./graphql-post";

export interface IShopAdminApi {
  /** The store's name as the merchant set it in Shopify; an error says why not (the caller falls back). */
  shopName(shop: string, accessToken: string): Promise<Result<string, string>>;
}

export const SHOP_NAME_QUERY = "query ShopName { shop { name } }";

// A store name is the merchant's text: bounded before it is kept and written into every CSV row.
const answerSchema = z.object({ data: z.object({ shop: z.object({ name: z.string().trim().min(1).max(255) }) }) });

/** A bare DNS host name: no port, path, user info or query can ride along into the URL. */
const HOST_NAME = /^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+$/;

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
      // The host comes from our own signed-in session, but the call goes where it names: only a
      // shop domain is ever asked (never an address someone slipped in).
      if (!origin && !HOST_NAME.test(shop)) return err("not a shop domain");
      const answer = await postGraphql(fetchImpl, `${origin ?? `https://${shop}`}/admin/api/${options.apiVersion}/graphql.json`, accessToken, { query: SHOP_NAME_QUERY }, timeoutMs);
      if (answer.isErr()) return err(answer.error.timedOut ? `Admin API did not answer within ${timeoutMs} ms` : "Admin API unreachable");
      const { status, text } = answer.value;
      if (status < 200 || status > 299) return err(`Admin API answered ${status}`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return err("Admin API answered with something other than JSON");
      }
      const parsed = answerSchema.safeParse(json);
      return parsed.success ? ok(parsed.data.data.shop.name) : err("Admin API answer has no shop name");
    },
  };
}
