// A merchant signed in to one app's non-embedded admin: the library keeps the session id in the
// cookie "shopify_app_session", signed with the app's secret (HKDF-derived key, HMAC-SHA256).
import { createHmac, hkdfSync } from "node:crypto";

const COOKIE_SIGNING_INFO = "shopify-app-js/cookie-signing/v1";

export function signCookieValue(secret: string, value: string): string {
  const key = Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), COOKIE_SIGNING_INFO, 32));
  return createHmac("sha256", key).update(value).digest("base64");
}

/** Cookies (name, value, path) that sign a merchant in to `/apps/<method>` for `shop`. */
export function adminSessionCookies(method: string, shop: string, secret: string) {
  const value = `offline_${shop}`;
  const path = `/apps/${method}`;
  return [
    { name: "shopify_app_session", value, path },
    { name: "shopify_app_session.sig", value: signCookieValue(secret, value), path },
  ];
}

/** The Cookie header of a merchant signed in to `/apps/<method>` for `shop` (for fetch). */
export function adminCookieHeader(method: string, shop: string, secret: string): string {
  return adminSessionCookies(method, shop, secret)
    .map((c) => `${c.name}=${c.value}`)
    .join("; ");
}

const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

/**
 * A signed-in merchant's browser against one server: GET and form POSTs to `/apps/<method>/…`,
 * redirects not followed.
 */
export function adminClient(origin: string, secretFor: (method: string) => string) {
  const headers = (method: string, shop: string, extra: Record<string, string> = {}) => ({ cookie: adminCookieHeader(method, shop, secretFor(method)), "user-agent": BROWSER, ...extra });
  return {
    get(path: string, method: string, shop: string, extra: Record<string, string> = {}) {
      return fetch(`${origin}${path}`, { headers: headers(method, shop, extra), redirect: "manual" });
    },
    post(path: string, method: string, shop: string, fields: Record<string, string | string[]>) {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
      return fetch(`${origin}${path}`, {
        method: "POST",
        headers: headers(method, shop, { "content-type": "application/x-www-form-urlencoded" }),
        body,
        redirect: "manual",
      });
    },
  };
}
