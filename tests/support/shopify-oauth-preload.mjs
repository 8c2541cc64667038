// Test only. Loaded into the built server with `node --import` (and imported by in-process tests):
// when SHOPIFY_OAUTH_TEST_ORIGIN is set, requests for Shopify's OAuth token endpoint,
// https://<shop>.myshopify.com/admin/oauth/access_token (authorization-code and refresh grants), go
// to that origin instead, with the shop in ?shop=. Every other request goes out unchanged.
const TOKEN_URL = /^https:\/\/([a-z0-9][a-z0-9-]*\.myshopify\.com)\/admin\/oauth\/access_token$/;

/** Where a request for `url` goes: the test's token endpoint for Shopify's, else `url` itself. */
export function routeShopifyTokenRequest(url, origin) {
  const match = TOKEN_URL.exec(url);
  return match ? `${origin}/admin/oauth/access_token?shop=${encodeURIComponent(match[1])}` : url;
}

const origin = process.env.SHOPIFY_OAUTH_TEST_ORIGIN;
if (origin) {
  // The server installs its own fetch later (Remix's installGlobals): wrap whichever is current.
  let current = globalThis.fetch;
  const routed = (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const target = routeShopifyTokenRequest(url, origin);
    if (target === url) return current(input, init);
    return current(input instanceof Request ? new Request(target, input) : target, init);
  };
  Object.defineProperty(globalThis, "fetch", {
    configurable: true,
    enumerable: true,
    get: () => routed,
    set: (value) => {
      current = value;
    },
  });
}
