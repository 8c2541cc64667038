// The fuzz run (npm run fuzz, and the CI version in tests/integration/fuzz.test.ts): generated
// malformed, oversized and unicode-heavy requests to every endpoint Shopify, ECPay, the buyer's
// browser and the merchant reach. Every request is wrong in at least one way the server must
// refuse, so the contract is: never a 5xx, never a hang, and no row changes anywhere.
import { createHash, createHmac, randomUUID } from "node:crypto";
import { Agent, request as httpRequest, type OutgoingHttpHeaders } from "node:http";
import type { PrismaClient } from "@prisma/client";
import { computeCheckMacValue } from "~/ecpay/check-mac-value";
import { paymentIdToCustomField } from "~/payments/custom-field";
import { METHOD_HANDLES } from "~/payments/methods";
import { createRng, type Rng } from "./rng";

export interface FuzzRequest {
  endpoint: string;
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body: Buffer | null;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length). */
  chunked: boolean;
  /** What makes it wrong (for the report). */
  defect: string;
}

export interface FuzzOptions {
  origin: string;
  requests: number;
  seed: number;
  prisma: PrismaClient;
  /** A real payment session and one of its MerchantTradeNos, so requests can aim at live rows. */
  target: { paymentId: string; merchantTradeNo: string; shop: string };
  /**
   * A test-mode ATM attempt still waiting for its account, on ECPay's public stage merchant:
   * anyone can sign messages for it, so the fuzzer does, with fields of the wrong shape.
   */
  stageAtm?: { paymentId: string; merchantTradeNo: string; amount: number; keys: { merchantId: string; hashKey: string; hashIv: string } };
  /** Each app's API secret, to sign webhooks whose payload (not signature) is wrong. */
  appSecret(method: string): string;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface FuzzFailure {
  request: { endpoint: string; method: string; path: string; defect: string; bodyBytes: number; bodyStart: string };
  status: number | null;
  error: string | null;
  body: string;
}

export interface FuzzReport {
  ok: boolean;
  startedAt: string;
  durationMs: number;
  seed: number;
  requests: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
  byDefect: Record<string, number>;
  serverErrors: number;
  transportErrors: number;
  /** Malformed requests a state-changing endpoint answered with 2xx. */
  acceptedMalformed: number;
  rowsBefore: Record<string, number>;
  rowsAfter: Record<string, number>;
  stateChanged: string[];
  failures: FuzzFailure[];
}

// ---------------------------------------------------------------- generators

const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "null",
  "undefined",
  "[object Object]",
  "../../../../etc/passwd",
  "%00%0d%0a",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "${7*7}{{7*7}}",
  "綠界科技股份有限公司🚀",
  "\u202e\u0644\u0627",
  "ｇｉｄ：／／ｓｈｏｐｉｆｙ",
  "\ud800",
  "𝕏".repeat(300),
  "9".repeat(400),
  "-1",
  "1e309",
  "NaN",
  "0x10",
  "１２８０",
  "1,280.00",
];

/** Percent-encode anything, lone surrogates included (they become U+FFFD). */
const enc = (value: string) => encodeURIComponent((value as string & { toWellFormed(): string }).toWellFormed());

function nasty(rng: Rng): string {
  const base = rng.pick(NASTY_STRINGS);
  return rng.chance(0.2) ? base.repeat(1 + rng.int(50)) : base;
}

function randomUnicode(rng: Rng, length: number): string {
  let out = "";
  for (let i = 0; i < length; i += 1) {
    const roll = rng.next();
    const code = roll < 0.3 ? 0x20 + rng.int(0x5f) : roll < 0.6 ? 0x4e00 + rng.int(0x5000) : roll < 0.8 ? 0x1f300 + rng.int(0x300) : rng.int(0xd7ff);
    out += String.fromCodePoint(code);
  }
  return out;
}

function randomBytes(rng: Rng, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) bytes[i] = rng.int(256);
  return bytes;
}

const methodSegment = (rng: Rng): { value: string; valid: boolean } => {
  if (rng.chance(0.85)) return { value: rng.pick(METHOD_HANDLES), valid: true };
  return { value: rng.pick(["CREDIT", "credit%00", "visa", "%E7%B6%A0%E7%95%8C", "..%2F..", "a".repeat(300), "%ZZ", "credit;drop"]), valid: false };
};

