// Binding an ECPay account to one of our apps (manual §2-1 step 3, §2-2): verify the keys against
// ECPay, let the merchant confirm (賣家資料確認), then store them encrypted and tell Shopify.
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import type { EcpayCredentials, EcpayError, IEcpayGateway } from "../ecpay/types";
import type { MessageKey } from "../i18n";
import type { SecretBox, SecretContext } from "../lib/secrets.server";
import { attachBinding, saveBinding, type BindingInput } from "../payments/bindings.server";
import { probeCredentials } from "../payments/credentials-probe.server";
import type { Deps } from "../payments/ports";
import { isMethodHandle, METHOD_HANDLES, PAYMENT_METHODS, type MethodHandle } from "../payments/methods";
import type { BindingField, FieldErrors } from "./binding-form";
import { requestConfigure } from "./configure.server";

export type ProbeFailure =
  /** ECPay refused: the fields named are the likely culprits. */
  | { kind: "rejected"; errors: FieldErrors<BindingField>; message: MessageKey }
  /** ECPay could not be asked: try again; nothing was saved. */
  | { kind: "retryable"; message: MessageKey; detail: string };

type Environment = "production" | "stage";

const FIELDS: Record<Environment, { merchantId: BindingField; hashKey: BindingField; hashIv: BindingField }> = {
  production: { merchantId: "merchantId", hashKey: "hashKey", hashIv: "hashIv" },
  stage: { merchantId: "stageMerchantId", hashKey: "stageHashKey", hashIv: "stageHashIv" },
};

/** Which field an ECPay refusal points at. */
export function explainProbeError(environment: Environment, error: EcpayError): ProbeFailure {
  const f = FIELDS[environment];
  switch (error.kind) {
    case "wrong-credentials":
      if (error.credentials === "stage-merchant-in-production") {
        return { kind: "rejected", errors: { [f.merchantId]: "admin.bind.error.stageMerchantInProduction" }, message: "admin.bind.error.stageMerchantInProduction" };
      }
      if (error.credentials === "unknown-merchant") {
        return { kind: "rejected", errors: { [f.merchantId]: "admin.bind.error.merchantIdUnknown" }, message: "admin.bind.error.merchantIdUnknown" };
      }
      return {
        kind: "rejected",
        errors: { [f.hashKey]: "admin.bind.error.keysWrong", [f.hashIv]: "admin.bind.error.keysWrong" },
        message: "admin.bind.error.keysWrong",
      };
    case "bad-signature":
      // ECPay answered, but not under these keys.
      return {
        kind: "rejected",
        errors: { [f.hashKey]: "admin.bind.error.keysWrong", [f.hashIv]: "admin.bind.error.keysWrong" },
        message: "admin.bind.error.keysWrong",
      };
    case "invalid-input":
      return {
        kind: "rejected",
        errors: { [error.field === "MerchantID" ? f.merchantId : f.hashKey]: "admin.bind.error.merchantIdFormat" },
        message: "admin.bind.error.merchantIdFormat",
      };
    case "rate-limited":
      return { kind: "retryable", message: "admin.bind.error.rateLimited", detail: error.message };
    case "indeterminate":
      return { kind: "retryable", message: "admin.bind.error.unreachable", detail: error.message };
    case "declined":
    case "not-allowed":
      return { kind: "retryable", message: "admin.bind.error.unexpected", detail: error.message };
  }
}

/** A binding is proved with QueryTradeInfo alone. */
export type ProbeGateway = Pick<IEcpayGateway, "queryTradeInfo">;

async function probeOne(ecpay: ProbeGateway, credentials: EcpayCredentials, now: Date): Promise<Result<void, ProbeFailure>> {
  const answer = await probeCredentials(ecpay, credentials, now);
  return answer.isOk() ? ok(undefined) : err(explainProbeError(credentials.environment, answer.error));
}

/** Verify the production keys (and the stage keys when given) with signed QueryTradeInfo probes. */
export async function probeBinding(ecpay: ProbeGateway, input: BindingInput, now: Date): Promise<Result<void, ProbeFailure>> {
  const production = await probeOne(ecpay, { merchantId: input.merchantId, hashKey: input.hashKey, hashIv: input.hashIv, environment: "production" }, now);
  if (production.isErr()) return production;
  if (input.stageMerchantId && input.stageHashKey && input.stageHashIv) {
    return probeOne(ecpay, { merchantId: input.stageMerchantId, hashKey: input.stageHashKey, hashIv: input.stageHashIv, environment: "stage" }, now);
  }
  return ok(undefined);
}

