// The ports every use case is handed (DESIGN §4: use cases get their gateways injected). The
// composition root (app/deps.server.ts) builds the real ones; tests hand in fakes.
import type { PrismaClient } from "@prisma/client";
import type { ServerConfig } from "../config.server";
import type { IEcpayGateway } from "../ecpay/types";
import type { SecretBox } from "../lib/secrets.server";
import type { IAccessTokens } from "../shopify/access-token.server";
import type { IShopAdminApi } from "../shopify/admin-api-client";
import type { IPaymentsAppsApi } from "../shopify/payments-apps-api";

export interface Deps {
  db: PrismaClient;
  secrets: SecretBox;
  ecpay: IEcpayGateway;
  shopify: IPaymentsAppsApi;
  tokens: IAccessTokens;
  /** Shopify's Admin GraphQL, for the store's name (the CSV's 商店名稱). */
  shopAdmin: IShopAdminApi;
  config: ServerConfig;
  now(): Date;
}
