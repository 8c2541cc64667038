// What one chaos checkout does, decided up front from the seed, and the buyer/merchant steps that
// carry it out over real HTTP (Shopify simulator → server → ECPay emulator → server → Shopify).
import { METHOD_HANDLES, PAYMENT_METHODS, type MethodHandle } from "~/payments/methods";
import type { EcpayEmulator } from "../emulators/ecpay";
import type { ShopifySimulator } from "../simulators/shopify";
import { openHandOff, submitToEcpay, SHOP } from "../support/payment-stack";
import { sleep, type Rng } from "./rng";

export type BuyerOutcome = "pay" | "cancel" | "abandon" | "atm-expire";
export type OperationStep =
  | { type: "capture"; part: "full" | "half" }
  | { type: "void" }
  | { type: "refund"; part: "full" | "half" | "rest" };

export interface CheckoutPlan {
  index: number;
  method: MethodHandle;
  test: boolean;
  kind: "sale" | "authorization";
  amount: number;
  outcome: BuyerOutcome;
  /** ATM: pay before the PaymentInfoURL notification arrives (the two are delayed and reordered). */
  reorder: boolean;
  operations: OperationStep[];
}

export interface OperationRecord {
  step: OperationStep;
  /** Shopify's refund/capture/void session gid, when the request was sent. */
  gid: string | null;
  /** Amount asked, whole TWD. */
  amount: number;
  /** Shopify's final word: resolved, rejected, or what it was still waiting for. */
  shopifyStatus: string;
  merchantMessage: string | null;
}

export interface CheckoutRecord {
  plan: CheckoutPlan;
  paymentId: string | null;
  gid: string | null;
  merchantTradeNos: string[];
  /** How far the buyer got. */
  stage: "start-failed" | "handoff-failed" | "at-ecpay" | "done";
  /** The simulator's final mutation for the payment session when the buyer's part ended. */
  shopifyFinal: string | null;
  operations: OperationRecord[];
  errors: string[];
  /** Milliseconds spent in each phase (start, hand-off, buyer, shopify, operations). */
  timings: Record<string, number>;
}

export function planCheckout(rng: Rng, index: number): CheckoutPlan {
  const method = METHOD_HANDLES[index % METHOD_HANDLES.length]!;
  const def = PAYMENT_METHODS[method];
  const kind = def.supportsAuthorization && rng.chance(0.5) ? "authorization" : "sale";
  const test = rng.chance(0.1);
  const amount = 100 + rng.int(4_900);
  const roll = rng.next();
  let outcome: BuyerOutcome;
  if (method === "atm") outcome = roll < 0.12 ? "atm-expire" : roll < 0.18 ? "abandon" : "pay";
  else outcome = roll < 0.05 ? "cancel" : roll < 0.1 ? "abandon" : "pay";
  const operations: OperationStep[] = [];
  if (outcome === "pay") {
    if (kind === "authorization") {
      const choice = rng.next();
      if (choice < 0.45) operations.push({ type: "capture", part: method === "credit" && rng.chance(0.4) ? "half" : "full" });
      else if (choice < 0.75) operations.push({ type: "void" });
      if (operations[0]?.type === "capture" && rng.chance(0.4)) operations.push({ type: "refund", part: def.refund === "partial" && rng.chance(0.5) ? "half" : "rest" });
    } else if (rng.chance(0.45)) {
      // Refunds for ATM, WebATM, TWQR and WeChat Pay must be refused with the merchant message.
      const partial = def.refund === "partial" && rng.chance(0.5);
      operations.push({ type: "refund", part: partial ? "half" : "full" });
      if (partial && rng.chance(0.5)) operations.push({ type: "refund", part: "rest" });
    }
  }
  return { index, method, test, kind, amount, outcome, reorder: method === "atm" && outcome === "pay" && rng.chance(0.3), operations };
}

/** ECPay's stage has no UnionPay: such a test session must be rejected, never handed off. */
export const stageUnsupported = (plan: Pick<CheckoutPlan, "method" | "test">) => plan.test && PAYMENT_METHODS[plan.method].ecpay.extra.UnionPay === "1";

export interface DriveContext {
  shopify: ShopifySimulator;
  stage: EcpayEmulator;
  production: EcpayEmulator;
  /** Make an ATM session's deadline pass (our record: pendingExpiresAt in the past). */
  expireAtmDeadline(paymentId: string): Promise<void>;
  /** Longest wait for one outcome (Shopify told, operation answered). */
  waitMs: number;
  /** Set a notification delay on ECPay for a moment (to reorder ATM notifications). */
  withNotificationDelay<T>(emulator: EcpayEmulator, ms: number, run: () => Promise<T>): Promise<T>;
}

const DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36";

async function retrying<T>(what: string, run: () => Promise<T>, attempts = 100, delayMs = 300): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i += 1) {
    try {
      return await run();
    } catch (error) {
      last = error;
      await sleep(delayMs);
    }
  }
  throw new Error(`${what}: ${last instanceof Error ? last.message : String(last)}`);
}

async function waitFor<T>(probe: () => T | null | undefined | false, timeoutMs: number, intervalMs = 100): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) return null;
    await sleep(intervalMs);
  }
}

