// Composition root: the real implementations of every port, built once per process.
// Use cases take a Deps (or the slice they need) so tests can inject fakes.
import type { PrismaClient } from "@prisma/client";
import prisma from "../db.server";
import { PINNED_API_VERSION, serverConfig, type ServerConfig } from "../config.server";
import { EcpayGateway } from "../ecpay/ecpay-gateway";
import type { IEcpayGateway } from "../ecpay/types";
import { instrumentedEcpay } from "../lib/instrumented-ecpay.server";
import { secretBox, type SecretBox } from "../lib/secrets.server";
import { libraryAccessTokens, type IAccessTokens } from "../shopify/access-token.server";
import type { IPaymentsAppsApi } from "../shopify/payments-apps-api";
import { PaymentsAppsClient } from "../shopify/payments-apps-client";

export interface Deps {
  db: PrismaClient;
  secrets: SecretBox;
  ecpay: IEcpayGateway;
  shopify: IPaymentsAppsApi;
  tokens: IAccessTokens;
  config: ServerConfig;
  now(): Date;
}

let cached: Deps | undefined;

export function deps(): Deps {
  if (cached) return cached;
  const config = serverConfig();
  cached = {
    db: prisma,
    secrets: secretBox(),
    ecpay: instrumentedEcpay(EcpayGateway.create({ stageOrigin: config.ecpayStageOrigin, productionOrigin: config.ecpayProductionOrigin })),
    shopify: PaymentsAppsClient.create({
      apiVersion: PINNED_API_VERSION,
      originOverride: config.paymentsApiOrigin,
      timeoutMs: config.tuning.shopifyApiTimeoutMs,
    }),
    tokens: libraryAccessTokens,
    config,
    now: () => new Date(),
  };
  return cached;
}
