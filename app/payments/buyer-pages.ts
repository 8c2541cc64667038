// The buyer-facing pages of the hand-off (plain HTML: they must work without JavaScript, load fast
// on phones, and never run inside an iframe). Text comes from app/i18n in the buyer's language.
import { escapeHtmlAttribute } from "../ecpay/checkout";
import { t, type Locale, type MessageKey } from "../i18n";

const esc = escapeHtmlAttribute;

const STYLE = `body{font-family:-apple-system,"PingFang TC","Noto Sans TC","Microsoft JhengHei",sans-serif;background:#f6f6f7;color:#202223;margin:0}
main{max-width:480px;margin:48px auto;background:#fff;border-radius:12px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:20px;margin:0 0 16px}p{line-height:1.6}a.button,button{display:inline-block;background:#008060;color:#fff;border:0;border-radius:8px;padding:12px 18px;font-size:16px;text-decoration:none;cursor:pointer;margin:6px 6px 6px 0}
a.secondary{background:#fff;color:#202223;border:1px solid #babfc3}dl{display:grid;grid-template-columns:auto 1fr;gap:8px 16px}dt{color:#6d7175}dd{margin:0;font-weight:600;font-size:18px}`;

export interface PageOptions {
  locale: Locale;
  title?: MessageKey;
  body: string;
  /** Reload (or go to `url`) after `seconds`: waiting pages poll without JavaScript. */
  refresh?: { seconds: number; url: string };
  status?: number;
}

export function htmlPage({ locale, title = "buyer.title", body, refresh, status = 200 }: PageOptions): Response {
  const meta = refresh ? `<meta http-equiv="refresh" content="${refresh.seconds};url=${esc(refresh.url)}">` : "";
  const html = `<!DOCTYPE html><html lang="${locale === "en" ? "en" : "zh-Hant-TW"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">${meta}
<title>${esc(t(locale, title))}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      // Not inside an iframe: ECPay's pages break there (ecpay-aio §2).
      "X-Frame-Options": "DENY",
      "Content-Security-Policy": "frame-ancestors 'none'",
      "Referrer-Policy": "no-referrer",
    },
  });
}

export const link = (href: string, label: string, secondary = false, id?: string) =>
  `<a class="button${secondary ? " secondary" : ""}"${id ? ` id="${id}"` : ""} href="${esc(href)}">${esc(label)}</a>`;

export const paragraph = (text: string, id?: string) => `<p${id ? ` id="${id}"` : ""}>${esc(text)}</p>`;

export const heading = (text: string) => `<h1>${esc(text)}</h1>`;
