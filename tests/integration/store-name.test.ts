// The store's name for the CSV, on the real database: asked of Shopify with an installed app's
// token, kept on the shop, checked again a day later (a renamed store), and never lost or waited
// on twice when Shopify cannot answer.
import type { PrismaClient } from "@prisma/client";
import { err, ok } from "neverthrow";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SHOP_NAME_REFRESH_MS, SHOP_NAME_RETRY_MS, storeName } from "~/admin/shop-settings.server";
import type { IAccessTokens } from "~/shopify/access-token.server";
import type { IShopAdminApi } from "~/shopify/admin-api-client";
import { cloneDatabase, type TestDatabase } from "../support/database";
import { prismaFor } from "../support/db-client";

const SHOP = "store-name.myshopify.com";
let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await cloneDatabase(inject("templateDatabaseUrl"));
  prisma = prismaFor(db.url);
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

function shopify(answers: Array<string | null>) {
  const asked: string[] = [];
  const shopAdmin = {
    shopName: async (_shop: string, token: string) => {
      asked.push(token);
      const next = answers.shift();
      return next ? ok(next) : err("Admin API answered 401");
    },
  } satisfies IShopAdminApi;
  // Only the ATM app is installed with a token here: the credit one has none.
  const tokens = { offlineToken: async (method: string) => (method === "atm" ? "shpat_atm" : null) } satisfies IAccessTokens;
  return { asked, shopAdmin, tokens };
}

describe("the store's name", () => {
  it("is asked with an installed app's token once, then read from the shop until a day has passed", async () => {
    let clock = new Date("2026-03-01T00:00:00Z");
    const fake = shopify(["阿明的茶行", "阿明的茶行 2.0"]);
    const deps = { db: prisma, ...fake, now: () => clock };
    expect(await storeName(deps, SHOP, ["credit", "atm"])).toBe("阿明的茶行");
    expect(await storeName(deps, SHOP, ["credit", "atm"])).toBe("阿明的茶行");
    expect(fake.asked).toEqual(["shpat_atm"]);
    clock = new Date(clock.getTime() + SHOP_NAME_REFRESH_MS + 1);
    expect(await storeName(deps, SHOP, ["credit", "atm"])).toBe("阿明的茶行 2.0");
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ name: "阿明的茶行 2.0", nameCheckedAt: clock });
  });

  it("keeps the last name when Shopify cannot answer, and without one asks again only after the retry window", async () => {
    let clock = new Date("2026-04-01T00:00:00Z");
    const keeps = shopify([null]);
    expect(await storeName({ db: prisma, ...keeps, now: () => clock }, SHOP, ["atm"])).toBe("阿明的茶行 2.0");

    const other = "never-named.myshopify.com";
    const fake = shopify([null, "Finally"]);
    const deps = { db: prisma, ...fake, now: () => clock };
    expect(await storeName(deps, other, ["atm"])).toBeNull();
    expect(await storeName(deps, other, ["atm"])).toBeNull();
    expect(fake.asked).toHaveLength(1);
    clock = new Date(clock.getTime() + SHOP_NAME_RETRY_MS + 1);
    expect(await storeName(deps, other, ["atm"])).toBe("Finally");
  });
});
