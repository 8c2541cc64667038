// Helpers for tests that drive the emulator over real HTTP: a merchant-side receiver for the
// server POSTs, signed request builders, and readers for ECPay's HTML forms and responses.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { computeCheckMacValue } from "../../../app/ecpay/check-mac-value";
import { taiwanDateTime } from "./format";
import type { EcpayMerchant } from "./types";

export interface ReceivedPost {
  path: string;
  fields: Record<string, string>;
  raw: string;
}

export interface Receiver {
  origin: string;
  posts: ReceivedPost[];
  /** Resolves once `count` POSTs arrived on `path` (or any path when omitted). */
  waitFor(count: number, path?: string, timeoutMs?: number): Promise<ReceivedPost[]>;
  close(): Promise<void>;
}

/**
 * A tiny merchant server. `answer(post, n)` decides the body for the n-th POST (1-based) on that
 * path; the default acknowledges with `1|OK`.
 */
export async function startReceiver(answer: (post: ReceivedPost, n: number) => string = () => "1|OK"): Promise<Receiver> {
  const posts: ReceivedPost[] = [];
  const counts = new Map<string, number>();
  const waiters = new Set<() => void>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const path = new URL(req.url ?? "/", "http://receiver.invalid").pathname;
      const post = { path, fields: Object.fromEntries(new URLSearchParams(raw)), raw };
      posts.push(post);
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      const body = answer(post, n);
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      res.end(body);
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    posts,
    waitFor(count, path, timeoutMs = 10_000) {
      const matching = () => posts.filter((p) => path === undefined || p.path === path);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (matching().length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(matching());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} POSTs on ${path ?? "any path"}, got ${matching().length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let sequence = 0;
/** A fresh ≤20-character alphanumeric MerchantTradeNo. */
export function freshTradeNo(prefix = "T"): string {
  sequence += 1;
  return `${prefix}${Date.now().toString(36)}${sequence.toString(36)}${Math.random().toString(36).slice(2, 6)}`.slice(0, 20);
}

export function sign(fields: Record<string, string>, merchant: Pick<EcpayMerchant, "hashKey" | "hashIv">): Record<string, string> {
  return { ...fields, CheckMacValue: computeCheckMacValue(fields, merchant, "sha256") };
}

/** A signed AioCheckOut V5 form with sensible defaults; `overrides` are applied before signing. */
export function checkoutFields(
  merchant: EcpayMerchant,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  const base: Record<string, string | undefined> = {
    MerchantID: merchant.merchantId,
    MerchantTradeNo: freshTradeNo(),
    MerchantTradeDate: taiwanDateTime(new Date()),
    PaymentType: "aio",
    TotalAmount: "1000",
    TradeDesc: "Emulator test",
    ItemName: "Test item",
    ReturnURL: "http://127.0.0.1:9/return",
    ChoosePayment: "Credit",
    EncryptType: "1",
    NeedExtraPaidInfo: "Y",
    ...overrides,
  };
  const fields = Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
  return sign(fields, merchant);
}

export function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

/** Creates an order: posts the form and returns the payment page URL (or the error page HTML). */
export async function createOrder(origin: string, fields: Record<string, string>): Promise<{ pageUrl: string | null; html: string; status: number }> {
  const response = await postForm(`${origin}/Cashier/AioCheckOut/V5`, fields);
  const location = response.headers.get("location");
  const html = await response.text();
  return { pageUrl: location ? new URL(location, origin).toString() : null, html, status: response.status };
}

function decodeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Reads an auto-POST page (OrderResultURL / ClientRedirectURL) back into action + fields. */
export function readAutoPostForm(html: string): { action: string; fields: Record<string, string> } | null {
  const form = /<form method="post" action="([^"]*)" id="ecpay-auto-post"/.exec(html);
  if (!form) return null;
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[decodeHtml(m[1] as string)] = decodeHtml(m[2] as string);
  }
  return { action: decodeHtml(form[1] as string), fields };
}

/** The documented way to read ECPay's API responses (§1.5): `+` → `%2B`, then form-decode. */
export function parseEcpayResponse(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body.replace(/\+/g, "%2B")));
}

export function queryTradeInfoRequest(
  merchant: EcpayMerchant,
  merchantTradeNo: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return sign({ MerchantID: merchant.merchantId, MerchantTradeNo: merchantTradeNo, TimeStamp: String(timestamp) }, merchant);
}

export function doActionRequest(
  merchant: EcpayMerchant,
  input: { merchantTradeNo: string; tradeNo: string; action: string; totalAmount: number },
): Record<string, string> {
  return sign(
    {
      MerchantID: merchant.merchantId,
      MerchantTradeNo: input.merchantTradeNo,
      TradeNo: input.tradeNo,
      Action: input.action,
      TotalAmount: String(input.totalAmount),
    },
    merchant,
  );
}
