// Security over real HTTP against the built server: ECPay messages are trusted only by their
// signature and only for the trade, shop, app and MerchantID they belong to; webhooks need
// Shopify's HMAC; the admin shows nothing without a valid session and nothing of another shop;
// /payments/* can be tied to the mTLS terminator; secrets never leave the server and are not
// stored in plaintext; rotate-keys re-seals them. Buyer pages escape what they show, run under a
// nonce CSP, refuse unsafe cancel URLs and bound the attempts and ECPay queries one session costs.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { computeCheckMacValue } from "~/ecpay/check-mac-value";
import { encodeFormBody } from "~/ecpay/form-body";
import { PUBLIC_STAGE_MERCHANT } from "~/ecpay/public-stage-merchant";
import { createSecretBox } from "~/lib/secrets.server";
import { seedShop } from "~/ops/seed-shop.server";
import { creditCheckCode, productionCredentials } from "~/payments/bindings.server";
import { paymentIdToCustomField } from "~/payments/custom-field";
import { METHOD_HANDLES, type MethodHandle } from "~/payments/methods";
import { createSessionStorage } from "~/shopify/session-storage.server";
import { adminClient, adminSessionCookies, signInMerchant } from "../support/admin-session";
import { startAppServer, type AppServer } from "../support/app-server";
import { cloneDatabase, isPostgresRun } from "../support/database";
import { keyIdOf, sealV1 } from "../support/legacy-secrets";
import { prismaFor } from "../support/db-client";
import { runOps } from "../support/ops";
import { openHandOff, PRODUCTION_MERCHANT, SHOP, startPaymentStack, submitToEcpay, tokenFor, type PaymentStack } from "../support/payment-stack";
import { appSecret, testAppEnv, TEST_ENCRYPTION_KEY } from "../support/test-env";
import { signedWebhook } from "../support/webhooks";
import { waitUntil } from "../support/wait";

const OTHER_SHOP = "other-merchant.myshopify.com";
const OTHER_MERCHANT = { merchantId: "3383002", hashKey: "OtherKey7Hs3Pq1Z", hashIv: "OtherIv2Kd8Wm5Rt", creditCheckCode: "73918264" };
const OTHER_TOKEN = "shpat_other_merchant_credit";
const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

let stack: PaymentStack;
let mtlsServer: AppServer | null = null;
/** Every response body this suite received, for the secret scan at the end. */
const bodies: string[] = [];

async function http(url: string, init: RequestInit = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(url, { redirect: "manual", ...init });
  const body = await response.text();
  bodies.push(body);
  return { status: response.status, body, headers: response.headers };
}

/** A tiny write while the server runs (SQLite allows one writer at a time): retry on a busy database. */
async function retryBusy<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

