// The buyer's pages in the buyer's language and the binding confirmation's word on the shop's other
// apps, over real HTTP against the built server, the ECPay emulator and the Shopify simulator.
// Buyer pages: the ATM account page (account, deadline, NT$ amount, the checkout reference the
// merchant's admin shows too, a copy button that exists only with JavaScript), the WebATM phone
// warning and the page a buyer who cancelled on ECPay comes back to. Binding: which apps a
// confirmation changes or leaves alone, by name, and the success banner after each change.
import { describe, expect, it } from "vitest";
import { formatMoney } from "~/admin/format";
import { escapeHtml } from "~/ecpay/html";
import { SHOPIFY_STATUS_WORDS } from "~/admin/status";
import { t as translate, type Locale, type MessageKey } from "~/i18n";
import { METHOD_HANDLES, PAYMENT_METHODS, type MethodHandle } from "~/payments/methods";
import { DESKTOP_BROWSER } from "../support/checkout-flow";
import { openHandOff, PRODUCTION_MERCHANT, SHOP, submitToEcpay } from "../support/payment-stack";
import { adminStackPerFile } from "../support/per-file";
import { waitUntil } from "../support/wait";

const file = adminStackPerFile();

/** A message as the pages carry it: escaped (the English ones have apostrophes). */
const t = (locale: Locale, key: MessageKey, vars?: Record<string, string | number>) => escapeHtml(translate(locale, key, vars));

/**
 * An file.admin page's HTML. React 18's renderToPipeableStream can put a NUL byte at a 2 KB chunk
 * boundary inside CJK text (react/react#31134): the server drops them (entry.server.tsx), so a page
 * never carries one.
 */
const adminHtml = async (response: Response) => {
  const html = await response.text();
  expect(html.includes("\0"), "the file.admin page carries a NUL byte").toBe(false);
  return html;
};

/** The tone of the Polaris banner whose title is `title` (Polaris colours it by tone, e.g. bg-fill-success). */
function bannerTone(html: string, title: string): string | null {
  const at = html.indexOf(title);
  const start = html.lastIndexOf('class="Polaris-Banner ', at);
  if (at < 0 || start < 0) return null;
  return /bg-(?:fill|surface)-(success|warning|critical|info)/.exec(html.slice(start, at))?.[1] ?? null;
}

const PHONE = { "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148" };
const AMOUNT = 2380;

async function buyerPage(path: string, headers: Record<string, string> = DESKTOP_BROWSER) {
  const response = await fetch(`${file.stack.server.origin}${path}`, { headers, redirect: "manual" });
  return { status: response.status, csp: response.headers.get("content-security-policy") ?? "", body: await response.text() };
}

async function start(method: MethodHandle, locale: Locale) {
  const started = await file.stack.shopify.startPayment(SHOP, method, { test: false, kind: "sale", amount: AMOUNT, customer: { locale } });
  expect(started.ok, JSON.stringify(started.request)).toBe(true);
  return { id: started.session.id, path: new URL(started.redirectUrl!).pathname, reference: started.session.checkoutToken };
}

/** A buyer who chose ATM: handed off, ECPay issued the account, Shopify was told pending. */
async function atmAccountIssued(locale: Locale) {
  const session = await start("atm", locale);
  const form = await openHandOff(`${file.stack.server.origin}${session.path}`, { headers: DESKTOP_BROWSER });
  expect((await submitToEcpay(form)).status).toBe(302);
  const attempt = await waitUntil(
    () => file.stack.prisma.paymentAttempt.findFirst({ where: { merchantTradeNo: form.fields.MerchantTradeNo!, status: "ISSUED", paymentSession: { status: "PENDING" } } }),
    { timeoutMs: 10_000 },
  );
  return { ...session, form, attempt };
}