function sessionBody(target: FuzzOptions["target"]) {
  const id = `fz${randomUUID().replace(/-/g, "").slice(0, 20)}`;
  return {
    id,
    gid: `gid://shopify/PaymentSession/${id}`,
    group: `grp-${id}`,
    amount: "1280.00",
    currency: "TWD",
    test: false,
    merchant_locale: "zh-TW",
    payment_method: { type: "offsite", data: { cancel_url: `https://${target.shop}/checkouts/cn/x/processing` } },
    proposed_at: new Date().toISOString(),
    kind: "sale",
    customer: { email: "buyer@example.com", locale: "zh-TW" },
  } as Record<string, unknown>;
}

function operationBody(kind: "refund" | "capture" | "void", target: FuzzOptions["target"]) {
  const id = `fz${randomUUID().replace(/-/g, "").slice(0, 20)}`;
  const prefix = { refund: "RefundSession", capture: "CaptureSession", void: "VoidSession" }[kind];
  const body: Record<string, unknown> = { id, gid: `gid://shopify/${prefix}/${id}`, payment_id: target.paymentId, test: false, merchant_locale: "zh-TW", proposed_at: new Date().toISOString() };
  if (kind !== "void") {
    body.amount = "100.00";
    body.currency = "TWD";
  }
  return body;
}

const FREE_FORM = new Set(["id", "group", "payment_id"]);

/** A JSON body the endpoint must refuse: one required field broken, plus unicode noise elsewhere. */
function breakJson(rng: Rng, body: Record<string, unknown>, required: string[]): { body: string; defect: string } {
  const noisy = { ...body };
  if (rng.chance(0.5)) noisy[`x_${randomUnicode(rng, 5)}`] = randomUnicode(rng, 1 + rng.int(200));
  if (rng.chance(0.3)) noisy.merchant_locale = nasty(rng).slice(0, 20);
  const field = rng.pick(required);
  const roll = rng.next();
  if (roll < 0.25) {
    delete noisy[field];
    return { body: JSON.stringify(noisy), defect: `json-missing-${field}` };
  }
  if (roll < 0.5) {
    const wrongTypes: unknown[] = field === "test" ? [null, 42, "true", [], {}, { $gt: "" }] : [null, 42, -1, true, [], {}, [nasty(rng)], { $gt: "" }];
    noisy[field] = rng.pick(wrongTypes);
    return { body: JSON.stringify(noisy), defect: `json-wrong-type-${field}` };
  }
  if (roll < 0.65) {
    const text = JSON.stringify(noisy);
    return { body: text.slice(0, rng.int(Math.max(1, text.length - 1))), defect: "json-truncated" };
  }
  if (roll < 0.75) return { body: `${"[".repeat(5_000 + rng.int(20_000))}`, defect: "json-deep-nesting" };
  if (roll < 0.85) return { body: JSON.stringify(rng.pick([[], "string", 0, null, [noisy]])), defect: "json-not-an-object" };
  // Free-form ids accept any short string: break them by length; the rest by unicode garbage.
  noisy[field] = FREE_FORM.has(field) ? `${randomUnicode(rng, 300)}${"x".repeat(300)}` : `${nasty(rng)}${randomUnicode(rng, 1 + rng.int(300))}`;
  return { body: JSON.stringify(noisy), defect: `json-garbage-${field}` };
}

function shopifyHeaders(shop: string, contentType = "application/json"): OutgoingHttpHeaders {
  return {
    "content-type": contentType,
    "shopify-shop-domain": shop,
    "shopify-request-id": randomUUID(),
    "shopify-api-version": "2026-07",
  };
}

