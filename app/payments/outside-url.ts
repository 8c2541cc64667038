// URLs Shopify hands us for the buyer (cancel_url, nextAction.context.redirectUrl) are shown as
// links and followed as redirects, so they are checked where they enter (issue 12 §7).
// The host cannot be pinned to *.myshopify.com: Shopify's own documented cancel_url is on a shop's
// custom domain (https://my-test-shop.com/1/checkouts/…, docs/shopify-payments-apps.md), so any DNS
// name is accepted, but only as an absolute https URL: no userinfo, no IP literal, no other scheme.

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
/** Punycode DNS labels with at least one dot and a TLD that starts with a letter. */
const DNS_HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why `value` may not be sent to a buyer's browser, or null when it may. */
export function outsideUrlProblem(value: string): string | null {
  // A URL parser drops tabs, newlines and outer spaces; the browser would too, but what we check
  // must be what we store.
  if (!/^[\x21-\x7e]+$/.test(value)) return "must be printable ASCII without spaces";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute URL";
  }
  // An empty userinfo ("https://@host") parses to no username: look at the authority as written.
  if (url.username || url.password || /^[^:]+:\/\/[^/?#]*@/.test(value)) return "must not contain credentials";
  // Tests and the sandbox run Shopify's simulator on http://127.0.0.1. The host as written, since
  // the parser turns spellings such as 0x7f.1 into 127.0.0.1.
  const writtenHost = /^[^:]+:\/\/(\[[^\]]*\]|[^/?#:]*)/.exec(value)?.[1]?.toLowerCase() ?? "";
  if (LOOPBACK_HOSTS.has(writtenHost) && LOOPBACK_HOSTS.has(url.hostname)) {
    return url.protocol === "https:" || url.protocol === "http:" ? null : "must be an https URL";
  }
  if (url.protocol !== "https:") return "must be an https URL";
  if (url.hostname.startsWith("[") || /^[\d.]+$/.test(url.hostname)) return "must be on a DNS host, not an IP address";
  if (!DNS_HOST.test(url.hostname)) return "must be on a DNS host";
  return null;
}
