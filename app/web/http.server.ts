// Small helpers shared by the thin routes.
import { err, ok, type Result } from "neverthrow";
import { isMethodHandle, type MethodHandle } from "../payments/methods";

/** A route's `$method` param as a method handle, or a 404 Response naming the valid ones. */
export function requireMethodParam(value: string | undefined): MethodHandle {
  if (!isMethodHandle(value)) {
    throw new Response(`Unknown payment method "${value ?? ""}"`, {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  return value;
}

export function jsonResponse(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  });
}

export function textResponse(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

export function notImplemented(what: string): Response {
  return textResponse(`${what} is not implemented yet`, 501);
}

export function methodNotAllowed(allow: string): Response {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: allow } });
}

export interface BodyError {
  status: 400 | 413 | 415;
  message: string;
}

const MAX_BODY_BYTES = 64 * 1024;

/**
 * The body as text, read as a stream and abandoned past the limit: a chunked body has no
 * Content-Length for the Express guard to check, and request.text() would buffer all of it.
 */
async function readLimited(request: Request): Promise<Result<string, BodyError>> {
  if (!request.body) return ok("");
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return err({ status: 413, message: "Request body too large" });
    }
    chunks.push(value);
  }
  return ok(Buffer.concat(chunks).toString("utf8"));
}

/** The raw text of a JSON body (for parsers that want the exact bytes), with the same checks. */
export async function readJsonText(request: Request): Promise<Result<string, BodyError>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) return err({ status: 415, message: "Content-Type must be application/json" });
  const text = await readLimited(request);
  return text.isOk() && containsNul(text.value, "json") ? err(NUL_REFUSED) : text;
}

/**
 * A NUL character is in no field Shopify or ECPay sends, and PostgreSQL cannot store or even
 * compare one (the query fails): refuse it as malformed input instead of answering 500.
 */
export function containsNul(text: string, encoding: "json" | "form"): boolean {
  return text.includes("\u0000") || (encoding === "json" ? /\\u0000/i.test(text) : text.includes("%00"));
}

const NUL_REFUSED: BodyError = { status: 400, message: "NUL characters are not allowed" };

/** A JSON body, refusing other content types and malformed JSON with a clear 4xx. */
export async function readJsonBody(request: Request): Promise<Result<unknown, BodyError>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) return err({ status: 415, message: "Content-Type must be application/json" });
  const text = await readLimited(request);
  if (text.isErr()) return err(text.error);
  if (containsNul(text.value, "json")) return err(NUL_REFUSED);
  try {
    return ok(JSON.parse(text.value) as unknown);
  } catch {
    return err({ status: 400, message: "Malformed JSON body" });
  }
}

/** The raw x-www-form-urlencoded body as sent (ECPay signs what it posts; we verify that exact text). */
export async function readFormBody(request: Request): Promise<Result<string, BodyError>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    return err({ status: 415, message: "Content-Type must be application/x-www-form-urlencoded" });
  }
  const text = await readLimited(request);
  return text.isOk() && containsNul(text.value, "form") ? err(NUL_REFUSED) : text;
}
