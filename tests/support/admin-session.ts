// A merchant signed in to one app's non-embedded admin, as the OAuth callback leaves them: an
// AdminSession row (app/shopify/admin-session.server.ts) and the browser holding its random token
// in the cookie "ecpay_admin" at /apps/<method>. Admin POSTs carry the session's CSRF token and the
// Origin a browser sends from the app's own pages.
import type { PrismaClient } from "@prisma/client";
import { ADMIN_COOKIE, createAdminSession } from "~/shopify/admin-session.server";
import type { MethodHandle } from "~/payments/methods";

type Db = Pick<PrismaClient, "adminSession">;

export interface AdminSignIn {
  /** The AdminSession row's id (the token's SHA-256). */
  id: string;
  token: string;
  csrfToken: string;
  cookie: { name: string; value: string; path: string };
  /** The Cookie header for fetch. */
  cookieHeader: string;
}

export async function signInMerchant(db: Db, method: string, shop: string, options: { signedInAt?: Date; userId?: string } = {}): Promise<AdminSignIn> {
  const now = options.signedInAt ?? new Date();
  const { token, row } = await createAdminSession(
    db,
    { method: method as MethodHandle, shop, userId: options.userId ?? "1", shopifySessionId: `${method}:test-online-session`, onlineExpires: null },
    { idleMs: 30 * 60_000, maxMs: 12 * 3600_000 },
    now,
  );
  const cookie = { name: ADMIN_COOKIE, value: token, path: `/apps/${method}` };
  return { id: row.id, token, csrfToken: row.csrfToken, cookie, cookieHeader: `${ADMIN_COOKIE}=${token}` };
}

/** The cookies (for Playwright's context.addCookies, with a domain) of a fresh sign-in. */
export async function adminSessionCookies(db: Db, method: string, shop: string) {
  return [(await signInMerchant(db, method, shop)).cookie];
}

const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

export interface PostOptions {
  /** Leave out the CSRF token (false) or send this one instead. */
  csrf?: false | string;
  /** The Origin header; the app's own origin by default, null for none. */
  origin?: string | null;
  headers?: Record<string, string>;
}

/**
 * A signed-in merchant's browser against one server: GET and form POSTs to `/apps/<method>/…`,
 * redirects not followed. One sign-in per (method, shop), made on first use.
 */
export function adminClient(origin: string, db: Db) {
  const signIns = new Map<string, Promise<AdminSignIn>>();
  const signIn = (method: string, shop: string) => {
    const key = `${method} ${shop}`;
    if (!signIns.has(key)) signIns.set(key, signInMerchant(db, method, shop));
    return signIns.get(key)!;
  };
  const headers = async (method: string, shop: string, extra: Record<string, string> = {}) => ({ cookie: (await signIn(method, shop)).cookieHeader, "user-agent": BROWSER, ...extra });
  return {
    signIn,
    /** Forget the sign-ins (e.g. after the rows were deleted): the next request signs in again. */
    reset: () => signIns.clear(),
    async get(path: string, method: string, shop: string, extra: Record<string, string> = {}) {
      return fetch(`${origin}${path}`, { headers: await headers(method, shop, extra), redirect: "manual" });
    },
    async post(path: string, method: string, shop: string, fields: Record<string, string | string[]>, options: PostOptions = {}) {
      const session = await signIn(method, shop);
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
      if (options.csrf !== false) body.append("_csrf", options.csrf ?? session.csrfToken);
      const originHeader = options.origin === undefined ? origin : options.origin;
      return fetch(`${origin}${path}`, {
        method: "POST",
        headers: await headers(method, shop, {
          "content-type": "application/x-www-form-urlencoded",
          ...(originHeader === null ? {} : { origin: originHeader }),
          ...options.headers,
        }),
        body,
        redirect: "manual",
      });
    },
  };
}