beforeAll(async () => {
  stack = await startPaymentStack(inject("templateDatabaseUrl"));
  const box = createSecretBox({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
  await retryBusy(() => seedShop(stack.prisma, box, { method: "credit", shop: OTHER_SHOP, accessToken: OTHER_TOKEN, ...OTHER_MERCHANT, ready: true }));
  stack.production.addMerchant(OTHER_MERCHANT);
  stack.shopify.addShop(OTHER_SHOP, { credit: OTHER_TOKEN });
});

afterAll(async () => {
  await mtlsServer?.stop();
  await stack?.close();
});

async function handOff(shop: string, method: MethodHandle, kind: "sale" | "authorization" = "sale") {
  const started = await stack.shopify.startPayment(shop, method, { test: false, kind, amount: 2480 });
  expect(started.ok).toBe(true);
  const form = await openHandOff(started.redirectUrl!, { headers: { "User-Agent": BROWSER } });
  bodies.push(form.html);
  expect((await submitToEcpay(form)).status).toBe(302);
  return { paymentId: started.session.id, gid: started.session.gid, merchantTradeNo: form.fields.MerchantTradeNo! };
}

/** What ECPay's ReturnURL would carry for a paid card trade. */
function paidFields(flow: { paymentId: string; merchantTradeNo: string }, merchantId = PRODUCTION_MERCHANT.merchantId): Record<string, string> {
  return {
    MerchantID: merchantId,
    MerchantTradeNo: flow.merchantTradeNo,
    StoreID: "",
    RtnCode: "1",
    RtnMsg: "交易成功",
    TradeNo: "2611251234567890",
    TradeAmt: "2480",
    PaymentDate: "2026/11/25 12:00:00",
    PaymentType: "Credit_CreditCard",
    PaymentTypeChargeFee: "35",
    TradeDate: "2026/11/25 11:59:00",
    SimulatePaid: "0",
    CustomField1: paymentIdToCustomField(flow.paymentId),
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
  };
}

const sign = (fields: Record<string, string>, keys: { hashKey: string; hashIv: string } = PRODUCTION_MERCHANT) => ({
  ...fields,
  CheckMacValue: computeCheckMacValue(fields, keys),
});

const postEcpay = (path: string, fields: Record<string, string>) =>
  http(`${stack.server.origin}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: encodeFormBody(fields),
  });

/** One character changed so that the value differs even after ECPay's lower-casing (CheckMacValue is case-blind). */
function oneCharacterOff(value: string): string {
  if (value === "") return "0";
  const first = value[0]!;
  const replaced = /\d/.test(first) ? String((Number(first) + 1) % 10) : /[a-y]/i.test(first) ? String.fromCharCode(first.charCodeAt(0) + 1) : /[zZ]/.test(first) ? "a" : "X";
  return replaced + value.slice(1);
}

const refused = (answer: { status: number; body: string }) => answer.status !== 200 && answer.body !== "1|OK";

describe("ECPay notifications", () => {
  it("refuse a message with any one field changed by one character, added or removed, and accept the genuine one", async () => {
    const flow = await handOff(SHOP, "credit", "authorization");
    const genuine: Record<string, string> = sign(paidFields(flow));
    const tampered: Array<[string, Record<string, string>]> = Object.keys(genuine).map((field) => [field, { ...genuine, [field]: oneCharacterOff(genuine[field]!) }]);
    tampered.push(["extra field", { ...genuine, CustomField5: "x" }]);
    tampered.push(["removed field", Object.fromEntries(Object.entries(genuine).filter(([k]) => k !== "PaymentTypeChargeFee"))]);
    for (const [what, fields] of tampered) {
      const answer = await postEcpay("/ecpay/credit/return", fields);
      expect(refused(answer), `${what}: ${answer.status} ${answer.body}`).toBe(true);
    }
    expect((await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } })).status).toBe("REDIRECTED");
    expect(await stack.prisma.outboxMessage.count({ where: { subjectId: flow.paymentId } })).toBe(0);

    const answer = await postEcpay("/ecpay/credit/return", genuine);
    expect(answer).toMatchObject({ status: 200, body: "1|OK" });
    expect((await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } })).status).toBe("AUTHORIZED");
  });

  it("refuse a genuine message replayed to any other method's app", async () => {
    const flow = await handOff(SHOP, "credit");
    const genuine = sign(paidFields(flow));
    for (const method of METHOD_HANDLES.filter((m) => m !== "credit")) {
      for (const endpoint of ["return", "payment-info"]) {
        const answer = await postEcpay(`/ecpay/${method}/${endpoint}`, genuine);
        expect(refused(answer), `${method}/${endpoint}`).toBe(true);
      }
    }
    expect((await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } })).status).toBe("REDIRECTED");
  });

  it("refuse another shop's merchant settling this shop's payment with its own keys", async () => {
    const ours = await handOff(SHOP, "credit");
    const theirs = await handOff(OTHER_SHOP, "credit");
    // Our trade, signed with the other merchant's keys.
    const forged = sign({ ...paidFields(ours), MerchantID: OTHER_MERCHANT.merchantId }, OTHER_MERCHANT);
    expect(refused(await postEcpay("/ecpay/credit/return", forged))).toBe(true);
    // Their own trade, genuinely signed, but naming our payment in CustomField1.
    const redirected = sign({ ...paidFields(theirs, OTHER_MERCHANT.merchantId), CustomField1: paymentIdToCustomField(ours.paymentId) }, OTHER_MERCHANT);
    expect(refused(await postEcpay("/ecpay/credit/return", redirected))).toBe(true);
    for (const id of [ours.paymentId, theirs.paymentId]) {
      expect((await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id } })).status).toBe("REDIRECTED");
    }
  });

  it("refuse a message with another MerchantID even when signed with the right keys", async () => {
    const flow = await handOff(SHOP, "credit");
    for (const merchantId of [OTHER_MERCHANT.merchantId, "3002607", ""]) {
      const answer = await postEcpay("/ecpay/credit/return", sign(paidFields(flow, merchantId)));
      expect(refused(answer), merchantId).toBe(true);
    }
    expect((await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } })).status).toBe("REDIRECTED");
  });
});

describe("ECPay messages anyone can sign (the public stage merchant)", () => {
  /** A test-mode (stage) ATM checkout whose own PaymentInfoURL is lost, so only ours arrive. */
  async function stageAtm() {
    stack.stage.setNotificationFault({ drop: 1000 });
    try {
      const started = await stack.shopify.startPayment(SHOP, "atm", { test: true, kind: "sale", amount: 2480 });
      expect(started.ok).toBe(true);
      const form = await openHandOff(started.redirectUrl!, { headers: { "User-Agent": BROWSER } });
      expect((await submitToEcpay(form)).status).toBe(302);
      await stack.stage.whenNotificationsSettled();
      expect(form.fields.MerchantID).toBe(PUBLIC_STAGE_MERCHANT.merchantId);
      return { paymentId: started.session.id, merchantTradeNo: form.fields.MerchantTradeNo! };
    } finally {
      stack.stage.setNotificationFault(null);
    }
  }

  const accountIssued = (flow: { paymentId: string; merchantTradeNo: string }): Record<string, string> => ({
    MerchantID: PUBLIC_STAGE_MERCHANT.merchantId,
    MerchantTradeNo: flow.merchantTradeNo,
    StoreID: "",
    RtnCode: "2",
    RtnMsg: "Get VirtualAccount Succeeded",
    TradeNo: "2612021234567890",
    TradeAmt: "2480",
    PaymentType: "ATM_TAISHIN",
    TradeDate: "2026/12/02 12:00:00",
    BankCode: "812",
    vAccount: "9103522175887271",
    ExpireDate: "2026/12/05",
    CustomField1: paymentIdToCustomField(flow.paymentId),
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
  });

  const rowsOf = (merchantTradeNo: string) => stack.prisma.ecpayNotification.findMany({ where: { merchantTradeNo } });

  it("refuse an ATM account whose BankCode, vAccount or ExpireDate is not its documented shape, and store no account", async () => {
    const flow = await stageAtm();
    const script = "<script>alert(1)</script>";
    const bad: Array<[string, string]> = [
      ["BankCode", script],
      ["BankCode", "81"],
      ["vAccount", script],
      ["vAccount", "91035221758872719"],
      ["ExpireDate", script],
      ["ExpireDate", "2026/02/30"],
      ["RtnMsg", "ok\u001b[31m<b>"],
      ["TradeNo", "<img src=x onerror=alert(1)>"],
      ["PaymentType", "ATM <b>"],
    ];
    for (const [field, value] of bad) {
      const answer = await postEcpay("/ecpay/atm/payment-info", sign({ ...accountIssued(flow), [field]: value }, PUBLIC_STAGE_MERCHANT));
      expect(answer.status, `${field}=${value}`).toBe(400);
      expect(answer.body, `${field}=${value}`).toMatch(new RegExp(`^0\\|${field}`));
    }
    const attempt = await stack.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: flow.merchantTradeNo } });
    expect(attempt).toMatchObject({ status: "CREATED", bankCode: null, vAccount: null, expireDate: null, tradeNo: null });
    expect((await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: flow.paymentId } })).status).toBe("REDIRECTED");
    // Refusals are counted, none stored whole: no row holds the payload.
    const rows = await rowsOf(flow.merchantTradeNo);
    expect(rows.map((r) => [r.outcome, r.count, r.rawBody])).toEqual([["MALFORMED", bad.length, ""]]);

    // The control: the same message in its documented shape is accepted.
    expect(await postEcpay("/ecpay/atm/payment-info", sign(accountIssued(flow), PUBLIC_STAGE_MERCHANT))).toMatchObject({ status: 200, body: "1|OK" });
    expect(await stack.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: flow.merchantTradeNo } })).toMatchObject({
      status: "ISSUED",
      bankCode: "812",
      vAccount: "9103522175887271",
    });
  });

  it("refuse a PaymentInfoURL message for a card trade (only ATM goes pending) and record nothing", async () => {
    const flow = await handOff(SHOP, "credit");
    const issued = sign({ ...paidFields(flow), RtnCode: "2", RtnMsg: "Get VirtualAccount Succeeded", PaymentType: "ATM_TAISHIN", BankCode: "812", vAccount: "9103522175887271", ExpireDate: "2026/12/05" });
    for (const fields of [issued, sign(paidFields(flow))]) {
      const answer = await postEcpay("/ecpay/credit/payment-info", fields);
      expect(answer.status).toBe(404);
      expect(answer.body).toMatch(/^0\|/);
    }
    expect(await rowsOf(flow.merchantTradeNo)).toEqual([]);
    expect(await stack.prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: flow.merchantTradeNo } })).toMatchObject({ status: "CREATED", bankCode: null });
  });

  it("count 50 bad-signature posts of 20 KB about one known trade in one small row", async () => {
    const flow = await handOff(SHOP, "credit");
    const body = { ...paidFields(flow), Padding: "綠".repeat(2_300), CheckMacValue: "0".repeat(64) };
    expect(encodeFormBody(body).length).toBeGreaterThan(20_000);
    expect(encodeFormBody(body).length).toBeLessThan(25_000);
    for (let round = 0; round < 10; round += 1) {
      const answers = await Promise.all(Array.from({ length: 5 }, () => postEcpay("/ecpay/credit/return", body)));
      for (const answer of answers) expect(answer).toMatchObject({ status: 400, body: "0|CheckMacValue verify fail" });
    }
    const rows = await rowsOf(flow.merchantTradeNo);
    expect(rows.map((r) => [r.outcome, r.count, r.signatureValid])).toEqual([["BAD_SIGNATURE", 50, false]]);
    expect(rows.reduce((size, r) => size + r.rawBody.length, 0)).toBeLessThan(1_000);
    expect(rows[0]!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.lastReceivedAt!.getTime()).toBeGreaterThanOrEqual(rows[0]!.receivedAt.getTime());
  });

  it("keep one copy of a valid message resent 50 times and count the resends in one row", async () => {
    const flow = await handOff(SHOP, "credit");
    const genuine = sign(paidFields(flow));
    expect(await postEcpay("/ecpay/credit/return", genuine)).toMatchObject({ status: 200, body: "1|OK" });
    const outbox = await stack.prisma.outboxMessage.count({ where: { subjectId: flow.paymentId } });
    for (let round = 0; round < 10; round += 1) {
      const answers = await Promise.all(Array.from({ length: 5 }, () => postEcpay("/ecpay/credit/return", { ...genuine })));
      for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: "1|OK" });
    }
    const rows = await stack.prisma.ecpayNotification.findMany({ where: { merchantTradeNo: flow.merchantTradeNo }, orderBy: { receivedAt: "asc" } });
    expect(rows.map((r) => [r.outcome, r.count])).toEqual([
      ["ACCEPTED", 1],
      ["DUPLICATE", 50],
    ]);
    expect(rows[0]!.rawBody).toBe(encodeFormBody(genuine));
    expect(rows[1]!.rawBody).toBe("");
    expect(await stack.prisma.outboxMessage.count({ where: { subjectId: flow.paymentId } })).toBe(outbox);
  });

  it("show a payment's messages on the detail page 50 at a time, newest first, with links to the others", async () => {
    const flow = await handOff(SHOP, "credit");
    const base = Date.now() - 3_600_000;
    await retryBusy(() =>
      stack.prisma.ecpayNotification.createMany({
        data: Array.from({ length: 120 }, (_, i) => ({
          channel: "RETURN",
          method: "credit",
          merchantTradeNo: flow.merchantTradeNo,
          rawBody: `Marker=m${String(i).padStart(3, "0")}x`,
          signatureValid: true,
          outcome: "ACCEPTED",
          receivedAt: new Date(base + i * 1_000),
        })),
      }),
    );
    const cookie = (await adminSessionCookies(stack.prisma, "credit", SHOP)).map((c) => `${c.name}=${c.value}`).join("; ");
    const open = (path: string) => http(`${stack.server.origin}${path}`, { headers: { "User-Agent": BROWSER, cookie } });
    const markers = (html: string) => [...new Set([...html.matchAll(/Marker=(m\d{3}x)/g)].map((m) => m[1]))];
    const link = (html: string, key: string) => {
      const match = new RegExp(`href="[^"]*[?&;]${key}=([A-Za-z0-9_-]+)`).exec(html);
      return match ? match[1]! : null;
    };
    const page = `/apps/credit/transactions/${flow.paymentId}`;
    const first = await open(page);
    expect(first.status).toBe(200);
    expect(markers(first.body)).toHaveLength(50);
    expect(markers(first.body)).toContain("m119x");
    expect(markers(first.body)).not.toContain("m069x");
    expect(link(first.body, "messagesBefore")).toBeNull();
    const second = await open(`${page}?messagesAfter=${link(first.body, "messagesAfter")}`);
    expect(markers(second.body).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `m${String(20 + i).padStart(3, "0")}x`));
    const third = await open(`${page}?messagesAfter=${link(second.body, "messagesAfter")}`);
    expect(markers(third.body)).toHaveLength(20);
    expect(link(third.body, "messagesAfter")).toBeNull();
    const back = await open(`${page}?messagesBefore=${link(third.body, "messagesBefore")}`);
    expect(markers(back.body).sort()).toEqual(markers(second.body).sort());
  });
});

describe("webhooks", () => {
  it("answer 401 to every topic of every app when the HMAC is wrong, and change nothing", async () => {
    const before = await stack.prisma.shopInstallation.count({ where: { status: "INSTALLED" } });
    for (const method of METHOD_HANDLES) {
      for (const topic of ["app/uninstalled", "customers/data_request", "customers/redact", "shop/redact", "app/scopes_update"]) {
        const response = await signedWebhook(stack.server.origin, { method, topic, shop: SHOP, secret: appSecret(method), payload: { shop_domain: SHOP }, badHmac: true });
        bodies.push(await response.text());
        expect(response.status, `${method} ${topic}`).toBe(401);
      }
    }
    // Signed with another app's secret: still not this app's webhook.
    const crossApp = await signedWebhook(stack.server.origin, { method: "credit", topic: "shop/redact", shop: SHOP, secret: appSecret("atm"), payload: { shop_domain: SHOP } });
    expect(crossApp.status).toBe(401);
    expect(await stack.prisma.shopInstallation.count({ where: { status: "INSTALLED" } })).toBe(before);
    expect(await stack.prisma.paymentSession.count({ where: { shop: SHOP } })).toBeGreaterThan(0);
  });
});

/** The library's cookie as it was before the admin had its own sign-in: one value per shop, signed with the app's secret. */
function libraryCookie(method: string, shop: string): string {
  const value = `offline_${shop}`;
  const key = Buffer.from(hkdfSync("sha256", appSecret(method), Buffer.alloc(0), "shopify-app-js/cookie-signing/v1", 32));
  return `shopify_app_session=${value}; shopify_app_session.sig=${createHmac("sha256", key).update(value).digest("base64")}`;
}

/** Every admin route module that exports an action, and the path it answers at. */
function adminActionRoutes(paymentId: string): Array<{ file: string; path: string }> {
  return readdirSync("app/routes")
    .filter((file) => /^apps\.\$method\._admin.*\.tsx$/.test(file) && /export\s+(async\s+)?function\s+action\b|export\s+const\s+action\b/.test(readFileSync(`app/routes/${file}`, "utf8")))
    .map((file) => {
      const segments = file.replace(/\.tsx$/, "").split(".").slice(2).filter((s) => s !== "_admin" && s !== "_index");
      return { file, path: `/apps/credit${segments.map((s) => `/${s === "$paymentId" ? paymentId : s}`).join("")}` };
    });
}

/** What an admin action could change, for "nothing changed". */
async function adminState(prisma: PrismaClient) {
  const [installations, bindings, sessions, outbox, attempts] = await Promise.all([
    prisma.shopInstallation.findMany({ orderBy: { id: "asc" } }),
    prisma.ecpayBinding.findMany({ orderBy: { id: "asc" } }),
    prisma.adminSession.findMany({ orderBy: { id: "asc" }, select: { id: true, signedInAt: true, expiresAt: true } }),
    prisma.outboxMessage.findMany({ orderBy: { id: "asc" }, select: { id: true, status: true, attempts: true, nextAttemptAt: true } }),
    prisma.paymentAttempt.findMany({ orderBy: { merchantTradeNo: "asc" }, select: { merchantTradeNo: true, status: true, lastQueriedAt: true } }),
  ]);
  return JSON.stringify({ installations, bindings, sessions, outbox, attempts });
}

/** A body each action would act on if it were accepted. */
const ACTION_FIELDS: Record<string, Record<string, string>> = {
  "apps.$method._admin.bind.tsx": { intent: "unbind" },
  "apps.$method._admin.settings.tsx": { itemName: "Changed by someone else" },
  "apps.$method._admin.capture.tsx": { intent: "reviewed" },
  "apps.$method._admin.locale.tsx": { locale: "en" },
  "apps.$method._admin.transactions.$paymentId.tsx": { intent: "query" },
};

describe("the merchant admin", () => {
  const pages = (paymentId: string) => ["", "/transactions", `/transactions?q=${paymentId}`, `/transactions/${paymentId}`, "/bind", "/settings", "/capture", "/test-mode", "/export?from=2020-01-01&to=2030-12-31"];
  let admin: ReturnType<typeof adminClient>;
  beforeAll(() => {
    admin = adminClient(stack.server.origin, stack.prisma);
  });

  it("shows nothing without a live sign-in: no cookie, the library's old per-shop cookie, a guessed token, another app's sign-in or an expired one", async () => {
    const flow = await handOff(SHOP, "credit");
    const atm = await signInMerchant(stack.prisma, "atm", SHOP);
    const expired = await signInMerchant(stack.prisma, "credit", SHOP);
    await stack.prisma.adminSession.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const idle = await signInMerchant(stack.prisma, "credit", SHOP);
    await stack.prisma.adminSession.update({ where: { id: idle.id }, data: { lastSeenAt: new Date(Date.now() - 31 * 60_000) } });
    for (const page of pages(flow.paymentId)) {
      for (const [what, header] of [
        ["no cookie", ""],
        ["the library's cookie", libraryCookie("credit", SHOP)],
        ["a guessed token", `ecpay_admin=${randomBytes(32).toString("base64url")}`],
        ["the atm app's sign-in", atm.cookieHeader],
        ["an expired sign-in", expired.cookieHeader],
        ["an idle sign-in", idle.cookieHeader],
      ] as const) {
        const answer = await http(`${stack.server.origin}/apps/credit${page}`, { headers: { "User-Agent": BROWSER, ...(header ? { cookie: header } : {}) } });
        expect(answer.status, `${what} ${page}`).toBe(302);
        expect(answer.headers.get("location"), `${what} ${page}`).toBe("/apps/credit/auth/login");
        for (const secret of [flow.paymentId, flow.merchantTradeNo, PRODUCTION_MERCHANT.merchantId]) expect(answer.body, `${what} ${page}`).not.toContain(secret);
      }
    }
    // An expired sign-in is gone for good.
    expect(await stack.prisma.adminSession.count({ where: { id: { in: [expired.id, idle.id] } } })).toBe(0);
  });

  it("sends frame-ancestors 'none' and X-Frame-Options: DENY on every admin document, the login page included", async () => {
    for (const path of ["/apps/credit", "/apps/credit/settings", "/apps/credit/auth/login"]) {
      const answer = await admin.get(path, "credit", SHOP);
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(answer.headers.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("refuses every admin action (403, nothing changed) without the CSRF token, from another origin, or from a cross-site page; with both it works", async () => {
    const flow = await handOff(SHOP, "credit");
    const routes = adminActionRoutes(flow.paymentId);
    // Every action the admin has today; a new one is covered by the glob.
    expect(routes.map((r) => r.file).sort()).toEqual(expect.arrayContaining([...Object.keys(ACTION_FIELDS), "apps.$method._admin.sign-out.tsx"]));
    const signIn = await admin.signIn("credit", SHOP);
    for (const { file, path } of routes) {
      const fields = ACTION_FIELDS[file] ?? {};
      for (const [what, options] of [
        ["no token", { csrf: false }],
        ["a wrong token", { csrf: randomBytes(32).toString("base64url") }],
        ["another origin", { origin: "https://attacker.example" }],
        ["no Origin, cross-site", { origin: null, headers: { "sec-fetch-site": "cross-site" } }],
        ["no Origin, no Sec-Fetch-Site", { origin: null }],
      ] as const) {
        const before = await adminState(stack.prisma);
        const answer = await admin.post(path, "credit", SHOP, fields, options);
        expect(answer.status, `${what} ${file}`).toBe(403);
        expect(await adminState(stack.prisma), `${what} ${file}`).toBe(before);
      }
    }
    // The control: the same posts from the admin's own page are accepted.
    const settings = await admin.post("/apps/credit/settings", "credit", SHOP, ACTION_FIELDS["apps.$method._admin.settings.tsx"]!);
    expect(settings.status).toBe(200);
    expect(JSON.parse((await stack.prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "credit", shop: SHOP } } })).settings).itemName).toBe("Changed by someone else");
    const locale = await admin.post("/apps/credit/locale", "credit", SHOP, { locale: "en" }, { origin: null, headers: { "sec-fetch-site": "same-origin" } });
    expect(locale.status).toBeLessThan(400);
    expect((await stack.prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).locale).toBe("en");
    await stack.prisma.shopSettings.update({ where: { shop: SHOP }, data: { locale: null } });
    // Sign-out ends the sign-in on the server: the same cookie opens nothing afterwards.
    const out = await admin.post("/apps/credit/sign-out", "credit", SHOP, {});
    expect(out.status).toBe(302);
    expect(out.headers.get("set-cookie")).toMatch(/^ecpay_admin=; Max-Age=0;.*HttpOnly; SameSite=Lax; Path=\/apps\/credit/);
    expect(await stack.prisma.adminSession.count({ where: { id: signIn.id } })).toBe(0);
    expect((await http(`${stack.server.origin}/apps/credit`, { headers: { "User-Agent": BROWSER, cookie: signIn.cookieHeader } })).status).toBe(302);
    admin.reset();
  });

  it("changes no ECPay binding for a sign-in older than 10 minutes and offers to sign in again", async () => {
    const stale = await signInMerchant(stack.prisma, "credit", SHOP, { signedInAt: new Date(Date.now() - 11 * 60_000) });
    const before = await adminState(stack.prisma);
    const attempts: Array<Record<string, string>> = [{ intent: "unbind" }, { intent: "reuse-confirm", bindingId: "any" }, { intent: "confirm", token: "x" }];
    for (const fields of attempts) {
      const answer = await http(`${stack.server.origin}/apps/credit/bind?_data=routes%2Fapps.%24method._admin.bind`, {
        method: "POST",
        headers: { "User-Agent": BROWSER, cookie: stale.cookieHeader, origin: stack.server.origin, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ ...fields, _csrf: stale.csrfToken }).toString(),
      });
      expect(answer.status, fields.intent).toBe(200);
      expect(JSON.parse(answer.body), fields.intent).toEqual({ step: "reauth" });
    }
    expect(await adminState(stack.prisma)).toBe(before);
    const page = await http(`${stack.server.origin}/apps/credit/bind`, {
      method: "POST",
      headers: { "User-Agent": BROWSER, cookie: stale.cookieHeader, origin: stack.server.origin, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "unbind", _csrf: stale.csrfToken }).toString(),
    });
    expect(page.body).toContain(`/apps/credit/auth?shop=${SHOP}&amp;return=bind`);
    expect(await stack.prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "credit", shop: SHOP } } })).toMatchObject({ bindingId: expect.any(String) });
  });

  it("sends no QueryTradeInfo for a shop's 6th bind verification within 10 minutes, across its apps", async () => {
    await stack.prisma.rateLimit.deleteMany({ where: { key: `bind-probe ${SHOP}` } });
    const keys = { merchantId: PRODUCTION_MERCHANT.merchantId, hashKey: PRODUCTION_MERCHANT.hashKey, hashIv: PRODUCTION_MERCHANT.hashIv, creditCheckCode: PRODUCTION_MERCHANT.creditCheckCode };
    for (const method of ["credit", "atm", "credit", "twqr", "credit"]) {
      const answer = await admin.post(`/apps/${method}/bind?_data=${encodeURIComponent(`routes/apps.$method._admin.bind`)}`, method, SHOP, { intent: "verify", ...keys });
      expect((await answer.json()).step, method).toBe("confirm");
    }
    // Were the 6th sent, ECPay would hold it unanswered and the page could only time out.
    stack.production.setApiHang({ paths: ["/Cashier/QueryTradeInfo/V5"] });
    try {
      const sixth = await admin.post(`/apps/atm/bind?_data=${encodeURIComponent(`routes/apps.$method._admin.bind`)}`, "atm", SHOP, { intent: "verify", ...keys }, { headers: { "accept-language": "en" } });
      const body = await sixth.json();
      expect(body).toMatchObject({ step: "form", banner: "admin.bind.probeLimited", bannerVars: { limit: 5 } });
      const html = await (await admin.post("/apps/atm/bind", "atm", SHOP, { intent: "verify", ...keys })).text();
      expect(html).toContain("10 分鐘內最多驗證 5 次");
    } finally {
      stack.production.setApiHang(null);
    }
  });

  it("never echoes the HashKey or HashIV it was given, even when ECPay refuses them", async () => {
    await stack.prisma.rateLimit.deleteMany({ where: { key: `bind-probe ${SHOP}` } });
    const answer = await admin.post("/apps/credit/bind", "credit", SHOP, { intent: "verify", merchantId: "3383999", hashKey: PRODUCTION_MERCHANT.hashKey, hashIv: PRODUCTION_MERCHANT.hashIv });
    const body = await answer.text();
    bodies.push(body);
    expect(answer.status).toBeLessThan(500);
    expect(body).not.toContain(PRODUCTION_MERCHANT.hashKey);
    expect(body).not.toContain(PRODUCTION_MERCHANT.hashIv);
  });

  it("signs everyone out of an app the shop uninstalled, and only of that app", async () => {
    const webatm = await signInMerchant(stack.prisma, "webatm", OTHER_SHOP);
    const wechatpay = await signInMerchant(stack.prisma, "wechatpay", OTHER_SHOP);
    const uninstalled = await signedWebhook(stack.server.origin, { method: "webatm", topic: "app/uninstalled", shop: OTHER_SHOP, secret: appSecret("webatm"), payload: { shop_domain: OTHER_SHOP } });
    expect(uninstalled.status).toBe(200);
    expect(await stack.prisma.adminSession.count({ where: { id: webatm.id } })).toBe(0);
    expect(await stack.prisma.adminSession.count({ where: { id: wechatpay.id } })).toBe(1);
    expect((await http(`${stack.server.origin}/apps/webatm`, { headers: { "User-Agent": BROWSER, cookie: webatm.cookieHeader } })).status).toBe(302);
  });

  it("never shows one shop another shop's payments", async () => {
    const ours = await handOff(SHOP, "credit");
    const signedIn = (shop: string, page: string) => admin.get(`/apps/credit${page}`, "credit", shop).then(async (r) => ({ status: r.status, body: await r.text() }));
    // The control: our own admin finds it.
    const own = await signedIn(SHOP, `/transactions/${ours.paymentId}`);
    expect(own.status).toBe(200);
    expect(own.body).toContain(ours.merchantTradeNo);
    for (const page of pages(ours.paymentId).concat([`/transactions?q=${ours.merchantTradeNo}`])) {
      const answer = await signedIn(OTHER_SHOP, page);
      bodies.push(answer.body);
      // A search box shows what was searched for; anything else of ours must not appear.
      for (const secret of [ours.paymentId, ours.merchantTradeNo].filter((id) => !page.includes(id))) expect(answer.body, page).not.toContain(secret);
    }
  });
});

describe("the mTLS header check", () => {
  it("refuses /payments/* without the terminator's header (403) and leaves other routes alone", async () => {
    const db = await cloneDatabase(inject("templateDatabaseUrl"));
    try {
      mtlsServer = await startAppServer(testAppEnv({ DATABASE_URL: db.url, DISABLE_WORKERS: "1", MTLS_VERIFIED_HEADER: "X-Client-Verify", MTLS_VERIFIED_VALUE: "SUCCESS" }));
      const origin = mtlsServer.origin;
      const shopify = { "Content-Type": "application/json", "Shopify-Shop-Domain": SHOP, "Shopify-Request-Id": "r1", "Shopify-Api-Version": "2026-07" };
      for (const path of ["/payments/credit/session", "/payments/credit/refund", "/payments/atm/capture", "/payments/credit/void"]) {
        const variants: Array<Record<string, string>> = [{}, { "X-Client-Verify": "FAILED" }, { "X-Client-Verify": "success" }, { "X-Client-Verify": "" }];
        for (const header of variants) {
          const answer = await http(`${origin}${path}`, { method: "POST", headers: { ...shopify, ...header }, body: "{}" });
          expect(answer.status, `${path} ${JSON.stringify(header)}`).toBe(403);
          expect(answer.body).toMatch(/mTLS/);
        }
        // With the header the request reaches the route, which judges the (empty) body itself.
        const passed = await http(`${origin}${path}`, { method: "POST", headers: { ...shopify, "X-Client-Verify": "SUCCESS" }, body: "{}" });
        expect(passed.status, path).toBe(400);
      }
      // ECPay and the buyer never come through the terminator: not checked there.
      expect((await http(`${origin}/ecpay/credit/return`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "MerchantTradeNo=X1" })).status).toBe(404);
      expect((await http(`${origin}/pay/credit/unknown`)).status).toBe(404);
      expect((await http(`${origin}/healthz`)).status).toBe(200);
    } finally {
      await mtlsServer?.stop();
      await db.drop();
    }
  });
});

describe("the buyer pages", () => {
  const page = (path: string, init: RequestInit = {}) =>
    http(`${stack.server.origin}${path}`, { ...init, headers: { "User-Agent": BROWSER, ...(init.headers ?? {}) } });

  async function startedSession(method: MethodHandle, options: { test?: boolean; locale?: string } = {}) {
    const started = await stack.shopify.startPayment(SHOP, method, {
      test: options.test ?? false,
      kind: "sale",
      amount: 1480,
      ...(options.locale ? { customer: { locale: options.locale } } : {}),
    });
    expect(started.ok).toBe(true);
    return { id: started.session.id, path: new URL(started.redirectUrl!).pathname };
  }

  it("show HTML that reached an ATM account's fields only as text, on the account page and its waiting page", async () => {
    const session = await startedSession("atm");
    const form = await openHandOff(`${stack.server.origin}${session.path}`, { headers: { "User-Agent": BROWSER } });
    const hostile = {
      bankCode: "<script>alert(1)</script>",
      vAccount: `"><img src=x onerror=alert(2)>`,
      expireDate: "</dd><svg onload=alert(3)>",
    };
    await retryBusy(() =>
      stack.prisma.paymentAttempt.update({ where: { merchantTradeNo: form.fields.MerchantTradeNo! }, data: { status: "ISSUED", ...hostile } }),
    );
    await retryBusy(() => stack.prisma.paymentSession.update({ where: { id: session.id }, data: { status: "PENDING" } }));
    for (const path of [session.path, `${session.path}?wait=1`]) {
      const shown = await page(path);
      expect(shown.status, path).toBe(200);
      expect(shown.body).toContain('<dd id="atm-bank-code">&lt;script&gt;alert(1)&lt;/script&gt;</dd>');
      expect(shown.body).toContain('<dd id="atm-account">&quot;&gt;&lt;img src=x onerror=alert(2)&gt;</dd>');
      expect(shown.body).toContain('<dd id="atm-deadline">&lt;/dd&gt;&lt;svg onload=alert(3)&gt;</dd>');
      // The one script is the page's own copy button's, under this response's nonce.
      const nonce = /script-src 'nonce-([^']+)'/.exec(shown.headers.get("content-security-policy") ?? "")?.[1];
      const scripts = [...shown.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
      expect(scripts).toEqual([` nonce="${nonce}"`]);
      expect(shown.body.replace(/<script nonce="[^"]+">[^<]*<\/script>/, "")).not.toMatch(/<script|<img|<svg/);
      expect(shown.headers.get("content-security-policy")).toMatch(/^default-src 'none'; script-src 'nonce-[^']+'; .*form-action 'none'/);
    }
  });

  it("send the hand-off form under a CSP whose nonce is its one script's and whose form-action is the ECPay origin it posts to", async () => {
    for (const [test, ecpay] of [
      [false, stack.production],
      [true, stack.stage],
    ] as const) {
      const session = await startedSession("credit", { test });
      const shown = await page(session.path);
      expect(shown.status).toBe(200);
      const policy = shown.headers.get("content-security-policy") ?? "";
      const nonce = /script-src 'nonce-([A-Za-z0-9+/=]{24})'/.exec(policy)?.[1];
      expect(nonce, policy).toBeDefined();
      expect(policy).toBe(
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; form-action ${ecpay.origin}; base-uri 'none'; frame-ancestors 'none'`,
      );
      expect(shown.body.match(/<script/g)).toHaveLength(1);
      expect(shown.body).toContain(`<script nonce="${nonce}">`);
      expect(shown.body).toContain(`<style nonce="${nonce}">`);
      expect(shown.body).toContain(`action="${ecpay.origin}/Cashier/AioCheckOut/V5"`);
      // Without JavaScript the buyer still has a button to press.
      expect(shown.body).toMatch(/<button type="submit">[^<]+<\/button>/);
      expect(shown.headers.get("x-frame-options")).toBe("DENY");
      expect(shown.headers.get("referrer-policy")).toBe("no-referrer");
      expect(shown.headers.get("cache-control")).toBe("no-store");
      const again = await page(session.path);
      expect(again.headers.get("content-security-policy")).not.toContain(nonce);
    }
  });

  it("refuse a session whose cancel_url is javascript:, data: or plain http with a 400 naming the field, and store nothing", async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ["js_cancel_1", { payment_method: { type: "offsite", data: { cancel_url: "javascript:alert(1)" } } }],
      ["data_cancel_1", { payment_method: { type: "offsite", data: { cancel_url: "data:text/html,<script>alert(1)</script>" } } }],
      ["http_cancel_1", { payment_method: { type: "offsite", data: { cancel_url: "http://evil.example/checkouts/cn/x/processing" } } }],
      ["top_cancel_1", { payment_method: { type: "offsite", data: {} }, cancel_url: "javascript:alert(1)" }],
    ];
    for (const [id, urls] of cases) {
      const response = await http(`${stack.server.origin}/payments/credit/session`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Shopify-Shop-Domain": SHOP,
          "Shopify-Request-Id": randomBytes(8).toString("hex"),
          "Shopify-Api-Version": "2026-07",
        },
        body: JSON.stringify({
          id,
          gid: `gid://shopify/PaymentSession/${id}`,
          group: `grp-${id}`,
          amount: "500.00",
          currency: "TWD",
          test: false,
          proposed_at: new Date().toISOString(),
          kind: "sale",
          ...urls,
        }),
      });
      expect(response.status, id).toBe(400);
      expect(response.body).toMatch(/cancel_url: must be an https URL/);
    }
    expect(await stack.prisma.paymentSession.count({ where: { id: { in: cases.map(([id]) => id) } } })).toBe(0);
  });

  it("create no 11th ECPay attempt for one session within the hour: 429 with Retry-After and a way to another method", async () => {
    const session = await startedSession("credit");
    for (let visit = 1; visit <= 10; visit += 1) expect((await page(session.path)).status, `visit ${visit}`).toBe(200);
    const capped = await page(session.path);
    expect(capped.status).toBe(429);
    const retryAfter = Number(capped.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(capped.body).toContain('id="too-many-attempts"');
    expect(capped.body).toContain("嘗試次數過多");
    expect(capped.body).toMatch(/<a class="button secondary" id="change-method" href="http:\/\/127\.0\.0\.1:\d+\/checkouts\//);
    expect(capped.body).not.toContain("<form");
    expect(await stack.prisma.paymentAttempt.count({ where: { paymentSessionId: session.id } })).toBe(10);
  });

  it("send one QueryTradeInfo for the waiting page's polls of one session within 10 s, concurrent or on a newer attempt", async () => {
    const session = await startedSession("credit");
    const first = await openHandOff(`${stack.server.origin}${session.path}`, { headers: { "User-Agent": BROWSER } });
    expect((await submitToEcpay(first)).status).toBe(302);
    const queries = () =>
      stack.production.apiRequests().filter((r) => r.path === "/Cashier/QueryTradeInfo/V5" && tradeNos.includes(r.merchantTradeNo));
    const tradeNos = [first.fields.MerchantTradeNo!];
    await Promise.all([page(`${session.path}?wait=1`), page(`${session.path}?wait=1`)]);
    expect(queries()).toHaveLength(1);
    const second = await openHandOff(`${stack.server.origin}${session.path}`, { headers: { "User-Agent": BROWSER } });
    tradeNos.push(second.fields.MerchantTradeNo!);
    expect((await submitToEcpay(second)).status).toBe(302);
    expect((await page(`${session.path}?wait=1`)).status).toBe(200);
    expect(queries().map((r) => r.merchantTradeNo)).toEqual([first.fields.MerchantTradeNo]);
  });

  it("never store or follow a nextAction URL from Shopify that is not https on a DNS host: the buyer keeps the waiting page", async () => {
    const session = await startedSession("credit");
    const form = await openHandOff(`${stack.server.origin}${session.path}`, { headers: { "User-Agent": BROWSER } });
    expect((await submitToEcpay(form)).status).toBe(302);
    stack.shopify.faults.nextActionUrl = "javascript:alert(document.cookie)";
    try {
      await stack.production.pay(form.fields.MerchantTradeNo!);
      await waitUntil(
        async () =>
          (await stack.prisma.outboxMessage.findFirst({ where: { subjectId: session.id, mutation: "paymentSessionResolve", status: "DELIVERED" } })) !== null,
        { timeoutMs: 10_000, message: "the resolve delivered" },
      );
    } finally {
      stack.shopify.faults.nextActionUrl = null;
    }
    const row = await stack.prisma.paymentSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.status).toBe("PAID");
    expect(row.nextActionUrl).toBeNull();
    expect(stack.server.output.some((line) => line.includes(`"paymentId":"${session.id}"`) && /nextAction URL is refused \(must be an https URL\)/.test(line))).toBe(true);
    const back = await page(session.path);
    expect(back.status).toBe(200);
    expect(back.body).toContain('<meta http-equiv="refresh"');
    expect(back.body).not.toContain("javascript:");
  });

  it("send Language=ENG to ECPay for an English buyer's card payment only (ECPay documents it for Credit)", async () => {
    for (const method of ["credit", "atm", "webatm", "twqr", "wechatpay"] as const) {
      const session = await startedSession(method, { locale: "en" });
      const form = await openHandOff(`${stack.server.origin}${session.path}`, { headers: { "User-Agent": BROWSER } });
      expect(form.html, method).toContain("Continue to ECPay");
      expect(form.fields.Language, method).toBe(method === "credit" ? "ENG" : undefined);
    }
  });
});