function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function ecpayFields(rng: Rng, target: FuzzOptions["target"]): Record<string, string> {
  const known = rng.chance(0.5);
  return {
    MerchantID: rng.chance(0.8) ? "3383001" : nasty(rng),
    MerchantTradeNo: known ? target.merchantTradeNo : rng.chance(0.5) ? nasty(rng) : `FZ${rng.int(1e9)}`,
    StoreID: "",
    RtnCode: rng.pick(["1", "2", "0", "10100058", nasty(rng)]),
    RtnMsg: rng.chance(0.5) ? "交易成功" : randomUnicode(rng, 20),
    TradeNo: String(2_600_000_000_000_000 + rng.int(1e9)),
    TradeAmt: rng.pick(["1280", "0", "-1", "1e3", nasty(rng)]),
    PaymentDate: "2026/11/25 12:00:00",
    PaymentType: rng.pick(["Credit_CreditCard", "ATM_TAISHIN", nasty(rng)]),
    PaymentTypeChargeFee: "35",
    TradeDate: "2026/11/25 11:59:00",
    SimulatePaid: "0",
    CustomField1: rng.chance(0.5) ? target.paymentId : nasty(rng),
    // Never a valid signature: the fuzzer does not sign.
    CheckMacValue: rng.chance(0.5) ? "0".repeat(64) : nasty(rng),
  };
}

const HTML = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>", "javascript:alert(1)"];

/** Values each field's documented shape refuses (field-shapes.ts), besides HTML. */
const OFF_SHAPE: Record<string, string[]> = {
  BankCode: ["81", "8120", "abc", "８１２", " 812"],
  vAccount: ["1".repeat(17), "9103-5221", "0x1f", "１２３４"],
  ExpireDate: ["2026/02/30", "2026-12-05", "2026/12/05 23:59:59", "2026/13/01", "tomorrow"],
  TradeNo: ["1".repeat(21), "2612-0212", "綠界"],
  PaymentType: ["ATM TAISHIN", "A".repeat(51), "ATM-BOT"],
  TradeDate: ["2026/12/02", "2026/12/02 25:00:00", "now"],
  RtnMsg: ["ok\u0000", "\u001b[31mred", "x".repeat(201)],
  CustomField1: ["x".repeat(51)],
};

/** A PaymentInfoURL (or ReturnURL) for the stage ATM attempt, validly signed, one field off its shape. */
function signedOffShape(rng: Rng, target: NonNullable<FuzzOptions["stageAtm"]>): { fields: Record<string, string>; defect: string } {
  const fields: Record<string, string> = {
    MerchantID: target.keys.merchantId,
    MerchantTradeNo: target.merchantTradeNo,
    StoreID: "",
    RtnCode: "2",
    RtnMsg: "Get VirtualAccount Succeeded",
    TradeNo: `2612${String(rng.int(1e9)).padStart(12, "0")}`,
    TradeAmt: String(target.amount),
    PaymentType: "ATM_TAISHIN",
    TradeDate: "2026/12/02 12:00:00",
    BankCode: "812",
    vAccount: String(9_100_000_000_000_000 + rng.int(1e9)),
    ExpireDate: "2026/12/05",
    CustomField1: paymentIdToCustomField(target.paymentId),
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
  };
  const field = rng.pick(Object.keys(OFF_SHAPE));
  // RtnMsg and CustomField1 may hold HTML (it is escaped where shown), just not control characters or more than their length.
  const htmlRefused = field !== "RtnMsg" && field !== "CustomField1";
  fields[field] = htmlRefused && rng.chance(0.5) ? rng.pick(HTML) : rng.pick(OFF_SHAPE[field]!);
  return { fields: { ...fields, CheckMacValue: computeCheckMacValue(fields, target.keys) }, defect: `ecpay-signed-bad-${field}` };
}

