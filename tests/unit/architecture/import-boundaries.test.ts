// The layers of DESIGN §4 are kept by eslint.config.js; these cases prove the rule bites where a
// newcomer would slip (and stays quiet on the imports the layers allow).
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: file });
  return result!.messages.filter((m) => m.ruleId?.endsWith("no-restricted-imports")).map((m) => m.message);
}

const refused: Array<[string, string, string]> = [
  ["the domain", "app/payments/use-cases/x.server.ts", 'import { deliverDue } from "../../jobs/outbox.server";'],
  ["the domain", "app/payments/x.server.ts", 'import { deps } from "../deps.server";'],
  ["the domain", "app/payments/x.server.ts", 'import { PaymentsAppsClient } from "../shopify/payments-apps-client";'],
  ["the domain", "app/payments/x.server.ts", 'import { requireAdmin } from "~/web/admin-context.server";'],
  ["lib", "app/lib/x.ts", 'import { METHOD_HANDLES } from "../payments/methods";'],
  ["lib", "app/lib/x.ts", 'import prisma from "../db.server";'],
  ["the ECPay gateway", "app/ecpay/x.ts", 'import { log } from "../lib/log.server";'],
  ["the ECPay gateway", "app/ecpay/x.ts", 'import type { Deps } from "~/payments/ports";'],
  ["the Shopify gateway", "app/shopify/x.ts", 'import { enqueue } from "../payments/outbox.server";'],
  ["the admin", "app/admin/x.server.ts", 'import { EcpayGateway } from "../ecpay/ecpay-gateway";'],
  ["the admin", "app/admin/x.server.ts", 'import prisma from "../db.server";'],
  ["the admin", "app/admin/x.server.ts", 'import { deliverDue } from "../jobs/outbox.server";'],
  ["a route", "app/routes/x.tsx", 'import prisma from "~/db.server";'],
  ["a route", "app/routes/x.tsx", 'import { EcpayGateway } from "~/ecpay/ecpay-gateway";'],
  ["a route", "app/routes/x.tsx", 'import { reconcileOnce } from "~/jobs/reconciler.server";'],
  ["messages", "app/i18n/x.ts", 'import { displayStatus } from "../admin/status";'],
];

const allowed: Array<[string, string, string]> = [
  ["the domain reads the gateway's types", "app/payments/x.server.ts", 'import type { IPaymentsAppsApi } from "../shopify/payments-apps-api";'],
  ["the domain writes to the outbox", "app/payments/use-cases/x.server.ts", 'import { enqueue } from "../outbox.server";'],
  ["the Shopify gateway reads the method registry", "app/shopify/x.ts", 'import { METHOD_HANDLES } from "../payments/methods";'],
  ["the ECPay gateway reads Taiwan's clock", "app/ecpay/x.ts", 'import { taiwanDateParts } from "../lib/taiwan-time";'],
  ["jobs drive use cases", "app/jobs/x.server.ts", 'import { settleFromTradeQuery } from "../payments/use-cases/settle-from-query.server";'],
  ["the admin reads ECPay's types", "app/admin/x.server.ts", 'import type { EcpayError } from "../ecpay/types";'],
  ["a route calls the composition root", "app/routes/x.tsx", 'import { deps } from "~/deps.server";'],
];

describe("the import-boundary lint rule", () => {
  it.each(refused)("refuses %s importing what sits above it or a gateway (%s: %s)", async (_who, file, source) => {
    expect(await restrictedImports(file, `${source}\nexport {};\n`)).not.toEqual([]);
  });

  it.each(allowed)("allows %s (%s: %s)", async (_why, file, source) => {
    expect(await restrictedImports(file, `${source}\nexport {};\n`)).toEqual([]);
  });
});
