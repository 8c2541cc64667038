// Merchant authentication for each app's admin, and the one CSRF check every admin action passes.
// Non-embedded: only our own sign-in cookie (admin-session.server.ts) authenticates; the library's
// cookie is ignored. Without a live sign-in the merchant is sent to log in, or to OAuth when the URL
// names the shop. Embedded (the app's SHOPIFY_<M>_EMBEDDED), every request carries a session token
// from App Bridge: `id_token` on the document, `Authorization: Bearer` on fetches.
import type { AdminSession } from "@prisma/client";
import { redirect } from "@remix-run/node";
import { InvalidShopError } from "@shopify/shopify-api";
import { serverConfig } from "../config.server";
import prisma from "../db.server";
import { clearAdminSessionCookie, csrfTokenMatches, currentAdminSession, formCsrfToken, isSameOrigin, readAdminToken } from "./admin-session.server";
import { requireApp, type MethodApp } from "./apps.server";
import type { MethodHandle } from "../payments/methods";

export interface MerchantAuth {
  method: MethodHandle;
  app: MethodApp;
  embedded: boolean;
  shop: string;
  /** Non-embedded: the sign-in; null when embedded (Shopify's session token is the credential). */
  adminSession: AdminSession | null;
}

function forbidden(reason: string): Response {
  return new Response(`Forbidden: ${reason}`, { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/** A request that may change something: every method but GET and HEAD. */
export function isMutation(request: Request): boolean {
  return request.method !== "GET" && request.method !== "HEAD";
}

/** The library's own handling (OAuth start, shop validation) with no cookie it could authenticate by. */
async function startLibraryAuth(request: Request, app: MethodApp): Promise<never> {
  const headers = new Headers(request.headers);
  headers.delete("cookie");
  try {
    await app.authenticate.admin(new Request(request.url, { method: "GET", headers }));
  } catch (error) {
    // A malformed ?shop= is the visitor's mistake, not ours: 400, not a 500 page.
    if (error instanceof InvalidShopError) throw new Response("Invalid shop domain", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    throw error;
  }
  // Without a cookie the library never finds a session; should it ever, it is still not a sign-in.
  throw redirect(new URL(request.url).pathname.replace(/^(\/apps\/[^/]+).*$/, "$1/auth/login"));
}

export async function authenticateMerchant(request: Request, methodParam: string | undefined): Promise<MerchantAuth> {
  const { method, app } = requireApp(methodParam);
  const config = serverConfig();
  const embedded = config.apps[method]?.embedded === true;
  const mutation = isMutation(request);
  // A cross-site page can make the browser post here (with its cookies): refused before anything.
  if (mutation && !isSameOrigin(request, config.appUrl)) throw forbidden("the request did not come from this app's pages");

  if (embedded) {
    // The App Bridge bearer token is the CSRF token: a cross-site form cannot send a header.
    if (mutation && !/^Bearer \S+/.test(request.headers.get("authorization") ?? "")) throw forbidden("missing session token");
    try {
      const context = await app.authenticate.admin(request);
      return { method, app, embedded, shop: context.session.shop, adminSession: null };
    } catch (error) {
      if (error instanceof InvalidShopError) throw new Response("Invalid shop domain", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
      throw error;
    }
  }

  const url = new URL(request.url);
  const session = await currentAdminSession(prisma, request, method, config.adminSession, new Date());
  const askedShop = url.searchParams.get("shop");
  if (!session || (askedShop && askedShop !== session.shop && !mutation)) {
    if (askedShop && !mutation) await startLibraryAuth(request, app);
    const headers = new Headers();
    if (readAdminToken(request)) headers.append("Set-Cookie", clearAdminSessionCookie(method, config.appUrl));
    throw redirect(`/apps/${method}/auth/login`, { headers });
  }
  if (mutation && !csrfTokenMatches(await formCsrfToken(request), session.csrfToken)) throw forbidden("missing or wrong CSRF token");
  return { method, app, embedded, shop: session.shop, adminSession: session };
}
