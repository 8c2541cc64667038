// The one shape of a request we refuse (Shopify's, ECPay's, a browser's): the HTTP status, a stable
// code for logs and tests, and a message the caller can read. Use cases return it as the error of
// a neverthrow Result; routes turn it into a Response with refusalResponse, and nowhere else.
// Pure: no imports, so the parsers and the domain can use it as well as the routes.

export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503;

export type RefusalCode =
  /** A header, body field or JSON/form syntax we cannot accept. */
  | "MALFORMED"
  | "BODY_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  /** The request did not come through the verified mTLS terminator. */
  | "MTLS_UNVERIFIED"
  /** The shop cannot take it: app not installed, or no ECPay binding. */
  | "NOT_INSTALLED"
  | "NOT_BOUND"
  /** What the request names does not exist here. */
  | "UNKNOWN"
  /** Shopify reused an id for a different request, or it belongs to another shop or app. */
  | "CONFLICT"
  /** Well-formed, but names something it may not act on (another shop's or method's payment). */
  | "MISMATCH";

export interface HttpRefusal {
  readonly status: RefusalStatus;
  readonly code: RefusalCode;
  readonly message: string;
}

export const refusal = <S extends RefusalStatus>(status: S, code: RefusalCode, message: string): HttpRefusal & { readonly status: S } => ({
  status,
  code,
  message,
});

/**
 * How each caller reads a refusal: Shopify's session endpoint and browsers get the message as text,
 * Shopify's refund/capture/void endpoints `{"error": message}`, ECPay `0|message` (never "1|OK", so it
 * resends).
 */
export type RefusalFormat = "text" | "json" | "ecpay";

/** The Response for a refusal; `headers` are added (e.g. Connection: close). */
export function refusalResponse(refused: HttpRefusal, format: RefusalFormat, headers: Record<string, string> = {}): Response {
  const [body, type] =
    format === "json"
      ? [JSON.stringify({ error: refused.message }), "application/json; charset=utf-8"]
      : [format === "ecpay" ? `0|${refused.message}` : refused.message, "text/plain; charset=utf-8"];
  return new Response(body, { status: refused.status, headers: { "Content-Type": type, ...headers } });
}
