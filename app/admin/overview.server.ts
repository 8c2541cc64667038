// The home page's setup guide and the capture page's advice, read from our own records.
import type { PaymentStatus } from "@prisma/client";
import type { Deps } from "../payments/ports";
import { getMethod, type MethodHandle, type PaymentMethodDefinition } from "../payments/methods";
import { authorizationExpiresAt, captureDaysLeft } from "../payments/time-limits";
import { WARN_FROM_DAYS } from "./capture-rules";
import { formatAmount } from "./format";
import { configureState, type ConfigureState } from "./configure.server";

/** The home page and the capture page read our own records only. */
export type OverviewDeps = Pick<Deps, "db" | "now">;

export const SETUP_STEPS = ["bind", "confirm", "activate", "test", "capture"] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

/**
 * The steps that apply to a method: no test step where ECPay's stage does not offer it (UnionPay),
 * no capture step where nothing is ever only authorized (UnionPay, ATM, WebATM, TWQR, WeChat Pay).
 */
export function setupSteps(def: PaymentMethodDefinition): SetupStep[] {
  return SETUP_STEPS.filter((step) => (step === "test" ? def.stageTest !== "unavailable" : step === "capture" ? def.supportsAuthorization : true));
}

/** A test payment counts once ECPay approved it: whatever happened to it afterwards. */
const APPROVED: PaymentStatus[] = ["AUTHORIZED", "PAID", "VOIDED", "PARTIALLY_REFUNDED", "REFUNDED"];

export interface SetupGuide {
  steps: Array<{ key: SetupStep; done: boolean }>;
  merchantId: string | null;
  configure: ConfigureState;
  /** Shopify confirmed ready with the MerchantID that is bound now. */
  ready: boolean;
}

export async function setupGuide(deps: OverviewDeps, method: MethodHandle, shop: string): Promise<SetupGuide> {
  const [installation, configure, anySession, testSession] = await Promise.all([
    deps.db.shopInstallation.findUnique({ where: { method_shop: { method, shop } }, include: { binding: { select: { merchantId: true } } } }),
    configureState(deps, method, shop),
    deps.db.paymentSession.findFirst({ where: { shop, method }, select: { id: true } }),
    deps.db.paymentSession.findFirst({ where: { shop, method, test: true, status: { in: APPROVED } }, select: { id: true } }),
  ]);
  const merchantId = installation?.binding?.merchantId ?? null;
  const ready = Boolean(merchantId) && configure.ready && configure.handle === merchantId && !configure.pending;
  const done: Record<SetupStep, boolean> = {
    bind: Boolean(merchantId),
    confirm: ready,
    // Shopify only sends payment sessions to an activated payment method.
    activate: Boolean(anySession),
    test: Boolean(testSession),
    capture: Boolean(installation?.captureReviewedAt),
  };
  return { steps: setupSteps(getMethod(method)).map((key) => ({ key, done: done[key] })), merchantId, configure, ready };
}

const DAY_MS = 24 * 3600_000;

export interface CaptureOverview {
  applies: boolean;
  reviewedAt: string | null;
  recentAuthorizations: number;
  /** `amount` formatted ("NT$2,380"). */
  nearLimit: Array<{ id: string; amount: string; createdAt: string; daysLeft: number }>;
}

export async function captureOverview(deps: OverviewDeps, method: MethodHandle, shop: string): Promise<CaptureOverview> {
  const now = deps.now();
  const [installation, recentAuthorizations, nearLimit] = await Promise.all([
    deps.db.shopInstallation.findUnique({ where: { method_shop: { method, shop } }, select: { captureReviewedAt: true } }),
    deps.db.paymentSession.count({
      where: { shop, method, kind: "AUTHORIZATION", test: false, createdAt: { gte: new Date(now.getTime() - 30 * DAY_MS) } },
    }),
    // Stage has no close limit (and no DoAction): only live authorizations count.
    deps.db.paymentSession.findMany({
      where: { shop, method, status: "AUTHORIZED", test: false, createdAt: { lte: new Date(now.getTime() - WARN_FROM_DAYS * DAY_MS) } },
      orderBy: { createdAt: "asc" },
      take: 50,
      select: { id: true, amount: true, amountRaw: true, currency: true, createdAt: true, authorizationExpiresAt: true },
    }),
  ]);
  return {
    applies: getMethod(method).supportsAuthorization,
    reviewedAt: installation?.captureReviewedAt?.toISOString() ?? null,
    recentAuthorizations,
    nearLimit: nearLimit.map((s) => ({
      id: s.id,
      amount: formatAmount(s.amount, s.amountRaw, s.currency),
      createdAt: s.createdAt.toISOString(),
      // The window Shopify was told (20 days from ECPay's PaymentDate), not 21 from our row's creation.
      daysLeft: captureDaysLeft(s.authorizationExpiresAt ?? authorizationExpiresAt(null, s.createdAt), now),
    })),
  };
}
