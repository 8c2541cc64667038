// The shop's ECPay account(s): stored encrypted, shared across the shop's apps, and turned into
// the credentials a payment needs (stage for test sessions, production otherwise).
import type { EcpayBinding, PrismaClient, ShopInstallation } from "@prisma/client";
import { PUBLIC_STAGE_MERCHANT } from "../ecpay/public-stage-merchant";
import type { EcpayCredentials } from "../ecpay/types";
import type { SecretBox, SecretContext } from "../lib/secrets.server";
import type { MethodHandle } from "./methods";

export interface BindingInput {
  merchantId: string;
  hashKey: string;
  hashIv: string;
  stageMerchantId?: string | null;
  stageHashKey?: string | null;
  stageHashIv?: string | null;
  creditCheckCode?: string | null;
  accountName?: string | null;
}

/** The sealed columns of a binding and the field each one's associated data names. */
export const BINDING_SECRET_COLUMNS = {
  hashKeyEnc: "hashKey",
  hashIvEnc: "hashIv",
  stageHashKeyEnc: "stageHashKey",
  stageHashIvEnc: "stageHashIv",
  creditCheckCodeEnc: "creditCheckCode",
} as const satisfies Record<string, Extract<SecretContext, { purpose: "ecpay-binding" }>["field"]>;
export type BindingSecretColumn = keyof typeof BINDING_SECRET_COLUMNS;

/** A binding secret opens only in its own row (shop + MerchantID, which never change) and column. */
export function bindingSecretContext(row: Pick<EcpayBinding, "shop" | "merchantId">, column: BindingSecretColumn): SecretContext {
  return { purpose: "ecpay-binding", shop: row.shop, merchantId: row.merchantId, field: BINDING_SECRET_COLUMNS[column] };
}

/** Store (or refresh) the shop's binding for this MerchantID, encrypted. */
export async function saveBinding(db: PrismaClient, box: SecretBox, shop: string, input: BindingInput): Promise<EcpayBinding> {
  const row = { shop, merchantId: input.merchantId };
  const seal = (column: BindingSecretColumn, value: string | null | undefined) => (value ? box.seal(value, bindingSecretContext(row, column)) : null);
  const data = {
    merchantId: input.merchantId,
    hashKeyEnc: box.seal(input.hashKey, bindingSecretContext(row, "hashKeyEnc")),
    hashIvEnc: box.seal(input.hashIv, bindingSecretContext(row, "hashIvEnc")),
    stageMerchantId: input.stageMerchantId ?? null,
    stageHashKeyEnc: seal("stageHashKeyEnc", input.stageHashKey),
    stageHashIvEnc: seal("stageHashIvEnc", input.stageHashIv),
    creditCheckCodeEnc: seal("creditCheckCodeEnc", input.creditCheckCode),
    accountName: input.accountName ?? null,
    verifiedAt: new Date(),
  };
  const existing = await db.ecpayBinding.findFirst({ where: { shop, merchantId: input.merchantId } });
  return existing
    ? db.ecpayBinding.update({ where: { id: existing.id }, data })
    : db.ecpayBinding.create({ data: { shop, ...data } });
}

/** Make sure the app is recorded as installed for the shop (idempotent). */
export async function ensureInstallation(db: PrismaClient, method: MethodHandle, shop: string): Promise<ShopInstallation> {
  return db.shopInstallation.upsert({
    where: { method_shop: { method, shop } },
    create: { method, shop },
    update: { status: "INSTALLED", uninstalledAt: null },
  });
}

export async function attachBinding(db: PrismaClient, method: MethodHandle, shop: string, bindingId: string | null) {
  return db.shopInstallation.update({ where: { method_shop: { method, shop } }, data: { bindingId } });
}

export function productionCredentials(box: SecretBox, binding: EcpayBinding): EcpayCredentials {
  return {
    merchantId: binding.merchantId,
    hashKey: box.open(binding.hashKeyEnc, bindingSecretContext(binding, "hashKeyEnc")),
    hashIv: box.open(binding.hashIvEnc, bindingSecretContext(binding, "hashIvEnc")),
    environment: "production",
  };
}

/** Test sessions go to ECPay's stage: the merchant's own stage keys, or ECPay's public stage merchant. */
export function stageCredentials(box: SecretBox, binding: EcpayBinding | null): EcpayCredentials {
  if (binding?.stageMerchantId && binding.stageHashKeyEnc && binding.stageHashIvEnc) {
    return {
      merchantId: binding.stageMerchantId,
      hashKey: box.open(binding.stageHashKeyEnc, bindingSecretContext(binding, "stageHashKeyEnc")),
      hashIv: box.open(binding.stageHashIvEnc, bindingSecretContext(binding, "stageHashIvEnc")),
      environment: "stage",
    };
  }
  return { ...PUBLIC_STAGE_MERCHANT, environment: "stage" };
}

export function credentialsForSession(box: SecretBox, binding: EcpayBinding, test: boolean): EcpayCredentials {
  return test ? stageCredentials(box, binding) : productionCredentials(box, binding);
}

export function creditCheckCode(box: SecretBox, binding: EcpayBinding): string | null {
  return binding.creditCheckCodeEnc ? box.open(binding.creditCheckCodeEnc, bindingSecretContext(binding, "creditCheckCodeEnc")) : null;
}

/** The keys that signed (or must sign) messages about one attempt: the MerchantID it was created under. */
export async function credentialsForAttempt(
  db: PrismaClient,
  box: SecretBox,
  attempt: { merchantId: string; stage: boolean },
  shop: string,
): Promise<EcpayCredentials | null> {
  if (attempt.stage && attempt.merchantId === PUBLIC_STAGE_MERCHANT.merchantId) return attemptCredentials(box, attempt, null);
  const binding = await db.ecpayBinding.findFirst({ where: attempt.stage ? { shop, stageMerchantId: attempt.merchantId } : { shop, merchantId: attempt.merchantId } });
  return attemptCredentials(box, attempt, binding);
}

/** The same from the binding already read for the attempt (trade-read.server.ts joins it). */
export function attemptCredentials(box: SecretBox, attempt: { merchantId: string; stage: boolean }, binding: EcpayBinding | null): EcpayCredentials | null {
  if (attempt.stage) {
    if (attempt.merchantId === PUBLIC_STAGE_MERCHANT.merchantId) return { ...PUBLIC_STAGE_MERCHANT, environment: "stage" };
    return binding ? stageCredentials(box, binding) : null;
  }
  return binding ? productionCredentials(box, binding) : null;
}
