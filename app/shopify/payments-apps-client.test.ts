import { describe, expect, it, vi } from "vitest";
import { PAYMENTS_MUTATION_DOCUMENTS, PaymentsAppsClient, isFinalUserError } from "./payments-apps-client";
import type { PaymentsMutationName } from "./payments-apps-api";

const SHOP = "ecpay-test.myshopify.com";
const TOKEN = "shpat_secret_token_value";
const GID = "gid://shopify/PaymentSession/u0nwmSrNntjIWozmNslK5Tlq";

function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

function stubFetch(response: Response | (() => Promise<Response>)) {
  const fn = vi.fn<typeof fetch>(async () => (typeof response === "function" ? response() : response.clone()));
  return fn;
}

function resolvedPayload(state: Record<string, unknown>, redirectUrl: string | null) {
  return {
    data: {
      paymentSessionResolve: {
        paymentSession: {
          id: GID,
          state,
          nextAction: redirectUrl ? { action: "REDIRECT", context: { redirectUrl } } : null,
          authorizationExpiresAt: null,
          pendingExpiresAt: null,
        },
        userErrors: [],
      },
    },
  };
}

describe("PaymentsAppsClient", () => {
  it("posts the resolve document to https://<shop>/payments_apps/api/<version>/graphql.json with the token header", async () => {
    const fetchFn = stubFetch(jsonResponse(resolvedPayload({ __typename: "PaymentSessionStateResolved", code: "RESOLVED" }, "https://shop/thank-you")));
    const client = PaymentsAppsClient.create({ apiVersion: "2026-07", originOverride: null, fetch: fetchFn });

    await client.mutate(SHOP, TOKEN, "paymentSessionResolve", { id: GID, authorizationExpiresAt: "2026-12-01T00:00:00Z" });

    expect(fetchFn).toHaveBeenCalledTimes(1);
    const [url, init] = fetchFn.mock.calls[0]!;
    expect(url).toBe(`https://${SHOP}/payments_apps/api/2026-07/graphql.json`);
    expect(init?.method).toBe("POST");
    const headers = init?.headers as Record<string, string>;
    expect(headers["Content-Type"]).toBe("application/json");
    expect(headers["X-Shopify-Access-Token"]).toBe(TOKEN);
    const body = JSON.parse(String(init?.body)) as { query: string; variables: unknown };
    expect(body.variables).toEqual({ id: GID, authorizationExpiresAt: "2026-12-01T00:00:00Z" });
    expect(body.query).toBe(PAYMENTS_MUTATION_DOCUMENTS.paymentSessionResolve);
    expect(body.query).toContain("paymentSessionResolve(id: $id, authorizationExpiresAt: $authorizationExpiresAt)");
    expect(body.query).toContain("... on PaymentSessionActionsRedirect { redirectUrl }");
  });

  it("sends to the override origin when SHOPIFY_PAYMENTS_API_ORIGIN is set", async () => {
    const fetchFn = stubFetch(jsonResponse(resolvedPayload({ code: "RESOLVED" }, null)));
    const client = PaymentsAppsClient.create({ apiVersion: "2026-07", originOverride: "http://127.0.0.1:4555/", fetch: fetchFn });
    await client.mutate(SHOP, TOKEN, "paymentSessionResolve", { id: GID });
    expect(fetchFn.mock.calls[0]![0]).toBe("http://127.0.0.1:4555/payments_apps/api/2026-07/graphql.json");
  });

  it("returns the nextAction redirect URL and state code of a resolved payment session", async () => {
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: stubFetch(jsonResponse(resolvedPayload({ __typename: "PaymentSessionStateResolved", code: "RESOLVED" }, "https://shop/orders/1"))),
    });
    const result = await client.mutate(SHOP, TOKEN, "paymentSessionResolve", { id: GID });
    expect(result.isOk()).toBe(true);
    const value = result._unsafeUnwrap();
    expect(value.nextActionUrl).toBe("https://shop/orders/1");
    expect(value.stateCode).toBe("RESOLVED");
  });

  it("reads the state code of refund, capture and void sessions", async () => {
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: stubFetch(
        jsonResponse({
          data: {
            refundSessionReject: {
              refundSession: { id: "gid://shopify/RefundSession/abc", state: { __typename: "RefundSessionStateRejected", code: "REJECTED" } },
              userErrors: [],
            },
          },
        }),
      ),
    });
    const result = await client.mutate(SHOP, TOKEN, "refundSessionReject", {
      id: "gid://shopify/RefundSession/abc",
      reason: { code: "PROCESSING_ERROR", merchantMessage: "請聯絡買家" },
    });
    expect(result._unsafeUnwrap()).toMatchObject({ stateCode: "REJECTED", nextActionUrl: null });
  });

  it("selects code only on the typed user errors, never on plain UserError", () => {
    const plain: PaymentsMutationName[] = ["paymentSessionResolve", "paymentSessionReject", "paymentsAppConfigure"];
    for (const name of Object.keys(PAYMENTS_MUTATION_DOCUMENTS) as PaymentsMutationName[]) {
      const document = PAYMENTS_MUTATION_DOCUMENTS[name];
      expect(document).toContain(`${name}(`);
      if (plain.includes(name)) expect(document).toContain("userErrors { field message }");
      else expect(document).toContain("userErrors { field message code }");
    }
    expect(PAYMENTS_MUTATION_DOCUMENTS.paymentsAppConfigure).toContain("paymentsAppConfiguration { externalHandle ready }");
    expect(PAYMENTS_MUTATION_DOCUMENTS.captureSessionResolve).toContain("captureSession {");
    expect(PAYMENTS_MUTATION_DOCUMENTS.voidSessionReject).toContain("... on VoidSessionStateRejected { code reason merchantMessage }");
  });

  it("maps a user error about a differently finalized session to a final user-error", async () => {
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: stubFetch(
        jsonResponse({
          data: {
            paymentSessionReject: { paymentSession: null, userErrors: [{ field: ["id"], message: "Payment session has already been resolved." }] },
          },
        }),
      ),
    });
    const result = await client.mutate(SHOP, TOKEN, "paymentSessionReject", { id: GID, reason: { code: "PROCESSING_ERROR" } });
    expect(result._unsafeUnwrapErr()).toMatchObject({
      kind: "user-error",
      final: true,
      messages: ["Payment session has already been resolved."],
      codes: [],
    });
  });

  it("maps the start_payment_session-not-received user error to a retryable user-error", async () => {
    const message =
      "Payment session has already been resolved with a different authentication, has already been rejected, or the response to start_payment_session request has not been received.";
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: stubFetch(jsonResponse({ data: { paymentSessionResolve: { paymentSession: null, userErrors: [{ field: null, message }] } } })),
    });
    const result = await client.mutate(SHOP, TOKEN, "paymentSessionResolve", { id: GID });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "user-error", final: false, messages: [message] });
  });

  it("treats INVALID_STATE and NOT_FOUND codes as final", async () => {
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: stubFetch(
        jsonResponse({
          data: {
            captureSessionResolve: {
              captureSession: null,
              userErrors: [{ field: ["id"], message: "Capture session has already been rejected.", code: "CAPTURE_SESSION_INVALID_STATE" }],
            },
          },
        }),
      ),
    });
    const result = await client.mutate(SHOP, TOKEN, "captureSessionResolve", { id: "gid://shopify/CaptureSession/x" });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "user-error", final: true, codes: ["CAPTURE_SESSION_INVALID_STATE"] });
    expect(isFinalUserError(["anything"], ["REFUND_SESSION_NOT_FOUND"])).toBe(true);
    expect(isFinalUserError(["x the response to start_payment_session request has not been received."], ["PENDING_INVALID_STATE"])).toBe(true);
  });

  it.each([401, 403])("maps HTTP %i to unauthorized", async (status) => {
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: stubFetch(jsonResponse({ errors: "[API] Invalid API key or access token" }, status)),
    });
    const result = await client.mutate(SHOP, TOKEN, "paymentSessionResolve", { id: GID });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "unauthorized", status });
  });

  it("maps HTTP 429 to throttled and honours Retry-After", async () => {
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: stubFetch(jsonResponse({ errors: "Throttled" }, 429, { "Retry-After": "2.5" })),
    });
    const result = await client.mutate(SHOP, TOKEN, "paymentSessionResolve", { id: GID });
    expect(result._unsafeUnwrapErr()).toEqual({ kind: "throttled", retryAfterMs: 2500, message: expect.any(String) });
  });

  it("maps a THROTTLED GraphQL error to throttled, waiting for the cost to restore", async () => {
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: stubFetch(
        jsonResponse({
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
          extensions: { cost: { requestedQueryCost: 110, throttleStatus: { currentlyAvailable: 10, restoreRate: 50 } } },
        }),
      ),
    });
    const result = await client.mutate(SHOP, TOKEN, "paymentSessionResolve", { id: GID });
    expect(result._unsafeUnwrapErr()).toEqual({ kind: "throttled", retryAfterMs: 2000, message: "Throttled" });
  });

  it.each([500, 502, 503])("maps HTTP %i to transient", async (status) => {
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: stubFetch(new Response("upstream error", { status })),
    });
    const result = await client.mutate(SHOP, TOKEN, "paymentSessionResolve", { id: GID });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "transient", status });
  });

  it("maps a network failure to transient without throwing", async () => {
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: vi.fn<typeof fetch>(async () => {
        throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") });
      }),
    });
    const result = await client.mutate(SHOP, TOKEN, "paymentSessionResolve", { id: GID });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "transient", status: null, message: expect.stringContaining("ECONNREFUSED") });
  });

  it("aborts after the timeout and maps it to transient", async () => {
    const fetchFn = vi.fn<typeof fetch>(
      (_input, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        }),
    );
    const client = PaymentsAppsClient.create({ apiVersion: "2026-07", originOverride: null, timeoutMs: 30, fetch: fetchFn });
    const started = Date.now();
    const result = await client.mutate(SHOP, TOKEN, "paymentSessionResolve", { id: GID });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "transient", status: null, message: expect.stringContaining("30 ms") });
  });

  it("maps a 200 without the mutation payload to transient", async () => {
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: stubFetch(jsonResponse({ data: { paymentSessionResolve: null } })),
    });
    const result = await client.mutate(SHOP, TOKEN, "paymentSessionResolve", { id: GID });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "transient" });
  });

  it("maps a GraphQL validation error to a final user-error", async () => {
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: stubFetch(jsonResponse({ errors: [{ message: "Field 'code' doesn't exist on type 'UserError'", extensions: { code: "undefinedField" } }] })),
    });
    const result = await client.mutate(SHOP, TOKEN, "paymentSessionResolve", { id: GID });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "user-error", final: true, codes: ["undefinedField"] });
  });

  it("never puts the access token into an error message", async () => {
    const client = PaymentsAppsClient.create({
      apiVersion: "2026-07",
      originOverride: null,
      fetch: vi.fn<typeof fetch>(async () => {
        throw new Error("boom");
      }),
    });
    const result = await client.mutate(SHOP, TOKEN, "paymentsAppConfigure", { externalHandle: "3002607", ready: true });
    expect(JSON.stringify(result._unsafeUnwrapErr())).not.toContain(TOKEN);
  });
});
