// The buyer-facing pages of the hand-off (plain HTML: they must work without JavaScript, load fast
// on phones, and never run inside an iframe). Text comes from app/i18n in the buyer's language.
// Every page is built with the `html` tag (app/ecpay/html.ts), which escapes every value it is
// given; htmlPage() takes only its SafeHtml output. eslint keeps markup strings out of app/payments.
import { randomBytes } from "node:crypto";
import { html, type SafeHtml } from "../ecpay/html";
import { t, type Locale, type MessageKey } from "../i18n";
import { formatMoney } from "./money";
import { outsideUrlProblem } from "./outside-url";

export { html, type SafeHtml } from "../ecpay/html";

// Through the tag, with nothing interpolated: style text is not entity-decoded, so it must not be escaped.
// On a phone each label sits above its value, so a virtual account is read (and typed) on one line.
const STYLE = html`body{font-family:-apple-system,"PingFang TC","Noto Sans TC","Microsoft JhengHei",sans-serif;background:#f6f6f7;color:#202223;margin:0}
main{max-width:480px;margin:48px auto;background:#fff;border-radius:12px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:20px;margin:0 0 16px}p{line-height:1.6}a.button,button{display:inline-block;background:#008060;color:#fff;border:0;border-radius:8px;padding:12px 18px;font-size:16px;text-decoration:none;cursor:pointer;margin:6px 6px 6px 0}
a.secondary,button.secondary{background:#fff;color:#202223;border:1px solid #babfc3}[hidden]{display:none!important}dl{display:grid;grid-template-columns:auto 1fr;gap:8px 16px}dt{color:#6d7175}dd{margin:0;font-weight:600;font-size:18px;overflow-wrap:anywhere}
#atm-account{-webkit-user-select:all;user-select:all;font-variant-numeric:tabular-nums;letter-spacing:.04em;white-space:nowrap}dl.summary dd{font-size:16px}
@media (max-width:520px){main{margin:12px;padding:20px}dl{grid-template-columns:1fr;gap:2px}dd{margin-bottom:10px}}`;

// The copy button's behaviour, through the tag with nothing interpolated (script text is not
// entity-decoded either). It only reveals buttons it can serve: without JavaScript none shows.
const COPY_SCRIPT = html`document.querySelectorAll("button[data-copy]").forEach(function(b){var el=document.getElementById(b.getAttribute("data-copy")||"");if(!el)return;b.hidden=false;
b.addEventListener("click",function(){var v=(el.textContent||"").trim();function done(){b.textContent=b.getAttribute("data-done")||""}
function pick(){var r=document.createRange();r.selectNodeContents(el);var s=window.getSelection();if(s){s.removeAllRanges();s.addRange(r)}try{if(document.execCommand("copy"))done()}catch(e){}}
if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(v).then(done,pick)}else{pick()}})});`;

export interface PageOptions {
  locale: Locale;
  title?: MessageKey;
  /** The page's content; a function when it has the inline script, which needs the response's CSP nonce. */
  body: SafeHtml | ((nonce: string) => SafeHtml);
  /** Reload (or go to `url`) after `seconds`: waiting pages poll without JavaScript. */
  refresh?: { seconds: number; url: string };
  status?: number;
  /** Where the page's form posts (the ECPay origin in use): the only form-action the CSP allows. */
  formAction?: string;
  headers?: Record<string, string>;
}

/** The policy of one buyer page: nothing runs or loads but the nonce'd script and style. */
export function buyerPagePolicy(nonce: string, formAction?: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    `form-action ${formAction ? new URL(formAction).origin : "'none'"}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function htmlPage({ locale, title = "buyer.title", body, refresh, status = 200, formAction, headers = {} }: PageOptions): Response {
  // A fresh nonce per response (base64 of 16 random bytes: no character that needs escaping in CSP).
  const nonce = randomBytes(16).toString("base64");
  const content = typeof body === "function" ? body(nonce) : body;
  const meta = refresh ? html`<meta http-equiv="refresh" content="${refresh.seconds};url=${refresh.url}">` : "";
  const page = html`<!DOCTYPE html><html lang="${locale === "en" ? "en" : "zh-Hant-TW"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">${meta}
<title>${t(locale, title)}</title><style nonce="${nonce}">${STYLE}</style></head><body><main>${content}</main></body></html>`;
  return new Response(page.toString(), {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      // Not inside an iframe: ECPay's pages break there (ecpay-aio §2).
      "X-Frame-Options": "DENY",
      "Content-Security-Policy": buyerPagePolicy(nonce, formAction),
      "Referrer-Policy": "no-referrer",
      ...headers,
    },
  });
}

export const link = (href: string, label: string, secondary = false, id?: string): SafeHtml =>
  html`<a class="button${secondary ? " secondary" : ""}"${id ? html` id="${id}"` : ""} href="${href}">${label}</a>`;

/**
 * A link to a URL Shopify gave us (cancel_url, nextAction). They were checked where they entered;
 * a row stored before that check is not shown rather than shown unsafe.
 */
export const outsideLink = (href: string | null, label: string, secondary = false, id?: string): SafeHtml => {
  const url = followableUrl(href);
  return url ? link(url, label, secondary, id) : html``;
};

/** `url` when it may be linked or redirected to (see outsideLink), else null. */
export const followableUrl = (url: string | null): string | null => (url && outsideUrlProblem(url) === null ? url : null);

export const paragraph = (text: string, id?: string): SafeHtml => html`<p${id ? html` id="${id}"` : ""}>${text}</p>`;

export const heading = (text: string): SafeHtml => html`<h1>${text}</h1>`;

/** What identifies the buyer's checkout on every page: the reference the merchant's admin shows too, and the amount. */
export interface CheckoutFacts {
  reference: string | null;
  /** Whole TWD; null when Shopify's amount was not one. */
  amount: number | null;
  currency: string;
}

/** The rows of the checkout's facts, for a `<dl>` of the page's own or orderSummary(). */
export const checkoutRows = (locale: Locale, facts: CheckoutFacts): SafeHtml =>
  html`${facts.reference ? html`<dt>${t(locale, "buyer.orderRef")}</dt><dd id="order-ref">${facts.reference}</dd>` : ""}${
    facts.amount !== null ? html`<dt>${t(locale, "buyer.amount")}</dt><dd id="order-amount">${formatMoney(facts.amount, facts.currency)}</dd>` : ""
  }`;

export const checkoutSummary = (locale: Locale, facts: CheckoutFacts): SafeHtml => html`<dl class="summary">${checkoutRows(locale, facts)}</dl>`;

/**
 * A button that copies the text of the element `targetId` (an ATM account). It stays hidden unless
 * the nonce'd script runs; without JavaScript the ATM account itself selects on one tap (STYLE).
 */
export const copyButton = (nonce: string, targetId: string, label: string, doneLabel: string): SafeHtml =>
  html`<button type="button" class="secondary" id="copy-${targetId}" data-copy="${targetId}" data-done="${doneLabel}" hidden>${label}</button><script nonce="${nonce}">${COPY_SCRIPT}</script>`;