function webhookRequest(rng: Rng, opts: FuzzOptions, method: string): FuzzRequest {
  const topic = rng.pick(["app/uninstalled", "customers/data_request", "customers/redact", "shop/redact", "app/scopes_update", "orders/create", nasty(rng)]);
  const signed = rng.chance(0.5);
  const payload = rng.chance(0.5)
    ? Buffer.from(JSON.stringify(rng.pick([{ customer: nasty(rng) }, { customer: { email: 42, phone: [] } }, { current: "write_everything" }, [], null, { shop_domain: nasty(rng) }])))
    : rng.chance(0.5)
      ? randomBytes(rng, rng.int(2_000))
      : Buffer.from(randomUnicode(rng, rng.int(500)));
  // Signed bodies come from an unknown shop, so even a valid topic changes nothing we hold.
  const shop = signed ? `fuzz-${rng.int(1e6)}.myshopify.com` : rng.chance(0.5) ? opts.target.shop : nasty(rng).replace(/[^\x20-\x7e]/g, "?");
  const secret = signed ? opts.appSecret(method) : "not-the-secret";
  const hmac = rng.chance(0.9) ? createHmac("sha256", secret).update(payload).digest("base64") : nasty(rng).replace(/[^\x20-\x7e]/g, "?");
  const headers: OutgoingHttpHeaders = {
    "content-type": rng.chance(0.8) ? "application/json" : "text/plain",
    "x-shopify-topic": topic.replace(/[^\x20-\x7e]/g, "?"),
    "x-shopify-shop-domain": shop,
    "x-shopify-api-version": "2026-07",
    "x-shopify-webhook-id": randomUUID(),
  };
  if (rng.chance(0.9)) headers["x-shopify-hmac-sha256"] = hmac;
  const validPayload = signed && payload.toString("utf8").startsWith("{");
  return {
    endpoint: "webhooks",
    method: "POST",
    path: `/webhooks/${method}/${enc(topic).replace(/%2F/g, "/")}`,
    headers,
    body: payload,
    chunked: false,
    defect: signed ? (validPayload ? "webhook-malformed-payload-unknown-shop" : "webhook-garbage-payload-unknown-shop") : "webhook-bad-hmac",
  };
}

