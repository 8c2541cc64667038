// Composition root: the real implementation of every port (app/payments/ports.ts), built once per
// process. Nothing below app/ imports this file except the background workers' default.
import type { Result } from "neverthrow";
import prisma from "./db.server";
import { PINNED_API_VERSION, serverConfig } from "./config.server";
import { EcpayGateway } from "./ecpay/ecpay-gateway";
import type { EcpayError, IEcpayGateway } from "./ecpay/types";
import { metrics } from "./lib/metrics.server";
import { secretBox } from "./lib/secrets.server";
import type { Deps } from "./payments/ports";
import { libraryAccessTokens } from "./shopify/access-token.server";
import { createAdminApiClient } from "./shopify/admin-api-client";
import { PaymentsAppsClient } from "./shopify/payments-apps-client";

export type { Deps } from "./payments/ports";

async function timed<T>(operation: string, call: () => Promise<Result<T, EcpayError>>): Promise<Result<T, EcpayError>> {
  const started = process.hrtime.bigint();
  const result = await call();
  const outcome = result.isOk() ? "ok" : result.error.kind;
  metrics().ecpayCalls.observe({ operation, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
  return result;
}

/** The ECPay port with every server-to-server call timed and counted for /metrics (ecpay_call_duration_seconds). */
export function instrumentedEcpay(gateway: IEcpayGateway): IEcpayGateway {
  return {
    createCheckout: (credentials, input) => gateway.createCheckout(credentials, input),
    verifyCallback: (rawBody, credentials) => gateway.verifyCallback(rawBody, credentials),
    queryTradeInfo: (credentials, merchantTradeNo) => timed("QueryTradeInfo", () => gateway.queryTradeInfo(credentials, merchantTradeNo)),
    queryPaymentInfo: (credentials, merchantTradeNo) => timed("QueryPaymentInfo", () => gateway.queryPaymentInfo(credentials, merchantTradeNo)),
    queryCreditDetail: (credentials, input) => timed("QueryTrade/V2", () => gateway.queryCreditDetail(credentials, input)),
    doAction: (credentials, input) => timed(`DoAction ${input.action}`, () => gateway.doAction(credentials, input)),
  } satisfies IEcpayGateway;
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
    shopAdmin: createAdminApiClient({ apiVersion: PINNED_API_VERSION, originOverride: config.paymentsApiOrigin, timeoutMs: config.tuning.shopifyApiTimeoutMs }),
    config,
    now: () => new Date(),
  };
  return cached;
}

/** Whether the database answers (GET /healthz), without building the rest of the graph. */
export async function databaseAnswers(): Promise<boolean> {
  try {
    await prisma.$queryRawUnsafe("SELECT 1");
    return true;
  } catch {
    return false;
  }
}
