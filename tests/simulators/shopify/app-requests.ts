// The requests Shopify sends to a payments app (docs §2.1–§2.4): payment sessions expect 2xx with
// {redirect_url} under 8192 bytes; refund, capture and void expect 201. Failures are retried
// "several times" (Shopify's exact schedule is unconfirmed, so it is configurable here).
import { randomUUID } from "node:crypto";
import type { MethodHandle } from "../../../app/payments/methods";

export type AppRequestKind = "payment" | "refund" | "capture" | "void";

export interface AppRequestAttempt {
  at: string;
  requestId: string;
  status: number | null;
  error: string | null;
  responseBody: string;
}

export interface AppRequestRecord {
  seq: number;
  kind: AppRequestKind;
  shop: string;
  method: MethodHandle;
  url: string;
  /** Headers of the first attempt (Shopify-Request-Id differs per attempt). */
  headers: Record<string, string>;
  body: Record<string, unknown>;
  attempts: AppRequestAttempt[];
  outcome: "in-flight" | "accepted" | "failed";
  /** For payment sessions: the redirect_url the app answered. */
  redirectUrl: string | null;
  failureReason: string | null;
}

export interface AppRequestSenderOptions {
  appOrigin: string;
  apiVersion: string;
  /** Extra attempts after the first. */
  retries: number;
  retryDelayMs: number;
  timeoutMs: number;
  now: () => Date;
}

const PATHS: Record<AppRequestKind, string> = { payment: "session", refund: "refund", capture: "capture", void: "void" };
const MAX_REDIRECT_URL_BYTES = 8192;

type Verdict = { ok: true; redirectUrl: string | null } | { ok: false; reason: string };

function judge(kind: AppRequestKind, status: number, text: string): Verdict {
  if (kind !== "payment") {
    return status === 201 ? { ok: true, redirectUrl: null } : { ok: false, reason: `expected HTTP 201, got ${status}` };
  }
  if (status < 200 || status >= 300) return { ok: false, reason: `expected HTTP 2xx, got ${status}` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "response body is not JSON" };
  }
  const redirectUrl = (json as { redirect_url?: unknown } | null)?.redirect_url;
  if (typeof redirectUrl !== "string" || redirectUrl.length === 0) return { ok: false, reason: "response has no redirect_url" };
  if (Buffer.byteLength(redirectUrl) >= MAX_REDIRECT_URL_BYTES) return { ok: false, reason: "redirect_url is 8192 bytes or longer" };
  try {
    const url = new URL(redirectUrl);
    if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "redirect_url is not http(s)" };
  } catch {
    return { ok: false, reason: "redirect_url is not an absolute URL" };
  }
  return { ok: true, redirectUrl };
}

export class AppRequestSender {
  private readonly log: AppRequestRecord[] = [];
  private seq = 0;

  constructor(private readonly options: AppRequestSenderOptions) {}

  requests(): AppRequestRecord[] {
    return [...this.log];
  }

  clear(): void {
    this.log.length = 0;
  }

  async send(kind: AppRequestKind, shop: string, method: MethodHandle, body: Record<string, unknown>): Promise<AppRequestRecord> {
    const url = `${this.options.appOrigin.replace(/\/+$/, "")}/payments/${method}/${PATHS[kind]}`;
    const payload = JSON.stringify(body);
    const headersFor = (requestId: string): Record<string, string> => ({
      "Content-Type": "application/json",
      Accept: "application/json",
      "Shopify-Shop-Domain": shop,
      "Shopify-Request-Id": requestId,
      "Shopify-Api-Version": this.options.apiVersion,
      "User-Agent": "Shopify Payments Simulator",
    });
    const record: AppRequestRecord = {
      seq: ++this.seq,
      kind,
      shop,
      method,
      url,
      headers: {},
      body,
      attempts: [],
      outcome: "in-flight",
      redirectUrl: null,
      failureReason: null,
    };
    this.log.push(record);

    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs * attempt));
      const requestId = randomUUID();
      const headers = headersFor(requestId);
      if (attempt === 0) record.headers = headers;
      const entry: AppRequestAttempt = { at: this.options.now().toISOString(), requestId, status: null, error: null, responseBody: "" };
      record.attempts.push(entry);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
      try {
        const response = await fetch(url, { method: "POST", headers, body: payload, signal: controller.signal, redirect: "manual" });
        entry.status = response.status;
        entry.responseBody = (await response.text()).slice(0, 16_384);
        const verdict = judge(kind, response.status, entry.responseBody);
        if (verdict.ok) {
          record.outcome = "accepted";
          record.redirectUrl = verdict.redirectUrl;
          record.failureReason = null;
          return record;
        }
        entry.error = verdict.reason;
        record.failureReason = verdict.reason;
      } catch (error) {
        entry.error = controller.signal.aborted
          ? `timed out after ${this.options.timeoutMs} ms`
          : error instanceof Error
            ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}`
            : String(error);
        record.failureReason = entry.error;
      } finally {
        clearTimeout(timer);
      }
    }
    record.outcome = "failed";
    return record;
  }
}
