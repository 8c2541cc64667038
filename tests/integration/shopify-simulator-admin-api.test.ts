// The simulator's Admin GraphQL endpoint over real HTTP, answering the app's one query (the store's
// name) as Shopify documents it, and through the app's own client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminApiClient, SHOP_NAME_QUERY } from "~/shopify/admin-api-client";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";

const SHOP = "admin-api.myshopify.com";
const UNNAMED = "unnamed-shop.myshopify.com";
let sim: ShopifySimulator;

beforeAll(async () => {
  sim = await startShopifySimulator({ appOrigin: "http://127.0.0.1:9" });
  sim.addShop(SHOP, { credit: "shpat_admin_api_credit", atm: "shpat_admin_api_atm" }, { name: "好茶 Good Tea" });
  sim.addShop(UNNAMED, { credit: "shpat_unnamed_credit" });
});

afterAll(async () => {
  await sim.close();
});

async function ask(token: string | null, query: string, path = `/admin/api/${sim.apiVersion}/graphql.json`) {
  const response = await fetch(sim.url(path), {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { "X-Shopify-Access-Token": token } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("the simulator's Admin GraphQL API", () => {
  it("answers shop { name } with the store's name for any of the shop's app tokens", async () => {
    for (const token of ["shpat_admin_api_credit", "shpat_admin_api_atm"]) {
      expect(await ask(token, SHOP_NAME_QUERY)).toEqual({ status: 200, json: { data: { shop: { name: "好茶 Good Tea" } } } });
    }
    expect((await ask("shpat_admin_api_credit", "{ store: shop { myshopifyDomain name } }")).json).toEqual({ data: { store: { myshopifyDomain: SHOP, name: "好茶 Good Tea" } } });
    expect((await ask("shpat_unnamed_credit", SHOP_NAME_QUERY)).json).toEqual({ data: { shop: { name: "Simulated store unnamed-shop" } } });
    expect(sim.adminCalls().filter((c) => c.shop === SHOP)).toHaveLength(3);
  });

  it("refuses an unknown or revoked token with Shopify's 401, a field Shop does not have, and mutations", async () => {
    expect(await ask("shpat_nobody", SHOP_NAME_QUERY)).toEqual({ status: 401, json: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" } });
    expect((await ask(null, SHOP_NAME_QUERY)).status).toBe(401);
    expect((await ask("shpat_admin_api_credit", "{ shop { password } }")).json).toEqual({ errors: [{ message: "Field 'password' doesn't exist on type 'Shop'", extensions: { code: "undefinedField" } }] });
    expect((await ask("shpat_admin_api_credit", "mutation { shopUpdate { id } }")).json).toMatchObject({ errors: [{ extensions: { code: "undefinedField" } }] });
    expect((await ask("shpat_admin_api_credit", SHOP_NAME_QUERY, "/admin/api/latest/graphql.json")).status).toBe(404);
  });

  it("is what the app's client reads, and the client says why when it cannot", async () => {
    const client = createAdminApiClient({ apiVersion: sim.apiVersion, originOverride: sim.origin });
    expect((await client.shopName(SHOP, "shpat_admin_api_atm"))._unsafeUnwrap()).toBe("好茶 Good Tea");
    expect((await client.shopName(SHOP, "shpat_nobody"))._unsafeUnwrapErr()).toBe("Admin API answered 401");
    const unreachable = createAdminApiClient({ apiVersion: sim.apiVersion, originOverride: "http://127.0.0.1:9", timeoutMs: 2_000 });
    expect((await unreachable.shopName(SHOP, "shpat_admin_api_atm")).isErr()).toBe(true);
  });
});
