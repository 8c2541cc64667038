// Our own server-side sign-in for each app's non-embedded admin (README "Security model"). The
// library's cookie (shopify_app_session) names a Shopify session and is never sent to the browser
// or accepted; instead the OAuth callback creates an AdminSession for the person who signed in
// (Shopify's online token, one per staff member) and the browser holds only a random token:
// HttpOnly, SameSite=Lax, scoped to /apps/<m>, Secure whenever SHOPIFY_APP_URL is https (only the
// tests and the sandbox run on plain http://127.0.0.1, and only there is Secure left off).
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { AdminSession, PrismaClient } from "@prisma/client";
import type { MethodHandle } from "../payments/methods";
import { isSameOriginRequest } from "../lib/same-origin";

export const ADMIN_COOKIE = "ecpay_admin";
/** Rebinding, reusing or unbinding ECPay needs a sign-in this recent. */
export const RECENT_SIGN_IN_MS = 10 * 60_000;
/** lastSeenAt is written at most this often (idle expiry needs no finer grain). */
const TOUCH_EVERY_MS = 60_000;

export interface AdminSessionPolicy {
  idleMs: number;
  maxMs: number;
}

type Db = Pick<PrismaClient, "adminSession">;

export function hashAdminToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function newAdminToken(): string {
  return randomBytes(32).toString("base64url");
}

export interface NewAdminSession {
  method: MethodHandle;
  shop: string;
  userId: string;
  shopifySessionId: string;
  /** When Shopify's online token ends: the sign-in never outlives it. */
  onlineExpires: Date | null;
}

export async function createAdminSession(db: Db, input: NewAdminSession, policy: AdminSessionPolicy, now: Date) {
  // Sign-ins abandoned without a sign-out are swept here, so the table stays bounded by live ones.
  await db.adminSession.deleteMany({
    where: { method: input.method, shop: input.shop, OR: [{ expiresAt: { lte: now } }, { lastSeenAt: { lte: new Date(now.getTime() - policy.idleMs) } }] },
  });
  const token = newAdminToken();
  const absolute = now.getTime() + policy.maxMs;
  const expiresAt = new Date(input.onlineExpires ? Math.min(absolute, input.onlineExpires.getTime()) : absolute);
  const row = await db.adminSession.create({
    data: {
      id: hashAdminToken(token),
      method: input.method,
      shop: input.shop,
      userId: input.userId,
      shopifySessionId: input.shopifySessionId,
      csrfToken: randomBytes(32).toString("base64url"),
      signedInAt: now,
      lastSeenAt: now,
      expiresAt,
    },
  });
  return { token, row };
}

function cookieAttributes(method: string, appUrl: string): string {
  // Secure whenever the public URL is https; off only for the plain-http test and sandbox stacks.
  return `HttpOnly; SameSite=Lax; Path=/apps/${method}${appUrl.startsWith("https:") ? "; Secure" : ""}`;
}

export function adminSessionCookie(method: string, token: string, maxAgeMs: number, appUrl: string): string {
  return `${ADMIN_COOKIE}=${token}; Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}; ${cookieAttributes(method, appUrl)}`;
}

export function clearAdminSessionCookie(method: string, appUrl: string): string {
  return `${ADMIN_COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${cookieAttributes(method, appUrl)}`;
}

/** Cookies the library set before this server had its own sign-in: expired so no browser keeps one. */
export function clearLibraryCookies(method: string): string[] {
  return ["shopify_app_session", "shopify_app_session.sig"].map((name) => `${name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/apps/${method}`);
}

export function readAdminToken(request: Request): string | null {
  const header = request.headers.get("cookie") ?? "";
  for (const part of header.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === ADMIN_COOKIE) {
      const value = rest.join("=");
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
    }
  }
  return null;
}

/**
 * The live sign-in this request's cookie names for `method`, or null. An expired one (idle or
 * absolute) is deleted, so it can never come back.
 */
export async function currentAdminSession(db: Db, request: Request, method: MethodHandle, policy: AdminSessionPolicy, now: Date): Promise<AdminSession | null> {
  const token = readAdminToken(request);
  if (!token) return null;
  const row = await db.adminSession.findUnique({ where: { id: hashAdminToken(token) } });
  if (!row || row.method !== method) return null;
  const idleSince = now.getTime() - row.lastSeenAt.getTime();
  if (row.expiresAt.getTime() <= now.getTime() || idleSince >= policy.idleMs) {
    await db.adminSession.deleteMany({ where: { id: row.id } });
    return null;
  }
  if (idleSince >= TOUCH_EVERY_MS) {
    await db.adminSession.updateMany({ where: { id: row.id, lastSeenAt: row.lastSeenAt }, data: { lastSeenAt: now } });
  }
  return row;
}

export function signedInRecently(session: Pick<AdminSession, "signedInAt"> | null, now: Date): boolean {
  return session !== null && now.getTime() - session.signedInAt.getTime() < RECENT_SIGN_IN_MS;
}

/** Same-origin: Origin is the app's origin, or (no Origin) the browser says Sec-Fetch-Site: same-origin. */
export function isSameOrigin(request: Request, appUrl: string): boolean {
  return isSameOriginRequest((name) => request.headers.get(name), appUrl);
}

export function csrfTokenMatches(received: unknown, expected: string): boolean {
  if (typeof received !== "string") return false;
  const a = Buffer.from(received, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The `_csrf` field of a form request, read from a clone so the action can still read the body. */
export async function formCsrfToken(request: Request): Promise<string | null> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return null;
  try {
    const value = (await request.clone().formData()).get("_csrf");
    return typeof value === "string" ? value : null;
  } catch {
    return null;
  }
}