export function generateRequest(rng: Rng, opts: FuzzOptions): FuzzRequest {
  const m = methodSegment(rng);
  const endpoint = rng.pick(["session", "refund", "capture", "void", "return", "payment-info", "result", "pay", "webhooks", "admin", "verbs"]);
  const unknownShop = `fuzz-${rng.int(1e6)}.myshopify.com`;
  let request: FuzzRequest;
  /** The request names its app itself (not the generated segment m). */
  let ownMethod = false;
  switch (endpoint) {
    case "session": {
      const broken = breakJson(rng, sessionBody(opts.target), ["id", "gid", "group", "currency", "test", "proposed_at", "kind"]);
      const invalidHeaders = rng.chance(0.2);
      request = {
        endpoint,
        method: "POST",
        path: `/payments/${m.value}/session`,
        headers: invalidHeaders ? { ...shopifyHeaders(nasty(rng).replace(/[^\x20-\x7e]/g, "?")), "shopify-api-version": nasty(rng).replace(/[^\x20-\x7e]/g, "?") } : shopifyHeaders(rng.chance(0.7) ? opts.target.shop : unknownShop),
        body: Buffer.from(broken.body),
        chunked: false,
        defect: invalidHeaders ? "invalid-shopify-headers" : broken.defect,
      };
      break;
    }
    case "refund":
    case "capture":
    case "void": {
      const required = endpoint === "void" ? ["id", "gid", "payment_id", "proposed_at"] : ["id", "gid", "payment_id", "proposed_at", "amount", "currency"];
      const broken = breakJson(rng, operationBody(endpoint, opts.target), required);
      request = { endpoint, method: "POST", path: `/payments/${m.value}/${endpoint}`, headers: shopifyHeaders(opts.target.shop), body: Buffer.from(broken.body), chunked: false, defect: broken.defect };
      break;
    }
    case "return":
    case "payment-info":
    case "result": {
      if (opts.stageAtm && endpoint !== "result" && rng.chance(0.35)) {
        const signed = signedOffShape(rng, opts.stageAtm);
        ownMethod = true;
        request = {
          endpoint,
          method: "POST",
          path: `/ecpay/atm/${endpoint}`,
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: Buffer.from(formBody(signed.fields)),
          chunked: false,
          defect: signed.defect,
        };
        break;
      }
      const fields = ecpayFields(rng, opts.target);
      let body = formBody(fields);
      let defect = "ecpay-bad-signature";
      const roll = rng.next();
      if (roll < 0.15) {
        body = body.replace(/%/g, rng.pick(["%", "%Z", "%E0%A4"])).replace(/&/g, rng.chance(0.5) ? "&&" : "&=&");
        defect = "ecpay-broken-encoding";
      } else if (roll < 0.3) {
        body = Array.from({ length: 2_000 + rng.int(8_000) }, (_, i) => `k${i}=${rng.int(10)}`).join("&");
        defect = "ecpay-many-fields";
      } else if (roll < 0.4) {
        delete fields.MerchantTradeNo;
        body = formBody(fields);
        defect = "ecpay-no-trade";
      }
      request = {
        endpoint,
        method: "POST",
        path: `/ecpay/${m.value}/${endpoint}`,
        headers: { "content-type": rng.chance(0.85) ? "application/x-www-form-urlencoded" : rng.pick(["application/json", "text/plain", "multipart/form-data; boundary=x"]) },
        body: Buffer.from(body),
        chunked: false,
        defect,
      };
      break;
    }
    case "pay": {
      const id = rng.chance(0.5) ? enc(nasty(rng)) : rng.pick(["%E0%A4%A", "%ZZ", "a%2Fb", enc(randomUnicode(rng, 30)), "x".repeat(3_000)]);
      const query = rng.pick(["", "?wait=1", "?desktop=1", `?wait=${enc(nasty(rng))}`]);
      request = { endpoint, method: rng.pick(["GET", "GET", "POST", "HEAD"]), path: `/pay/${m.value}/${id}${query}`, headers: { "user-agent": nasty(rng).replace(/[^\x20-\x7e]/g, "?") }, body: null, chunked: false, defect: "pay-unknown-payment" };
      break;
    }
    case "webhooks":
      request = webhookRequest(rng, opts, m.value);
      break;
    case "admin": {
      const page = rng.pick(["", "/transactions", "/transactions/x", `/transactions/${enc(opts.target.paymentId)}`, "/bind", "/settings", "/export", "/test-mode", "/capture", "/auth/login"]);
      const query = `?shop=${enc(nasty(rng))}&q=${enc(randomUnicode(rng, 20))}&after=${enc(nasty(rng))}`;
      request = {
        endpoint,
        method: rng.pick(["GET", "POST"]),
        path: `/apps/${m.value}${page}${query}`,
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: `shopify_app_session=offline_${opts.target.shop}; shopify_app_session.sig=${nasty(rng).replace(/[^\x21-\x7e]/g, "x")}` },
        body: rng.chance(0.5) ? Buffer.from(`intent=${enc(nasty(rng))}&merchantId=1&hashKey=${enc(randomUnicode(rng, 10))}`) : null,
        chunked: false,
        defect: "admin-without-session",
      };
      break;
    }
    default: {
      const path = rng.pick([`/payments/${m.value}/session`, `/ecpay/${m.value}/return`, `/payments/${m.value}/refund`, `/webhooks/${m.value}/app/uninstalled`, "/healthz", `/${enc(randomUnicode(rng, 10))}`]);
      request = { endpoint: "verbs", method: rng.pick(["PUT", "DELETE", "PATCH", "OPTIONS", "GET"]), path, headers: { "content-type": "application/json" }, body: rng.chance(0.5) ? Buffer.from("{}") : null, chunked: false, defect: "wrong-http-method" };
    }
  }
  // Cross-cutting defects: oversized bodies (declared or streamed), wrong content types.
  const roll = rng.next();
  if (request.method === "POST" && roll < 0.06) {
    request.body = Buffer.concat([request.body ?? Buffer.alloc(0), Buffer.from(`&pad=${"綠".repeat(30_000 + rng.int(100_000))}`)]);
    request.chunked = rng.chance(0.5);
    request.defect = request.chunked ? "oversized-chunked" : "oversized";
  } else if (request.method === "POST" && roll < 0.1 && request.endpoint !== "webhooks") {
    request.headers = { ...request.headers, "content-type": rng.pick(["text/html", "application/xml", "", "application/json; charset=big5", "image/png"]) };
    request.defect += "+content-type";
  } else if (request.method === "POST" && roll < 0.13) {
    request.body = randomBytes(rng, rng.int(4_000));
    request.defect = "binary-body";
  }
  if (!m.valid && !ownMethod) request.defect = "unknown-method-handle";
  return request;
}

