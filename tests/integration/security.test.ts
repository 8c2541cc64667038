// Security over real HTTP against the built server: ECPay messages are trusted only by their
// signature and only for the trade, shop, app and MerchantID they belong to; webhooks need
// Shopify's HMAC; the admin shows nothing without a valid session and nothing of another shop;
// /payments/* can be tied to the mTLS terminator; secrets never leave the server and are not
// stored in plaintext; rotate-keys re-seals them.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { computeCheckMacValue } from "~/ecpay/check-mac-value";
import { encodeFormBody } from "~/ecpay/form-body";
import { createSecretBox } from "~/lib/secrets.server";
import { seedShop } from "~/ops/seed-shop.server";
import { paymentIdToCustomField } from "~/payments/custom-field";
import { METHOD_HANDLES, type MethodHandle } from "~/payments/methods";
import { createSessionStorage } from "~/shopify/session-storage.server";
import { adminClient, signInMerchant } from "../support/admin-session";
import { startAppServer, type AppServer } from "../support/app-server";
import { cloneDatabase, isPostgresRun } from "../support/database";
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
    expect((await stack.prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "credit", shop: SHOP } } })).locale).toBe("en");
    await stack.prisma.shopInstallation.update({ where: { method_shop: { method: "credit", shop: SHOP } }, data: { locale: null } });
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

describe("secrets", () => {
  it("rotate-keys re-seals every ECPay key and Shopify token with the new key; the old key can then go", async () => {
    const db = await cloneDatabase(inject("templateDatabaseUrl"));
    const prisma: PrismaClient = prismaFor(db.url);
    try {
      const oldKey = randomBytes(32).toString("base64");
      const newKey = randomBytes(32).toString("base64");
      const oldBox = createSecretBox({ ENCRYPTION_KEY: oldKey });
      await seedShop(prisma, oldBox, { method: "credit", shop: SHOP, accessToken: "shpat_rotate_me", ...PRODUCTION_MERCHANT, ready: true });
      // A token stored before tokens were sealed.
      await prisma.session.create({ data: { id: "atm:offline_legacy.myshopify.com", shop: "legacy.myshopify.com", state: "x", accessToken: "shpat_legacy_plain" } });

      const env = testAppEnv({ DATABASE_URL: db.url, ENCRYPTION_KEY: newKey, ENCRYPTION_KEY_PREVIOUS: oldKey });
      const first = runOps(["rotate-keys"], env);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/re-sealed 3 field\(s\) of 1 ECPay binding\(s\) and 2 token\(s\) of 2 session\(s\)/);
      const second = runOps(["rotate-keys"], env);
      expect(second.stdout).toMatch(/re-sealed 0 field\(s\) of 1 ECPay binding\(s\) and 0 token\(s\)/);

      const newOnly = createSecretBox({ ENCRYPTION_KEY: newKey });
      const binding = await prisma.ecpayBinding.findFirstOrThrow({ where: { shop: SHOP } });
      expect(newOnly.open(binding.hashKeyEnc)).toBe(PRODUCTION_MERCHANT.hashKey);
      expect(newOnly.open(binding.hashIvEnc)).toBe(PRODUCTION_MERCHANT.hashIv);
      expect(newOnly.open(binding.creditCheckCodeEnc!)).toBe(PRODUCTION_MERCHANT.creditCheckCode);
      expect(() => oldBox.open(binding.hashKeyEnc)).toThrow();
      expect((await createSessionStorage(prisma, "credit", newOnly).loadSession(`offline_${SHOP}`))?.accessToken).toBe("shpat_rotate_me");
      expect((await createSessionStorage(prisma, "atm", newOnly).loadSession("offline_legacy.myshopify.com"))?.accessToken).toBe("shpat_legacy_plain");
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
