import { describe, expect, it } from "vitest";
import { createAdminApiClient } from "./admin-api-client";

function clientAnswering(body: unknown, status = 200) {
  const calls: string[] = [];
  const client = createAdminApiClient({
    apiVersion: "2025-01",
    originOverride: null,
    fetch: async (input) => {
      calls.push(String(input));
      return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
    },
  });
  return { client, calls };
}

describe("the Admin API client's store name", () => {
  it("asks the shop's own host and returns the name Shopify gives", async () => {
    const { client, calls } = clientAnswering({ data: { shop: { name: "阿明的茶行" } } });
    expect((await client.shopName("ming.myshopify.com", "shpat_x"))._unsafeUnwrap()).toBe("阿明的茶行");
    expect(calls).toEqual(["https://ming.myshopify.com/admin/api/2025-01/graphql.json"]);
  });

  it("never calls out for a shop that is not a bare host name", async () => {
    for (const shop of ["evil.example:8080", "a.myshopify.com/..", "user@host.example", "10.0.0.1#x", "localhost"]) {
      const { client, calls } = clientAnswering({ data: { shop: { name: "x" } } });
      expect((await client.shopName(shop, "shpat_x")).isErr(), shop).toBe(true);
      expect(calls, shop).toEqual([]);
    }
  });

  it("refuses a name longer than 255 characters or empty, and a non-2xx answer", async () => {
    expect((await clientAnswering({ data: { shop: { name: "名".repeat(256) } } }).client.shopName("ming.myshopify.com", "t")).isErr()).toBe(true);
    expect((await clientAnswering({ data: { shop: { name: "  " } } }).client.shopName("ming.myshopify.com", "t")).isErr()).toBe(true);
    expect((await clientAnswering({ errors: "Not Found" }, 404).client.shopName("ming.myshopify.com", "t"))._unsafeUnwrapErr()).toBe("Admin API answered 404");
  });
});
