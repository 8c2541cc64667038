// fetch-based client for Shopify's Payments Apps GraphQL API (docs/shopify-payments-apps.md §3).
// There is no Shopify SDK for this API. The client never throws and never logs: the access token
// must not end up in logs, and the outbox decides what to retry from the returned error kind.
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import { postGraphql } from "./graphql-post";
import type {
  IPaymentsAppsApi,
  PaymentsApiError,
  PaymentsMutationName,
  PaymentsMutationOk,
  PaymentsMutationVariables,
} from "./payments-apps-api";

const PAYMENT_SESSION_FIELDS = `paymentSession {
      id
      state {
        __typename
        ... on PaymentSessionStateResolved { code }
        ... on PaymentSessionStateRejected { code reason merchantMessage }
        ... on PaymentSessionStatePending { code reason }
      }
      nextAction { action context { ... on PaymentSessionActionsRedirect { redirectUrl } } }
      authorizationExpiresAt
      pendingExpiresAt
    }`;

function finalSessionFields(field: "refundSession" | "captureSession" | "voidSession", type: string): string {
  return `${field} {
      id
      state {
        __typename
        ... on ${type}StateResolved { code }
        ... on ${type}StateRejected { code reason merchantMessage }
      }
    }`;
}

// paymentSessionResolve/Reject and paymentsAppConfigure return plain `UserError` (field, message);
// the other payloads return typed user errors that also carry `code` (§3.3).
const USER_ERRORS = "userErrors { field message }";
const TYPED_USER_ERRORS = "userErrors { field message code }";

/** One GraphQL document per mutation; the variables are exactly PaymentsMutationVariables[N]. */
export const PAYMENTS_MUTATION_DOCUMENTS: Record<PaymentsMutationName, string> = {
  paymentSessionResolve: `mutation PaymentSessionResolve($id: ID!, $authorizationExpiresAt: DateTime) {
  paymentSessionResolve(id: $id, authorizationExpiresAt: $authorizationExpiresAt) {
    ${PAYMENT_SESSION_FIELDS}
    ${USER_ERRORS}
  }
}`,
  paymentSessionReject: `mutation PaymentSessionReject($id: ID!, $reason: PaymentSessionRejectionReasonInput!) {
  paymentSessionReject(id: $id, reason: $reason) {
    ${PAYMENT_SESSION_FIELDS}
    ${USER_ERRORS}
  }
}`,
  paymentSessionPending: `mutation PaymentSessionPending($id: ID!, $pendingExpiresAt: DateTime!, $reason: PaymentSessionStatePendingReason!) {
  paymentSessionPending(id: $id, pendingExpiresAt: $pendingExpiresAt, reason: $reason) {
    ${PAYMENT_SESSION_FIELDS}
    ${TYPED_USER_ERRORS}
  }
}`,
  refundSessionResolve: `mutation RefundSessionResolve($id: ID!) {
  refundSessionResolve(id: $id) {
    ${finalSessionFields("refundSession", "RefundSession")}
    ${TYPED_USER_ERRORS}
  }
}`,
  refundSessionReject: `mutation RefundSessionReject($id: ID!, $reason: RefundSessionRejectionReasonInput!) {
  refundSessionReject(id: $id, reason: $reason) {
    ${finalSessionFields("refundSession", "RefundSession")}
    ${TYPED_USER_ERRORS}
  }
}`,
  captureSessionResolve: `mutation CaptureSessionResolve($id: ID!) {
  captureSessionResolve(id: $id) {
    ${finalSessionFields("captureSession", "CaptureSession")}
    ${TYPED_USER_ERRORS}
  }
}`,
  captureSessionReject: `mutation CaptureSessionReject($id: ID!, $reason: CaptureSessionRejectionReasonInput!) {
  captureSessionReject(id: $id, reason: $reason) {
    ${finalSessionFields("captureSession", "CaptureSession")}
    ${TYPED_USER_ERRORS}
  }
}`,
  voidSessionResolve: `mutation VoidSessionResolve($id: ID!) {
  voidSessionResolve(id: $id) {
    ${finalSessionFields("voidSession", "VoidSession")}
    ${TYPED_USER_ERRORS}
  }
}`,
  voidSessionReject: `mutation VoidSessionReject($id: ID!, $reason: VoidSessionRejectionReasonInput!) {
  voidSessionReject(id: $id, reason: $reason) {
    ${finalSessionFields("voidSession", "VoidSession")}
    ${TYPED_USER_ERRORS}
  }
}`,
  paymentsAppConfigure: `mutation PaymentsAppConfigure($externalHandle: String, $ready: Boolean!) {
  paymentsAppConfigure(externalHandle: $externalHandle, ready: $ready) {
    paymentsAppConfiguration { externalHandle ready }
    ${USER_ERRORS}
  }
}`,
};