// ---------------------------------------------------------------- sending

interface Answer {
  status: number | null;
  body: string;
  error: string | null;
}

// Keep-alive on purpose: real callers reuse connections, and so must survive our early refusals.
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * Send one request. A keep-alive socket the server closed just before we reused it fails with
 * ECONNRESET: like browsers (and Node's docs advise), send once more on a fresh connection.
 */
export async function send(origin: string, request: FuzzRequest, timeoutMs = 15_000): Promise<Answer> {
  const first = await sendOnce(origin, request, timeoutMs, false);
  return first.retryable ? sendOnce(origin, request, timeoutMs, true) : first;
}

function sendOnce(origin: string, request: FuzzRequest, timeoutMs: number, fresh: boolean): Promise<Answer & { retryable?: boolean }> {
  const url = new URL(origin);
  return new Promise((resolve) => {
    const headers: OutgoingHttpHeaders = { ...request.headers };
    if (request.body && !request.chunked) headers["content-length"] = String(request.body.length);
    if (request.chunked) headers["transfer-encoding"] = "chunked";
    let settled = false;
    const done = (answer: Answer & { retryable?: boolean }) => {
      if (settled) return;
      settled = true;
      resolve(answer);
    };
    let outgoing;
    try {
      outgoing = httpRequest({ host: url.hostname, port: url.port, method: request.method, path: request.path, headers, agent: fresh ? false : agent, timeout: timeoutMs }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => done({ status: response.statusCode ?? null, body: Buffer.concat(chunks).toString("utf8").slice(0, 2_000), error: null }));
        response.on("error", (error) => done({ status: response.statusCode ?? null, body: "", error: error.message }));
      });
    } catch (error) {
      // Node refused to send it (e.g. a header it considers invalid): not the server's fault.
      done({ status: 0, body: "", error: `client refused: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    outgoing.on("timeout", () => {
      outgoing.destroy(new Error("timed out"));
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      const stale = outgoing.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE");
      done({ status: null, body: "", error: error.message, retryable: stale });
    });
    if (request.body && request.chunked) {
      for (let i = 0; i < request.body.length; i += 16_384) outgoing.write(request.body.subarray(i, i + 16_384));
      outgoing.end();
    } else {
      outgoing.end(request.body ?? undefined);
    }
  });
}

// ---------------------------------------------------------------- the run

export async function countRows(prisma: PrismaClient): Promise<Record<string, number>> {
  const [sessions, shops, installations, bindings, payments, attempts, operations, outbox, outboxAttempts, verifiedNotifications] = await Promise.all([
    prisma.session.count(),
    prisma.shopInstallation.findMany({ select: { status: true, bindingId: true, configuredReady: true, settings: true } }).then((rows) => JSON.stringify(rows).length),
    prisma.shopInstallation.count(),
    prisma.ecpayBinding.count(),
    prisma.paymentSession.count(),
    prisma.paymentAttempt.count(),
    prisma.operationSession.count(),
    prisma.outboxMessage.count(),
    prisma.outboxAttempt.count(),
    // Refused messages about a trade we hold are an audit log, not state: only verified ones count.
    prisma.ecpayNotification.count({ where: { signatureValid: true } }),
  ]);
  // Refusals about a trade we hold are counted in one row per (channel, outcome, trade), not logged.
  const unknownTradeLog = await prisma.ecpayNotification.count({
    where: { counterKey: null, OR: [{ merchantTradeNo: null }, { outcome: { in: ["UNKNOWN_TRADE", "MALFORMED"] } }] },
  });
  // What each attempt holds from ECPay: a message that got through would change it (an ATM account stored).
  const attemptRows = await prisma.paymentAttempt.findMany({
    orderBy: { merchantTradeNo: "asc" },
    select: { merchantTradeNo: true, status: true, tradeNo: true, bankCode: true, vAccount: true, expireDate: true, paymentType: true, rtnMsg: true },
  });
  const attemptsDigest = parseInt(createHash("sha256").update(JSON.stringify(attemptRows)).digest("hex").slice(0, 12), 16);
  return { sessions, installationsDigest: shops, installations, bindings, payments, attempts, attemptsDigest, operations, outbox, outboxAttempts, verifiedNotifications, unknownTradeLog };
}

/** Endpoints whose 2xx means something was stored. */
const STATEFUL = new Set(["session", "refund", "capture", "void", "return", "payment-info"]);

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const rng = createRng(opts.seed);
  const startedAt = new Date();
  const rowsBefore = await countRows(opts.prisma);
  const report: FuzzReport = {
    ok: false,
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    seed: opts.seed,
    requests: opts.requests,
    byEndpoint: {},
    byStatus: {},
    byDefect: {},
    serverErrors: 0,
    transportErrors: 0,
    acceptedMalformed: 0,
    rowsBefore,
    rowsAfter: {},
    stateChanged: [],
    failures: [],
  };
  const requests = Array.from({ length: opts.requests }, () => generateRequest(rng, opts));
  let next = 0;
  const bump = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
  await Promise.all(
    Array.from({ length: opts.concurrency ?? 8 }, async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const answer = await send(opts.origin, request);
        bump(report.byEndpoint, request.endpoint);
        bump(report.byDefect, request.defect);
        bump(report.byStatus, answer.status === null ? "no-answer" : String(answer.status));
        const serverError = answer.status !== null && answer.status >= 500;
        // A dropped connection is fine only for an oversized body we were still streaming, or
        // headers past Node's 16 KB limit (it answers 431 and closes while we are still sending).
        const headerBytes = request.path.length + JSON.stringify(request.headers).length;
        const transportError = answer.status === null && !request.defect.startsWith("oversized") && headerBytes < 16_000;
        const accepted = answer.status !== null && answer.status < 300 && STATEFUL.has(request.endpoint) && request.method === "POST";
        if (serverError) report.serverErrors += 1;
        if (transportError) report.transportErrors += 1;
        if (accepted) report.acceptedMalformed += 1;
        if ((serverError || transportError || accepted) && report.failures.length < 50) {
          report.failures.push({
            request: { endpoint: request.endpoint, method: request.method, path: request.path.slice(0, 200), defect: request.defect, bodyBytes: request.body?.length ?? 0, bodyStart: request.body?.subarray(0, 300).toString("utf8") ?? "" },
            status: answer.status,
            error: answer.error,
            body: answer.body.slice(0, 500),
          });
        }
        if (next % Math.max(1, Math.floor(requests.length / 10)) === 0) opts.log?.(`fuzz: ${next}/${requests.length} sent, ${report.serverErrors} 5xx`);
      }
    }),
  );
  report.rowsAfter = await countRows(opts.prisma);
  report.stateChanged = Object.keys(rowsBefore).filter((k) => rowsBefore[k] !== report.rowsAfter[k]).map((k) => `${k}: ${rowsBefore[k]} → ${report.rowsAfter[k]}`);
  report.durationMs = Date.now() - startedAt.getTime();
  report.ok = report.serverErrors === 0 && report.transportErrors === 0 && report.acceptedMalformed === 0 && report.stateChanged.length === 0;
  return report;
}

export function summarizeFuzz(report: FuzzReport): string {
  return [
    `fuzz ${report.ok ? "PASSED" : "FAILED"}: ${report.requests} requests, seed ${report.seed}, ${(report.durationMs / 1000).toFixed(0)} s`,
    `by endpoint: ${Object.entries(report.byEndpoint).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `by status: ${Object.entries(report.byStatus).sort().map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `5xx: ${report.serverErrors}, transport errors: ${report.transportErrors}, malformed but accepted: ${report.acceptedMalformed}, state changed: ${report.stateChanged.length ? report.stateChanged.join("; ") : "none"}`,
    ...report.failures.slice(0, 10).map((f) => `  ${f.status ?? f.error} ${f.request.method} ${f.request.path.slice(0, 100)} [${f.request.defect}] ${f.body.slice(0, 160).replace(/\s+/g, " ")}${f.status !== null && f.status < 300 ? ` ← ${f.request.bodyStart.slice(0, 200)}` : ""}`),
  ].join("\n");
}