describe("secrets", () => {
  it("rotate-keys re-seals every ECPay key and Shopify token, v1 ones too, as v2 with the new key; the old key can then go", async () => {
    const db = await cloneDatabase(inject("templateDatabaseUrl"));
    const prisma: PrismaClient = prismaFor(db.url);
    try {
      const oldKey = randomBytes(32).toString("base64");
      const newKey = randomBytes(32).toString("base64");
      const oldBox = createSecretBox({ ENCRYPTION_KEY: oldKey });
      await seedShop(prisma, oldBox, { method: "credit", shop: SHOP, accessToken: "shpat_rotate_me", ...PRODUCTION_MERCHANT, ready: true });
      // A token stored before tokens were sealed.
      await prisma.session.create({ data: { id: "atm:offline_legacy.myshopify.com", shop: "legacy.myshopify.com", state: "x", accessToken: "shpat_legacy_plain" } });
      // A binding and a token as the release before format v2 sealed them, under the old key.
      await prisma.ecpayBinding.create({
        data: { shop: "legacy.myshopify.com", merchantId: OTHER_MERCHANT.merchantId, hashKeyEnc: sealV1(oldKey, OTHER_MERCHANT.hashKey), hashIvEnc: sealV1(oldKey, OTHER_MERCHANT.hashIv) },
      });
      await prisma.session.create({ data: { id: "credit:offline_legacy.myshopify.com", shop: "legacy.myshopify.com", state: "x", accessToken: sealV1(oldKey, "shpat_legacy_v1") } });

      const env = testAppEnv({ DATABASE_URL: db.url, ENCRYPTION_KEY: newKey, ENCRYPTION_KEY_PREVIOUS: oldKey });
      const first = runOps(["rotate-keys"], env);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/re-sealed 5 field\(s\) of 2 ECPay binding\(s\) and 3 token\(s\) of 3 session\(s\)/);
      const second = runOps(["rotate-keys"], env);
      expect(second.stdout).toMatch(/re-sealed 0 field\(s\) of 2 ECPay binding\(s\) and 0 token\(s\)/);

      const newOnly = createSecretBox({ ENCRYPTION_KEY: newKey });
      const binding = await prisma.ecpayBinding.findFirstOrThrow({ where: { shop: SHOP } });
      expect(productionCredentials(newOnly, binding)).toMatchObject({ hashKey: PRODUCTION_MERCHANT.hashKey, hashIv: PRODUCTION_MERCHANT.hashIv });
      expect(creditCheckCode(newOnly, binding)).toBe(PRODUCTION_MERCHANT.creditCheckCode);
      expect(() => productionCredentials(oldBox, binding)).toThrow(/not configured/);
      const legacy = await prisma.ecpayBinding.findFirstOrThrow({ where: { shop: "legacy.myshopify.com" } });
      expect(productionCredentials(newOnly, legacy)).toMatchObject({ hashKey: OTHER_MERCHANT.hashKey, hashIv: OTHER_MERCHANT.hashIv });
      // Every stored secret is now v2 under the new key, bound to its row: another shop's row does not open it.
      const sealed = [binding.hashKeyEnc, binding.hashIvEnc, binding.creditCheckCodeEnc, legacy.hashKeyEnc, legacy.hashIvEnc];
      for (const session of await prisma.session.findMany()) sealed.push(session.accessToken);
      for (const value of sealed) expect(value?.startsWith(`v2.${keyIdOf(newKey)}.`), value ?? "null").toBe(true);
      expect(() => productionCredentials(newOnly, { ...legacy, hashKeyEnc: binding.hashKeyEnc })).toThrow(/does not open here/);
      expect((await createSessionStorage(prisma, "credit", newOnly).loadSession(`offline_${SHOP}`))?.accessToken).toBe("shpat_rotate_me");
      expect((await createSessionStorage(prisma, "atm", newOnly).loadSession("offline_legacy.myshopify.com"))?.accessToken).toBe("shpat_legacy_plain");
      expect((await createSessionStorage(prisma, "credit", newOnly).loadSession("offline_legacy.myshopify.com"))?.accessToken).toBe("shpat_legacy_v1");
      expect(JSON.stringify(await prisma.session.findMany())).not.toMatch(/shpat_/);

      // Without the previous key, what it sealed cannot be opened: rotate-keys says so and fails.
      await seedShop(prisma, oldBox, { method: "atm", shop: "late.myshopify.com", accessToken: "shpat_late", ...PRODUCTION_MERCHANT, ready: true });
      const missingKey = runOps(["rotate-keys"], testAppEnv({ DATABASE_URL: db.url, ENCRYPTION_KEY: newKey }));
      expect(missingKey.status).toBe(1);
      expect(missingKey.stderr).toMatch(/not configured/);
    } finally {
      await prisma.$disconnect();
      await db.drop();
    }
  });

  it("left in v1 by the previous release still sign payments and tell Shopify, and still do once rotate-keys made them v2", async () => {
    // The running server's own shop: its binding and credit token as the previous release stored them.
    const v1 = (value: string) => sealV1(TEST_ENCRYPTION_KEY, value);
    const legacyRows = () =>
      Promise.all([
        stack.prisma.ecpayBinding.updateMany({
          where: { shop: SHOP },
          data: { hashKeyEnc: v1(PRODUCTION_MERCHANT.hashKey), hashIvEnc: v1(PRODUCTION_MERCHANT.hashIv), creditCheckCodeEnc: v1(PRODUCTION_MERCHANT.creditCheckCode) },
        }),
        stack.prisma.session.update({ where: { id: `credit:offline_${SHOP}` }, data: { accessToken: v1(tokenFor("credit")) } }),
      ]);
    await retryBusy(legacyRows);
    const paysAndResolves = async () => {
      // The hand-off form is signed with the stored HashKey/HashIV (the emulator checks it), ECPay's
      // notification is verified with them, and Shopify is told with the stored token.
      const flow = await handOff(SHOP, "credit");
      expect(await postEcpay("/ecpay/credit/return", sign(paidFields(flow)))).toMatchObject({ status: 200, body: "1|OK" });
      await waitUntil(() => stack.prisma.outboxMessage.findFirst({ where: { subjectId: flow.paymentId, mutation: "paymentSessionResolve", status: "DELIVERED" } }));
    };
    await paysAndResolves();

    // SQLite: the server's worker may hold the write lock for a moment; rotate-keys is safe to rerun.
    let rotated = runOps(["rotate-keys"], stack.env);
    for (let attempt = 0; rotated.status !== 0 && attempt < 3; attempt += 1) rotated = runOps(["rotate-keys"], stack.env);
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/re-sealed [1-9]\d* field\(s\) of 2 ECPay binding\(s\) and [1-9]\d* token\(s\)/);
    const binding = await stack.prisma.ecpayBinding.findFirstOrThrow({ where: { shop: SHOP } });
    const session = await stack.prisma.session.findUniqueOrThrow({ where: { id: `credit:offline_${SHOP}` } });
    for (const value of [binding.hashKeyEnc, binding.hashIvEnc, binding.creditCheckCodeEnc, session.accessToken]) {
      expect(value?.startsWith(`v2.${keyIdOf(TEST_ENCRYPTION_KEY)}.`), value ?? "null").toBe(true);
    }
    await paysAndResolves();
  });

  it("are not stored in plaintext: the database holds no HashKey, HashIV, check code or access token", async () => {
    await stack.production.whenNotificationsSettled();
    const secrets = [PRODUCTION_MERCHANT.hashKey, PRODUCTION_MERCHANT.hashIv, PRODUCTION_MERCHANT.creditCheckCode, OTHER_MERCHANT.hashKey, OTHER_MERCHANT.hashIv, OTHER_TOKEN, ...METHOD_HANDLES.map(tokenFor)];
    if (isPostgresRun) {
      const tables = await stack.prisma.$queryRawUnsafe<Array<{ tablename: string }>>(`SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = 'public'`);
      for (const { tablename } of tables) {
        const rows = await stack.prisma.$queryRawUnsafe<unknown[]>(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
        const text = JSON.stringify(rows);
        for (const secret of secrets) expect(text, `${tablename} holds ${secret}`).not.toContain(secret);
      }
    } else {
      const file = stack.db.url.replace(/^file:/, "");
      const bytes = Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
      expect(bytes.length).toBeGreaterThan(0);
      for (const secret of secrets) expect(bytes.includes(Buffer.from(secret)), `database file holds ${secret}`).toBe(false);
    }
    // The scan can see: ids that are stored in plaintext are found.
    const ids = await stack.prisma.paymentAttempt.findFirstOrThrow();
    if (!isPostgresRun) {
      const file = stack.db.url.replace(/^file:/, "");
      const bytes = Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
      expect(bytes.includes(Buffer.from(ids.merchantTradeNo))).toBe(true);
    }
  });

  it("never appear in a server log line or in any response this suite received", async () => {
    // Exercise the paths that handle keys and tokens: a paid payment (signing, verifying, the
    // Shopify mutation with the token) and a refund (DoAction with the keys).
    const flow = await handOff(SHOP, "credit");
    await stack.production.pay(flow.merchantTradeNo);
    await waitUntil(() => stack.shopify.paymentSession(flow.paymentId)?.finalMutation, { timeoutMs: 20_000 });
    const order = stack.shopify.orderForPayment(flow.gid)!;
    await stack.shopify.refund(order.id, 100);
    await waitUntil(async () => (await stack.prisma.operationSession.count({ where: { paymentSessionId: flow.paymentId, status: { not: "RECEIVED" } } })) > 0, { timeoutMs: 30_000 });

    const secrets = [
      PRODUCTION_MERCHANT.hashKey,
      PRODUCTION_MERCHANT.hashIv,
      PRODUCTION_MERCHANT.creditCheckCode,
      OTHER_MERCHANT.hashKey,
      OTHER_MERCHANT.hashIv,
      OTHER_TOKEN,
      TEST_ENCRYPTION_KEY,
      ...METHOD_HANDLES.map(tokenFor),
      ...METHOD_HANDLES.map(appSecret),
    ];
    const logs = [...stack.server.output, ...(mtlsServer?.output ?? [])];
    expect(logs.length).toBeGreaterThan(0);
    expect(bodies.length).toBeGreaterThan(50);
    for (const secret of secrets) {
      expect(logs.filter((line) => line.includes(secret)), `log lines with ${secret}`).toEqual([]);
      expect(bodies.filter((body) => body.includes(secret)).map((b) => b.slice(0, 200)), `responses with ${secret}`).toEqual([]);
    }
  });
});