// ---------------------------------------------------------------- confirmation token

/** Verified keys wait for the merchant's Confirm inside an encrypted token, never as plaintext in the page. */
const CONFIRM_TTL_MS = 15 * 60_000;

const pendingBinding = z.object({
  v: z.literal(1),
  shop: z.string(),
  method: z.string(),
  expiresAt: z.number(),
  input: z.object({
    merchantId: z.string(),
    hashKey: z.string(),
    hashIv: z.string(),
    stageMerchantId: z.string().nullish(),
    stageHashKey: z.string().nullish(),
    stageHashIv: z.string().nullish(),
    creditCheckCode: z.string().nullish(),
    accountName: z.string().nullish(),
  }),
});

/** Sealed with the browser-token key and bound to the shop and app: it opens nowhere else. */
const confirmationContext = (scope: { shop: string; method: MethodHandle }): SecretContext => ({
  purpose: "bind-confirmation",
  shop: scope.shop,
  method: scope.method,
});

export function sealPendingBinding(box: SecretBox, scope: { shop: string; method: MethodHandle }, input: BindingInput, now: Date): string {
  return box.seal(JSON.stringify({ v: 1, ...scope, expiresAt: now.getTime() + CONFIRM_TTL_MS, input }), confirmationContext(scope));
}

export type OpenTokenError = "invalid" | "expired";

export function openPendingBinding(
  box: SecretBox,
  scope: { shop: string; method: MethodHandle },
  token: string,
  now: Date,
): Result<BindingInput, OpenTokenError> {
  let json: unknown;
  try {
    json = JSON.parse(box.open(token, confirmationContext(scope)));
  } catch {
    return err("invalid");
  }
  const parsed = pendingBinding.safeParse(json);
  // A token from another shop or app is as good as forged.
  if (!parsed.success || parsed.data.shop !== scope.shop || parsed.data.method !== scope.method || !isMethodHandle(parsed.data.method)) {
    return err("invalid");
  }
  if (parsed.data.expiresAt < now.getTime()) return err("expired");
  return ok(parsed.data.input);
}

// ---------------------------------------------------------------- confirm, reuse, unbind

/** Store the verified keys encrypted, attach them to this app and ask Shopify to mark it ready. */
export async function confirmBinding(deps: Deps, method: MethodHandle, shop: string, input: BindingInput): Promise<void> {
  const binding = await saveBinding(deps.db, deps.secrets, shop, input);
  await attachBinding(deps.db, method, shop, binding.id);
  await requestConfigure(deps, method, shop, { ready: true, externalHandle: binding.merchantId });
}

export interface ReusableBinding {
  bindingId: string;
  merchantId: string;
  accountName: string | null;
  /** Our other apps on this shop that use it. */
  usedBy: MethodHandle[];
}

/** Bindings this shop already made in our other apps (bind once, not eight times). */
export async function reusableBindings(deps: Deps, method: MethodHandle, shop: string): Promise<ReusableBinding[]> {
  const installations = await deps.db.shopInstallation.findMany({
    where: { shop, bindingId: { not: null }, NOT: { method } },
    include: { binding: { select: { id: true, merchantId: true, accountName: true } } },
    orderBy: { method: "asc" },
  });
  const own = await deps.db.shopInstallation.findUnique({ where: { method_shop: { method, shop } }, select: { bindingId: true } });
  const byId = new Map<string, ReusableBinding>();
  for (const installation of installations) {
    const binding = installation.binding;
    if (!binding || binding.id === own?.bindingId || !isMethodHandle(installation.method)) continue;
    const entry = byId.get(binding.id) ?? { bindingId: binding.id, merchantId: binding.merchantId, accountName: binding.accountName, usedBy: [] };
    entry.usedBy.push(installation.method);
    byId.set(binding.id, entry);
  }
  return [...byId.values()];
}