export async function driveCheckout(ctx: DriveContext, plan: CheckoutPlan): Promise<CheckoutRecord> {
  const record: CheckoutRecord = { plan, paymentId: null, gid: null, merchantTradeNos: [], stage: "start-failed", shopifyFinal: null, operations: [], errors: [], timings: {} };
  let mark = Date.now();
  const lap = (phase: string) => {
    const now = Date.now();
    record.timings[phase] = (record.timings[phase] ?? 0) + (now - mark);
    mark = now;
  };
  const ecpay = plan.test ? ctx.stage : ctx.production;
  const started = await ctx.shopify.startPayment(SHOP, plan.method, { test: plan.test, kind: plan.kind, amount: plan.amount });
  lap("start");
  record.paymentId = started.session.id;
  record.gid = started.session.gid;
  if (!started.ok || !started.redirectUrl) {
    record.errors.push(`start: ${started.request.failureReason ?? "not accepted"}`);
    return record;
  }
  const redirectUrl = started.redirectUrl;
  if (stageUnsupported(plan)) {
    // Rejected through Shopify at once: there is nothing to hand off.
    const final = await waitFor(() => ctx.shopify.paymentSession(started.session.id)?.finalMutation, ctx.waitMs);
    lap("shopify");
    record.shopifyFinal = final ?? null;
    record.stage = "done";
    if (final !== "paymentSessionReject") record.errors.push(`a test UnionPay session got ${final ?? "no final mutation"}`);
    return record;
  }
  let form: Awaited<ReturnType<typeof openHandOff>>;
  try {
    const submit = async () =>
      retrying("hand-off", async () => {
        const opened = await openHandOff(redirectUrl, { headers: { "User-Agent": DESKTOP_UA } });
        record.merchantTradeNos.push(opened.fields.MerchantTradeNo!);
        const answer = await submitToEcpay(opened);
        if (answer.status !== 302) throw new Error(`ECPay answered ${answer.status}`);
        return opened;
      });
    form = plan.reorder ? await ctx.withNotificationDelay(ecpay, 1_500, submit) : await submit();
  } catch (error) {
    record.stage = "handoff-failed";
    record.errors.push(String(error));
    return record;
  }
  lap("handoff");
  record.stage = "at-ecpay";
  const merchantTradeNo = form.fields.MerchantTradeNo!;
  const session = () => ctx.shopify.paymentSession(started.session.id);

  switch (plan.outcome) {
    case "pay":
      if (plan.method === "atm" && !plan.reorder) {
        if (!(await waitFor(() => session()?.wasPending || session()?.finalMutation, ctx.waitMs))) record.errors.push("ATM never pending");
      }
      await retrying("pay", () => ecpay.pay(merchantTradeNo), 5);
      break;
    case "cancel": {
      const order = ecpay.order(merchantTradeNo);
      if (order) await fetch(`${ecpay.origin}/Emulator/Payment/${order.tradeNo}/cancel`, { method: "POST", redirect: "manual" });
      break;
    }
    case "abandon":
      break;
    case "atm-expire":
      if (!(await waitFor(() => session()?.wasPending, ctx.waitMs))) record.errors.push("ATM never pending");
      ecpay.expireAtm(merchantTradeNo);
      await ctx.expireAtmDeadline(started.session.id);
      break;
  }
  lap("buyer");
  if (plan.outcome === "pay" || plan.outcome === "atm-expire") {
    const final = await waitFor(() => session()?.finalMutation, ctx.waitMs);
    record.shopifyFinal = final ?? null;
    if (!final) record.errors.push(`Shopify never got a final mutation (state ${session()?.state.code})`);
  }
  lap("shopify");
  record.stage = "done";
  if (record.shopifyFinal !== "paymentSessionResolve") return record;

  for (const step of plan.operations) {
    const order = ctx.shopify.orderForPayment(started.session.gid);
    if (!order) {
      record.errors.push("no order for a resolved payment");
      break;
    }
    const op: OperationRecord = { step, gid: null, amount: 0, shopifyStatus: "not-sent", merchantMessage: null };
    record.operations.push(op);
    try {
      let result;
      if (step.type === "capture") {
        op.amount = step.part === "half" ? Math.floor(order.capturable / 200) : order.capturable / 100;
        result = await ctx.shopify.capture(order.id, op.amount);
      } else if (step.type === "void") {
        op.amount = order.capturable / 100;
        result = await ctx.shopify.void(order.id);
      } else {
        if (order.refundable <= 0) {
          op.shopifyStatus = "nothing-to-refund";
          continue;
        }
        op.amount = step.part === "half" ? Math.max(1, Math.floor(order.refundable / 200)) : order.refundable / 100;
        result = await ctx.shopify.refund(order.id, op.amount);
      }
      op.gid = result.session.gid;
      const id = result.session.id;
      const done = await waitFor(() => {
        const s = ctx.shopify.financialSession(id);
        return s && (s.status === "resolved" || s.status === "rejected" || s.status === "delivery-failed") ? s : null;
      }, ctx.waitMs);
      const fin = ctx.shopify.financialSession(id);
      op.shopifyStatus = done?.status ?? `waiting (${fin?.status ?? "unknown"})`;
      op.merchantMessage = fin?.reject?.merchantMessage ?? null;
      if (!done) record.errors.push(`${step.type} never answered`);
      lap(step.type);
    } catch (error) {
      op.shopifyStatus = "simulator-refused";
      record.errors.push(`${step.type}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return record;
}
