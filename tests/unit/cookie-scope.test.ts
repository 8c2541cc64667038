import { describe, expect, it } from "vitest";
import { scopeCookiePath, scopeRootRedirect } from "~/lib/cookie-scope";

describe("scoping an app's cookies to its own path", () => {
  it("moves the library's session cookie from / to /apps/<method>", () => {
    const cookie = "shopify_app_session=offline_x.myshopify.com;sameSite=lax; secure=true; path=/;expires=Wed, 25 Nov 2026 20:38:29 GMT";
    expect(scopeCookiePath(cookie, "/apps/atm")).toBe(
      "shopify_app_session=offline_x.myshopify.com;sameSite=lax; secure=true; Path=/apps/atm;expires=Wed, 25 Nov 2026 20:38:29 GMT",
    );
  });

  it("handles a path attribute at the end of the header", () => {
    expect(scopeCookiePath("a=b; Path=/", "/apps/credit")).toBe("a=b; Path=/apps/credit");
  });

  it("leaves cookies that already have a narrower path alone", () => {
    const cookie = "shopify_app_state=abc; path=/apps/credit/auth/callback; secure=true";
    expect(scopeCookiePath(cookie, "/apps/credit")).toBe(cookie);
  });
});

describe("pointing the library's post-OAuth redirect at the app's admin", () => {
  it("sends /?shop=…&host=… to /apps/<method>?shop=…&host=…", () => {
    expect(scopeRootRedirect("/?shop=x.myshopify.com&host=YWRtaW4", "/apps/atm")).toBe("/apps/atm?shop=x.myshopify.com&host=YWRtaW4");
    expect(scopeRootRedirect("/", "/apps/atm")).toBe("/apps/atm");
  });

  it("leaves every other location alone", () => {
    for (const location of ["/apps/atm/auth/login", "https://x.myshopify.com/admin/oauth/authorize?client_id=a", "/favicon.ico", "//evil.example/"]) {
      expect(scopeRootRedirect(location, "/apps/atm")).toBe(location);
    }
  });
});