describe.each(["en", "zh-TW"] as const)("the buyer's ATM page in %s", (locale) => {
  it("shows the virtual account, its deadline, the NT$ amount due, the checkout reference and a copy button", async () => {
    const { id, path, reference, attempt, form } = await atmAccountIssued(locale);
    expect(form.html).toContain(t(locale, "buyer.redirecting"));
    expect(form.html).toContain(`<dd id="order-amount">${formatMoney(AMOUNT)}</dd>`);

    const page = await buyerPage(path);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<html lang="${locale === "en" ? "en" : "zh-Hant-TW"}">`);
    expect(page.body).toContain(`<h1>${t(locale, "buyer.atmTitle")}</h1>`);
    expect(attempt.vAccount).toMatch(/^\d{10,16}$/);
    expect(page.body).toContain(`<dt>${t(locale, "buyer.atmAccount")}</dt><dd id="atm-account">${attempt.vAccount}</dd>`);
    expect(page.body).toContain(`<dt>${t(locale, "buyer.atmDeadline")}</dt><dd id="atm-deadline">${attempt.expireDate}</dd>`);
    // The admin's formatter: "NT$2,380", never "2380" or "NT$ 2,380".
    expect(page.body).toContain(`<dt>${t(locale, "buyer.atmAmount")}</dt><dd id="atm-amount">NT$2,380</dd>`);
    expect(page.body).toContain(`<dt>${t(locale, "buyer.orderRef")}</dt><dd id="order-ref">${reference}</dd>`);
    expect(page.body).toContain(`<dd id="payment-status">${SHOPIFY_STATUS_WORDS.pending[locale]}</dd>`);
    // Hidden until the page's own script runs (nothing dead without JavaScript); that script
    // carries this response's CSP nonce.
    expect(page.body).toContain(
      `<button type="button" class="secondary" id="copy-atm-account" data-copy="atm-account" data-done="${t(locale, "buyer.copied")}" hidden>${t(locale, "buyer.copyAccount")}</button>`,
    );
    const nonce = /script-src 'nonce-([^']+)'/.exec(page.csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(page.body).toContain(`<script nonce="${nonce}">document.querySelectorAll("button[data-copy]")`);
    expect(page.body.match(/<script/g)).toHaveLength(1);
    // The merchant finds the payment by the same reference.
    expect(await adminHtml(await file.admin.get(`/apps/atm/transactions/${id}`, "atm", SHOP))).toContain(reference);
    // One language per page: no label of the other one.
    const other: Locale = locale === "en" ? "zh-TW" : "en";
    for (const key of ["buyer.atmAccount", "buyer.atmDeadline", "buyer.atmAmount", "buyer.copyAccount"] as const) {
      expect(page.body).not.toContain(t(other, key));
    }
  });
});

describe("the buyer's other pages in English", () => {
  it("warn a phone that WebATM needs a computer, with the checkout reference, the amount and the way back", async () => {
    const { path, reference } = await start("webatm", "en");
    const page = await buyerPage(path, PHONE);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<p id="webatm-desktop-only">${t("en", "buyer.webatmDesktop")}</p>`);
    expect(page.body).toContain(t("en", "buyer.webatmContinue"));
    expect(page.body).toMatch(new RegExp(`id="change-method" href="[^"]+">${t("en", "buyer.changeMethod")}</a>`));
    expect(page.body).toContain(`<dd id="order-ref">${reference}</dd>`);
    expect(page.body).toContain(`<dd id="order-amount">${formatMoney(AMOUNT)}</dd>`);
    expect(page.body).not.toContain(t("zh-TW", "buyer.webatmDesktop"));
  });

  it("tell a buyer back from cancelling on ECPay that nothing was paid, with retry and another method", async () => {
    const { path, reference } = await start("credit", "en");
    await openHandOff(`${file.stack.server.origin}${path}`, { headers: DESKTOP_BROWSER });
    // ECPay's "back to the shop" (ClientBackURL): our query finds the trade unpaid.
    const page = await buyerPage(`${path}?wait=1`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<h1>${t("en", "buyer.failed")}</h1>`);
    expect(page.body).toContain(`id="retry" href="${path}">${t("en", "buyer.retry")}</a>`);
    expect(page.body).toContain(`>${t("en", "buyer.changeMethod")}</a>`);
    expect(page.body).toContain(`<dd id="order-ref">${reference}</dd>`);
    expect(page.body).toContain(`<dd id="order-amount">NT$2,380</dd>`);
  });
});

/** The app names in one impact block of the confirmation (data-impact), in order. */
function impactApps(html: string, message: string): string[] | null {
  const block = new RegExp(`data-impact="${message.replace(/\./g, "\\.")}"[\\s\\S]*?</ul>`).exec(html)?.[0];
  return block ? [...block.matchAll(/<li[^>]*>([^<]*)<\/li>/g)].map((m) => m[1]!) : null;
}

const names = (methods: readonly MethodHandle[], locale: Locale) => methods.map((m) => PAYMENT_METHODS[m].serviceName[locale]);
const others = (method: MethodHandle) => METHOD_HANDLES.filter((m) => m !== method);

describe("the binding confirmation", () => {
  const verify = (method: MethodHandle, keys: { merchantId: string; hashKey: string; hashIv: string }, headers: Record<string, string> = {}) =>
    file.admin.post(`/apps/${method}/bind`, method, SHOP, { intent: "verify", ...keys, creditCheckCode: PRODUCTION_MERCHANT.creditCheckCode }, { headers });

  it("lists by name the shop's other apps sharing the MerchantID, which a confirmation changes, and ends on a success banner", async () => {
    const keys = { merchantId: PRODUCTION_MERCHANT.merchantId, hashKey: PRODUCTION_MERCHANT.hashKey, hashIv: PRODUCTION_MERCHANT.hashIv };
    const english = await verify("credit", keys, { "accept-language": "en-US" });
    expect(english.status).toBe(200);
    expect(impactApps(await adminHtml(english), "admin.confirm.changes")).toEqual(names(others("credit"), "en"));

    const answer = await verify("credit", keys);
    const html = await adminHtml(answer);
    expect(html).toContain('id="confirm-title"');
    expect(html).toContain(t("zh-TW", "admin.confirm.changes", { merchantId: keys.merchantId }));
    expect(impactApps(html, "admin.confirm.changes")).toEqual(names(others("credit"), "zh-TW"));
    expect(impactApps(html, "admin.confirm.keeps")).toBeNull();

    const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
    expect(token).toBeTruthy();
    const confirmed = await file.admin.post("/apps/credit/bind", "credit", SHOP, { intent: "confirm", token: token!.replace(/&amp;/g, "&") });
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get("location")).toBe("/apps/credit/bind?done=bound");
    const page = await adminHtml(await file.admin.get("/apps/credit/bind?done=bound", "credit", SHOP));
    expect(bannerTone(page, t("zh-TW", "admin.bind.doneTitle", { merchantId: keys.merchantId }))).toBe("success");
    expect(page).toContain('id="bind-done"');
    expect(page).toContain(`${t("zh-TW", "admin.bind.sharedWith")} ${names(others("credit"), "zh-TW").join("、")}`);
    // The banner is the answer to a change, not part of the page.
    expect(await adminHtml(await file.admin.get("/apps/credit/bind", "credit", SHOP))).not.toContain('id="bind-done"');
  });

  it("says which apps keep the current MerchantID when one app is rebound to another, and that no app changes with it", async () => {
    const other = { merchantId: "3383777", hashKey: "OtherKey3Fz8Np2Q", hashIv: "OtherIv6Tg1Hm4Ws" };
    file.stack.production.addMerchant(other);
    const html = await adminHtml(await verify("unionpay", other));
    expect(html).toContain(t("zh-TW", "admin.confirm.keeps", { merchantId: PRODUCTION_MERCHANT.merchantId }));
    expect(impactApps(html, "admin.confirm.keeps")).toEqual(names(others("unionpay"), "zh-TW"));
    expect(impactApps(html, "admin.confirm.changes")).toBeNull();
  });

  it("after unbinding shows a success banner, and reusing the account names the apps it is shared with and ends on a success banner", async () => {
    const unbound = await file.admin.post("/apps/wechatpay/bind", "wechatpay", SHOP, { intent: "unbind" });
    expect(unbound.status).toBe(200);
    const unboundPage = await adminHtml(unbound);
    expect(bannerTone(unboundPage, t("zh-TW", "admin.unbind.doneTitle"))).toBe("success");

    const binding = await file.stack.prisma.ecpayBinding.findFirstOrThrow({ where: { shop: SHOP, merchantId: PRODUCTION_MERCHANT.merchantId } });
    const offer = await adminHtml(await file.admin.get(`/apps/wechatpay/bind?reuse=${binding.id}`, "wechatpay", SHOP));
    expect(offer).toContain(t("zh-TW", "admin.reuse.shares", { merchantId: PRODUCTION_MERCHANT.merchantId }));
    expect(impactApps(offer, "admin.reuse.shares")).toEqual(names(others("wechatpay"), "zh-TW"));

    const reused = await file.admin.post(`/apps/wechatpay/bind?reuse=${binding.id}`, "wechatpay", SHOP, { intent: "reuse-confirm", bindingId: binding.id });
    expect(reused.status).toBe(302);
    expect(reused.headers.get("location")).toBe("/apps/wechatpay/bind?done=reused");
    const page = await adminHtml(await file.admin.get("/apps/wechatpay/bind?done=reused", "wechatpay", SHOP));
    expect(bannerTone(page, t("zh-TW", "admin.reuse.doneTitle", { merchantId: PRODUCTION_MERCHANT.merchantId }))).toBe("success");
    expect((await file.stack.prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "wechatpay", shop: SHOP } } })).bindingId).toBe(binding.id);
  });
});
