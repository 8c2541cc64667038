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
