// Eight apps share one host, and @shopify/shopify-api sets the admin session cookie at path "/",
// so two apps signed in side by side would overwrite each other's cookie. The server scopes every
// cookie an app sets at "/" to that app's own path.
export function scopeCookiePath(setCookie: string, scope: string): string {
  return setCookie.replace(/;\s*path=\/(?=\s*;|\s*$)/i, `; Path=${scope}`);
}

/**
 * After OAuth the library sends a non-embedded app's merchant to the site root ("/?shop=…&host=…"),
 * where none of the eight apps lives: the server points that redirect at the app's own admin.
 */
export function scopeRootRedirect(location: string, scope: string): string {
  return /^\/(?=[?#]|$)/.test(location) ? `${scope}${location.slice(1)}` : location;
}
