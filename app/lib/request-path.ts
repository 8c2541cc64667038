// One spelling per path. Remix decodes and normalises a URL before it matches routes, while an edge
// that enforces Shopify's client certificate by path prefix may compare the raw bytes: "/%70ayments",
// "/x/../payments" or "/payments;x" would then pass the edge as "not /payments" and reach the payments
// routes all the same. Every request whose path is not in its one canonical form is refused before
// routing, so the path a guard sees is the path the code acts on. Pure.

/** RFC 3986 unreserved characters: percent-encoding them only ever serves to disguise a path. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * Why `rawPath` (the request target's path, before any `?`) is refused, or null when it is canonical:
 * percent-encoded unreserved characters, encoded "/", "\" or "%" (double encoding), malformed
 * escapes, dot segments, empty segments (a single trailing slash is allowed), backslashes and
 * `;` parameters.
 */
export function nonCanonicalPath(rawPath: string): string | null {
  if (!rawPath.startsWith("/")) return "the path must start with /";
  if (rawPath.includes("\\")) return "backslashes are not allowed in paths";
  if (rawPath.includes(";")) return "path parameters (;) are not allowed";
  for (const match of rawPath.matchAll(/%(.{0,2})/g)) {
    const hex = match[1] ?? "";
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return "malformed percent-encoding in the path";
    const char = String.fromCharCode(parseInt(hex, 16));
    if (UNRESERVED.test(char)) return `percent-encoded "${char}" in the path: send it as is`;
    if (char === "/" || char === "\\" || char === "%") return "encoded /, \\ or % in the path";
  }
  const segments = rawPath.slice(1).split("/");
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i]!;
    if (segment === "" && i < segments.length - 1) return "empty path segments (//) are not allowed";
    if (segment === "." || segment === "..") return "dot segments are not allowed in paths";
  }
  return null;
}
