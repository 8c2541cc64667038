// The merchant's per-app choices and what the admin pages read of their installation: the routes
// call these and never the database (DESIGN §4: routes → use cases).
import type { PrismaClient } from "@prisma/client";
import type { Deps } from "../payments/ports";
import type { MethodHandle } from "../payments/methods";

type Db = Pick<PrismaClient, "shopInstallation">;

const installationOf = (method: MethodHandle, shop: string) => ({ method_shop: { method, shop } });

/** The capture page's "I have reviewed this" (manual §3-2), stamped now. */
export async function markCaptureReviewed(deps: Pick<Deps, "db" | "now">, method: MethodHandle, shop: string): Promise<void> {
  await deps.db.shopInstallation.update({ where: installationOf(method, shop), data: { captureReviewedAt: deps.now() } });
}

/** The method settings, already validated by parseSettingsForm: stored whole. */
export async function saveMethodSettings(db: Db, method: MethodHandle, shop: string, settings: Record<string, unknown>): Promise<void> {
  await db.shopInstallation.update({ where: installationOf(method, shop), data: { settings: JSON.stringify(settings) } });
}

/** The binding the bind page shows: never a key, not even encrypted. */
export interface BoundAccount {
  merchantId: string;
  accountName: string | null;
  stageMerchantId: string | null;
  hasCreditCheckCode: boolean;
  verifiedAt: string | null;
}

export async function boundAccount(db: Db, method: MethodHandle, shop: string): Promise<BoundAccount | null> {
  const installation = await db.shopInstallation.findUnique({ where: installationOf(method, shop), include: { binding: true } });
  const binding = installation?.binding;
  if (!binding) return null;
  return {
    merchantId: binding.merchantId,
    accountName: binding.accountName,
    stageMerchantId: binding.stageMerchantId,
    hasCreditCheckCode: Boolean(binding.creditCheckCodeEnc),
    verifiedAt: binding.verifiedAt?.toISOString() ?? null,
  };
}

/** Which stage merchant takes this app's test payments: the merchant's own (with keys) or none (the public one). */
export async function testModeBinding(db: Db, method: MethodHandle, shop: string): Promise<{ ownStageMerchantId: string | null; bound: boolean }> {
  const installation = await db.shopInstallation.findUnique({
    where: installationOf(method, shop),
    include: { binding: { select: { stageMerchantId: true, stageHashKeyEnc: true } } },
  });
  const binding = installation?.binding;
  return {
    ownStageMerchantId: binding?.stageMerchantId && binding.stageHashKeyEnc ? binding.stageMerchantId : null,
    bound: Boolean(installation?.bindingId),
  };
}