/** Shopify's wording when resolve/reject/pending arrives before it got our start-session 2xx (§3.4). */
export const PREMATURE_MUTATION_MESSAGE = "the response to start_payment_session request has not been received";

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_THROTTLE_RETRY_MS = 1_000;

const userErrorSchema = z.object({
  field: z.array(z.string()).nullish(),
  message: z.string(),
  code: z.string().nullish(),
});

const graphqlErrorSchema = z.object({
  message: z.string(),
  extensions: z.object({ code: z.string().optional() }).passthrough().optional(),
});

const responseSchema = z.object({
  data: z.record(z.string(), z.unknown()).nullish(),
  errors: z.array(graphqlErrorSchema).optional(),
  extensions: z
    .object({
      cost: z
        .object({
          requestedQueryCost: z.number().optional(),
          throttleStatus: z.object({ currentlyAvailable: z.number(), restoreRate: z.number() }).partial().optional(),
        })
        .passthrough()
        .optional(),
    })
    .passthrough()
    .optional(),
});

const payloadSchema = z
  .object({
    userErrors: z.array(userErrorSchema).default([]),
    paymentSession: z
      .object({
        state: z.object({ code: z.string().nullish() }).passthrough().nullish(),
        nextAction: z
          .object({ context: z.object({ redirectUrl: z.string().nullish() }).passthrough().nullish() })
          .passthrough()
          .nullish(),
      })
      .passthrough()
      .nullish(),
    refundSession: z.object({ state: z.object({ code: z.string().nullish() }).passthrough().nullish() }).passthrough().nullish(),
    captureSession: z.object({ state: z.object({ code: z.string().nullish() }).passthrough().nullish() }).passthrough().nullish(),
    voidSession: z.object({ state: z.object({ code: z.string().nullish() }).passthrough().nullish() }).passthrough().nullish(),
  })
  .passthrough();

/** Codes that say the session is already finalized differently, or does not exist: retrying cannot help. */
const FINAL_CODE = /(INVALID_STATE|NOT_FOUND)$/;

