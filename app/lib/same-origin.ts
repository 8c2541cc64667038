// A request that may change something must come from the app's own pages: Origin equal to the
// app's public origin (SHOPIFY_APP_URL), or, when a browser sends no Origin, Sec-Fetch-Site:
// same-origin. Used by server.ts (before Remix, which answers a mismatched document POST with a
// 500 of its own) and by authenticateMerchant (every admin action, the data requests included).
type HeaderGetter = (name: string) => string | null | undefined;

export function isSameOriginRequest(header: HeaderGetter, appUrl: string): boolean {
  const expected = new URL(appUrl).origin;
  const origin = header("origin");
  if (origin !== null && origin !== undefined) return origin === expected;
  return header("sec-fetch-site") === "same-origin";
}
