// Small helpers shared by the thin routes.
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