export interface PaymentsAppsClientOptions {
  apiVersion: string;
  /** Test-only (SHOPIFY_PAYMENTS_API_ORIGIN): send to <origin>/payments_apps/... instead of https://<shop>/. */
  originOverride: string | null;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class PaymentsAppsClient implements IPaymentsAppsApi {
  private constructor(
    private readonly apiVersion: string,
    private readonly originOverride: string | null,
    private readonly timeoutMs: number,
    private readonly fetchImpl: typeof fetch,
  ) {}

  static create(options: PaymentsAppsClientOptions): PaymentsAppsClient {
    return new PaymentsAppsClient(
      options.apiVersion,
      options.originOverride ? options.originOverride.replace(/\/+$/, "") : null,
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      // Bound late so tests that stub globalThis.fetch after construction still take effect.
      options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    );
  }

  endpointFor(shop: string): string {
    const origin = this.originOverride ?? `https://${shop}`;
    return `${origin}/payments_apps/api/${this.apiVersion}/graphql.json`;
  }

  async mutate<N extends PaymentsMutationName>(
    shop: string,
    accessToken: string,
    name: N,
    variables: PaymentsMutationVariables[N],
  ): Promise<Result<PaymentsMutationOk, PaymentsApiError>> {
    const answer = await postGraphql(this.fetchImpl, this.endpointFor(shop), accessToken, { query: PAYMENTS_MUTATION_DOCUMENTS[name], variables }, this.timeoutMs);
    if (answer.isOk()) return mapResponse(name, answer.value.status, answer.value.headers, answer.value.text);
    return err({
      kind: "transient",
      status: null,
      message: answer.error.timedOut
        ? `Payments Apps API did not answer within ${this.timeoutMs} ms`
        : `Payments Apps API unreachable: ${answer.error.cause}`,
    });
  }
}


function retryAfterMs(headers: Headers): number | null {
  const value = headers.get("Retry-After");
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function snippet(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function mapResponse(
  name: PaymentsMutationName,
  status: number,
  headers: Headers,
  text: string,
): Result<PaymentsMutationOk, PaymentsApiError> {
  if (status === 401 || status === 403) {
    return err({ kind: "unauthorized", status, message: `Payments Apps API answered ${status}: ${snippet(text)}` });
  }
  if (status === 429) {
    return err({
      kind: "throttled",
      retryAfterMs: retryAfterMs(headers) ?? DEFAULT_THROTTLE_RETRY_MS,
      message: "Payments Apps API answered 429 Too Many Requests",
    });
  }
  // 400/422: Shopify refused the request itself; sending the same request again cannot succeed.
  if (status === 400 || status === 422) {
    return err({ kind: "user-error", final: true, messages: [`HTTP ${status}: ${snippet(text)}`], codes: [], data: null });
  }
  // 5xx and the remaining 4xx (402 frozen shop, 404, 423 locked shop) can clear up later.
  if (status < 200 || status >= 300) {
    return err({ kind: "transient", status, message: `Payments Apps API answered ${status}: ${snippet(text)}` });
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err({ kind: "transient", status, message: `Payments Apps API answered non-JSON: ${snippet(text)}` });
  }
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success) {
    return err({ kind: "transient", status, message: `Unexpected Payments Apps API response: ${snippet(text)}` });
  }
  const body = parsed.data;

  if (body.errors && body.errors.length > 0) {
    const codes = body.errors.map((e) => e.extensions?.code ?? "");
    const messages = body.errors.map((e) => e.message);
    if (codes.includes("THROTTLED")) {
      const cost = body.extensions?.cost;
      const available = cost?.throttleStatus?.currentlyAvailable;
      const rate = cost?.throttleStatus?.restoreRate;
      const requested = cost?.requestedQueryCost;
      const computed =
        available !== undefined && rate && requested !== undefined
          ? Math.ceil((Math.max(0, requested - available) / rate) * 1000)
          : null;
      return err({
        kind: "throttled",
        retryAfterMs: retryAfterMs(headers) ?? computed ?? DEFAULT_THROTTLE_RETRY_MS,
        message: messages.join("; "),
      });
    }
    if (codes.includes("ACCESS_DENIED") || codes.includes("UNAUTHORIZED")) {
      return err({ kind: "unauthorized", status, message: messages.join("; ") });
    }
    if (codes.includes("INTERNAL_SERVER_ERROR")) {
      return err({ kind: "transient", status, message: messages.join("; ") });
    }
    // Validation errors in our own document: no retry will change them.
    return err({ kind: "user-error", final: true, messages, codes: codes.filter(Boolean), data: body.data ?? null });
  }

  const payload = payloadSchema.safeParse(body.data?.[name]);
  if (!payload.success || body.data?.[name] == null) {
    return err({ kind: "transient", status, message: `Payments Apps API returned no ${name} payload: ${snippet(text)}` });
  }
  const data = payload.data;
  if (data.userErrors.length > 0) {
    const messages = data.userErrors.map((e) => e.message);
    const codes = data.userErrors.map((e) => e.code).filter((c): c is string => typeof c === "string");
    return err({ kind: "user-error", final: isFinalUserError(messages, codes), messages, codes, data: body.data });
  }

  const session = data.paymentSession ?? data.refundSession ?? data.captureSession ?? data.voidSession ?? null;
  const cost = body.extensions?.cost;
  const available = cost?.throttleStatus?.currentlyAvailable;
  const restoreRate = cost?.throttleStatus?.restoreRate;
  const requested = cost?.requestedQueryCost;
  return ok({
    nextActionUrl: data.paymentSession?.nextAction?.context?.redirectUrl ?? null,
    stateCode: session?.state?.code ?? null,
    data: body.data,
    budget: available !== undefined && restoreRate && requested !== undefined ? { requested, available, restoreRate } : null,
  });
}

/**
 * A user error is final unless Shopify says it has not yet received our start-session response:
 * that one clears once Shopify records the 2xx, so the outbox retries it (§3.4, §6 pitfall 10).
 */
export function isFinalUserError(messages: readonly string[], codes: readonly string[]): boolean {
  if (codes.some((code) => FINAL_CODE.test(code))) return true;
  return !messages.some((message) => message.includes(PREMATURE_MUTATION_MESSAGE));
}
