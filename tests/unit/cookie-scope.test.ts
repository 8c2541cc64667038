import { describe, expect, it } from "vitest";
import { scopeCookiePath } from "~/lib/cookie-scope";

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
