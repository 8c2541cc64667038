// The port through which use cases and the outbox reach Shopify's Payments Apps GraphQL API
// (docs/shopify-payments-apps.md §3). The implementation never throws across this boundary.
import type { Result } from "neverthrow";

export type PaymentsMutationName =
  | "paymentSessionResolve"
  | "paymentSessionReject"
  | "paymentSessionPending"
  | "refundSessionResolve"
  | "refundSessionReject"
  | "captureSessionResolve"
  | "captureSessionReject"
  | "voidSessionResolve"
  | "voidSessionReject"
  | "paymentsAppConfigure";

/** Variables of each mutation, exactly as the GraphQL documents declare them. */
export interface PaymentsMutationVariables {
  paymentSessionResolve: { id: string; authorizationExpiresAt?: string };
  paymentSessionReject: { id: string; reason: { code: string; merchantMessage?: string } };
  paymentSessionPending: { id: string; pendingExpiresAt: string; reason: "BUYER_ACTION_REQUIRED" | "NETWORK_ACTION_REQUIRED" | "PARTNER_ACTION_REQUIRED" };
  refundSessionResolve: { id: string };
  refundSessionReject: { id: string; reason: { code: "PROCESSING_ERROR"; merchantMessage?: string } };
  captureSessionResolve: { id: string };
  captureSessionReject: { id: string; reason: { code: "AUTHORIZATION_EXPIRED" | "PROCESSING_ERROR"; merchantMessage?: string } };
  voidSessionResolve: { id: string };
  voidSessionReject: { id: string; reason: { code: "PROCESSING_ERROR"; merchantMessage?: string } };
  paymentsAppConfigure: { externalHandle?: string | null; ready: boolean };
}

export interface PaymentsMutationOk {
  /** paymentSession.nextAction.context.redirectUrl for payment-session mutations. */
  nextActionUrl: string | null;
  /** The state code Shopify reports after the mutation (RESOLVED, REJECTED, PENDING, ...). */
  stateCode: string | null;
  /** The raw `data` object, for the timeline. */
  data: unknown;
  /** Shopify's throttling bucket after this call (extensions.cost), when it said: the outbox paces a token by it. */
  budget?: { requested: number; available: number; restoreRate: number } | null;
}

/**
 * - user-error: Shopify refused the mutation (userErrors); `final` when no retry can change it
 *   (e.g. a different mutation already finalized the session)
 * - unauthorized: 401/403: the token is gone (uninstalled) or lacks scope
 * - throttled: 429 or THROTTLED: retry after `retryAfterMs`
 * - transient: 5xx, timeout, network: retry
 */
export type PaymentsApiError =
  | { kind: "user-error"; final: boolean; messages: string[]; codes: string[]; data: unknown }
  | { kind: "unauthorized"; status: number; message: string }
  | { kind: "throttled"; retryAfterMs: number; message: string }
  | { kind: "transient"; status: number | null; message: string };

export interface IPaymentsAppsApi {
  mutate<N extends PaymentsMutationName>(
    shop: string,
    accessToken: string,
    name: N,
    variables: PaymentsMutationVariables[N],
  ): Promise<Result<PaymentsMutationOk, PaymentsApiError>>;
}
