// One spelling per path: anything Remix would normalise into another route is refused first.
import { describe, expect, it } from "vitest";
import { nonCanonicalPath } from "~/lib/request-path";

describe("nonCanonicalPath", () => {
  it.each([
    "/",
    "/payments/credit/refund",
    "/payments/credit/refund/",
    "/pay/atm/u0nwmSrNntjIWozmNslK5Xwd",
    "/apps/credit/transactions/abc",
    "/store/%E4%B8%AD%E6%96%87",
    "/assets/entry.client-Ab12_x.js",
  ])("accepts the canonical path %s", (path) => {
    expect(nonCanonicalPath(path)).toBeNull();
  });

  it.each([
    ["/%70ayments/credit/refund", /percent-encoded "p"/],
    ["/payments/cr%65dit/refund", /percent-encoded "e"/],
    ["/payments/credit/%52efund", /percent-encoded "R"/],
    ["/payments%2Fcredit/refund", /encoded \//],
    ["/%2570ayments/credit/refund", /encoded \/, \\ or %/],
    ["/payments/%2e%2e/payments/credit/refund", /percent-encoded "\."/],
    ["/x/../payments/credit/refund", /dot segments/],
    ["/./payments/credit/refund", /dot segments/],
    ["/payments/credit/refund/..", /dot segments/],
    ["//payments/credit/refund", /empty path segments/],
    ["/payments//credit/refund", /empty path segments/],
    ["/payments;x=1/credit/refund", /path parameters/],
    ["/payments/credit/refund;", /path parameters/],
    ["/payments\\credit\\refund", /backslashes/],
    ["/payments/%zz/refund", /malformed/],
    ["/payments/credit/refund%", /malformed/],
    ["payments/credit/refund", /must start with/],
  ])("refuses %s", (path, reason) => {
    expect(nonCanonicalPath(path)).toMatch(reason);
  });
});
