// A buyer's checkout over real HTTP on a payment stack: the Shopify simulator sends the session
// request, the buyer opens our hand-off page and posts its form to the ECPay emulator; and the
// probes the flow tests share (what Shopify accepted, signed ECPay messages to our endpoints).
import { expect } from "vitest";
import { computeCheckMacValue } from "~/ecpay/check-mac-value";
import { encodeFormBody } from "~/ecpay/form-body";
import type { MethodHandle } from "~/payments/methods";
import type { GraphqlCall } from "../simulators/shopify";
import { PRODUCTION_MERCHANT, SHOP, openHandOff, submitToEcpay, type PaymentStack } from "./payment-stack";

export const DESKTOP_BROWSER = { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120" };

export interface CheckoutOptions {
  test?: boolean;
  kind?: "sale" | "authorization";
  amount?: number;
  checkoutToken?: string;
}

export function checkoutFlow(stack: () => PaymentStack) {
  /** Shopify starts the session; the buyer's browser opens the hand-off page and posts to ECPay. */
  async function startAndHandOff(method: MethodHandle, options: CheckoutOptions = {}) {
    const started = await stack().shopify.startPayment(SHOP, method, { test: false, kind: "sale", amount: 1280, ...options });
    expect(started.ok, JSON.stringify(started.request)).toBe(true);
    const form = await openHandOff(started.redirectUrl!, { headers: DESKTOP_BROWSER });
    const ecpay = await submitToEcpay(form);
    expect(ecpay.status, await ecpay.clone().text()).toBe(302);
    return { started, form, paymentId: started.session.id, gid: started.session.gid, merchantTradeNo: form.fields.MerchantTradeNo! };
  }

  /** Mutation calls Shopify accepted for a session (200 without user errors). */
  const acceptedCalls = (gid: string): GraphqlCall[] =>
    stack()
      .shopify.callsFor(gid)
      .filter((call) => call.status === 200 && !JSON.stringify(call.response).includes('"userErrors":[{'));

  const mutationsFor = (gid: string) => acceptedCalls(gid).flatMap((call) => call.mutations);

  /** The calls that changed Shopify's state (replays of an already-applied mutation do not). */
  const appliedMutations = (gid: string) =>
    stack()
      .shopify.callsFor(gid)
      .filter((call) => call.applied)
      .flatMap((call) => call.mutations);

  function waitForMutation(gid: string, mutation: string, timeoutMs = 10_000) {
    return stack().shopify.waitFor(() => acceptedCalls(gid).find((c) => c.mutations.includes(mutation)), {
      timeoutMs,
      message: `${mutation} for ${gid}: saw ${mutationsFor(gid).join(", ")}`,
    });
  }

  function postEcpay(path: string, body: string) {
    return fetch(`${stack().server.origin}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
  }

  return { startAndHandOff, acceptedCalls, mutationsFor, appliedMutations, waitForMutation, postEcpay };
}

/** An ECPay message signed with the merchant's keys (production by default). */
export function signedEcpayBody(fields: Record<string, string>, keys: { hashKey: string; hashIv: string } = PRODUCTION_MERCHANT) {
  return encodeFormBody({ ...fields, CheckMacValue: computeCheckMacValue(fields, keys) });
}