/** Attach a binding the shop already has; only bindings of this shop are accepted. */
export async function reuseBinding(deps: Deps, method: MethodHandle, shop: string, bindingId: string): Promise<Result<void, "not-found">> {
  const binding = await deps.db.ecpayBinding.findFirst({ where: { id: bindingId, shop } });
  if (!binding) return err("not-found");
  await attachBinding(deps.db, method, shop, binding.id);
  await requestConfigure(deps, method, shop, { ready: true, externalHandle: binding.merchantId });
  return ok(undefined);
}

/**
 * Detach the account from this app and tell Shopify the app is not ready. The binding row stays:
 * other apps may use it, and past payments keep their record of which MerchantID took them.
 */
export async function unbind(deps: Deps, method: MethodHandle, shop: string): Promise<void> {
  await attachBinding(deps.db, method, shop, null);
  await requestConfigure(deps, method, shop, { ready: false, externalHandle: null });
}

// ---------------------------------------------------------------- what a change does to the shop's other apps

/** An app as the merchant knows it: its name in the method registry, in both languages. */
export type AppName = { "zh-TW": string; en: string };

/** One line of the confirmation: these apps, and what the change means for them (the message names {merchantId}). */
export interface BindingImpact {
  message: "admin.confirm.changes" | "admin.confirm.keeps" | "admin.reuse.shares" | "admin.unbind.keeps";
  merchantId: string;
  apps: AppName[];
}

/** The shop's other installed apps attached to this binding row, in the registry's order. */
async function otherAppsOn(deps: Deps, method: MethodHandle, shop: string, bindingId: string): Promise<MethodHandle[]> {
  const rows = await deps.db.shopInstallation.findMany({
    where: { shop, bindingId, status: "INSTALLED", NOT: { method } },
    select: { method: true },
  });
  const methods = new Set(rows.map((row) => row.method));
  return METHOD_HANDLES.filter((handle) => methods.has(handle));
}

/** The apps' names, in the registry's order (the order of every list of apps). */
export const appNames = (methods: readonly MethodHandle[]): AppName[] =>
  METHOD_HANDLES.filter((m) => methods.includes(m)).map((m) => PAYMENT_METHODS[m].serviceName);

/**
 * What confirming keys for `merchantId` does to the shop's other apps. saveBinding refreshes the
 * shop's row of that MerchantID in place, so every app on it takes the new keys, stage keys and
 * account name; apps on the binding this app leaves (another MerchantID) keep theirs.
 */
export async function rebindImpact(deps: Deps, method: MethodHandle, shop: string, merchantId: string): Promise<BindingImpact[]> {
  const [target, own] = await Promise.all([
    deps.db.ecpayBinding.findFirst({ where: { shop, merchantId }, select: { id: true } }),
    deps.db.shopInstallation.findUnique({ where: { method_shop: { method, shop } }, select: { binding: { select: { id: true, merchantId: true } } } }),
  ]);
  const impacts: BindingImpact[] = [];
  if (target) {
    const changed = await otherAppsOn(deps, method, shop, target.id);
    if (changed.length > 0) impacts.push({ message: "admin.confirm.changes", merchantId, apps: appNames(changed) });
  }
  const left = own?.binding;
  if (left && left.id !== target?.id) {
    const kept = await otherAppsOn(deps, method, shop, left.id);
    if (kept.length > 0) impacts.push({ message: "admin.confirm.keeps", merchantId: left.merchantId, apps: appNames(kept) });
  }
  return impacts;
}

/** Unbinding detaches only this app: the apps sharing its binding keep it. */
/** The app's binding and the shop's other installed apps on it: what every admin page's note says. */
export async function sharedBinding(deps: Deps, method: MethodHandle, shop: string): Promise<{ merchantId: string; sharedWith: AppName[] } | null> {
  const own = await deps.db.shopInstallation.findUnique({ where: { method_shop: { method, shop } }, select: { binding: { select: { id: true, merchantId: true } } } });
  if (!own?.binding) return null;
  return { merchantId: own.binding.merchantId, sharedWith: appNames(await otherAppsOn(deps, method, shop, own.binding.id)) };
}

export async function unbindImpact(deps: Deps, method: MethodHandle, shop: string): Promise<BindingImpact[]> {
  const binding = await sharedBinding(deps, method, shop);
  return binding && binding.sharedWith.length > 0 ? [{ message: "admin.unbind.keeps", merchantId: binding.merchantId, apps: binding.sharedWith }] : [];
}
