// Shopify's Admin GraphQL API at /admin/api/<version>/graphql.json, the query side the app uses:
// `shop { name … }` (shopify.dev/docs/api/admin-graphql/latest/queries/shop). Same authentication
// as the Payments Apps endpoint (the shop's offline token in X-Shopify-Access-Token, 401 with
// Shopify's wording otherwise); mutations are not served.
import { GraphqlError, parseOperation, project, validateSelections, type GqlValue } from "./graphql-mini";
import { ADMIN_SCHEMA } from "./schema";
import type { GraphqlRequest } from "./payments-graphql";
import type { SimulatedShop, SimulatorState } from "./state";

export interface AdminGraphqlResult {
  status: number;
  body: Record<string, unknown>;
}

/** What a store is called before the merchant names it here: Shopify asks for a name at sign-up. */
export function defaultShopName(domain: string): string {
  return `Simulated store ${domain.replace(/\.myshopify\.com$/, "")}`;
}

function shopObject(shop: SimulatedShop): Record<string, unknown> {
  return {
    id: `gid://shopify/Shop/${[...shop.domain].reduce((n, c) => (n * 31 + c.charCodeAt(0)) % 1e9, 7)}`,
    name: shop.settings.name ?? defaultShopName(shop.domain),
    myshopifyDomain: shop.domain,
    email: `owner@${shop.domain}`,
    currencyCode: "TWD",
    ianaTimezone: "Asia/Taipei",
  };
}

export function handleAdminGraphql(state: SimulatorState, request: GraphqlRequest, log: (entry: { shop: string | null; status: number; query: string }) => void): AdminGraphqlResult {
  let parsed: { query?: unknown; operationName?: unknown } = {};
  try {
    parsed = JSON.parse(request.rawBody) as typeof parsed;
  } catch {
    parsed = {};
  }
  const query = typeof parsed.query === "string" ? parsed.query : "";
  const owner = request.accessToken ? state.tokens.get(request.accessToken) : undefined;
  const hostShop = request.host?.split(":")[0];
  if (!owner || (hostShop && state.shops.has(hostShop) && hostShop !== owner.shop)) {
    log({ shop: null, status: 401, query });
    return { status: 401, body: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" } };
  }
  if (!(request.contentType ?? "").includes("application/json") || !query) {
    log({ shop: owner.shop, status: 400, query });
    return { status: 400, body: { errors: { query: "Required parameter missing or invalid" } } };
  }
  let body: Record<string, unknown>;
  try {
    const operation = parseOperation(query, typeof parsed.operationName === "string" ? parsed.operationName : null);
    if (operation.type !== "query") throw new GraphqlError("The simulator's Admin API serves queries only", "undefinedField");
    const problems = validateSelections(ADMIN_SCHEMA, "QueryRoot", operation.selections, "query");
    if (problems.length > 0) {
      body = { errors: problems.map((message) => ({ message, extensions: { code: "undefinedField" } })) };
    } else {
      const root = { shop: shopObject(state.requireShop(owner.shop)) };
      body = { data: project(ADMIN_SCHEMA, "QueryRoot", root, operation.selections) as Record<string, GqlValue> };
    }
  } catch (error) {
    if (!(error instanceof GraphqlError)) throw error;
    body = { errors: [{ message: error.message, extensions: { code: error.code } }] };
  }
  log({ shop: owner.shop, status: 200, query });
  return { status: 200, body };
}
