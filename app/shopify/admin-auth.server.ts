// Merchant authentication for each app's admin. Non-embedded, the library keeps the session in a
// cookie and needs `?shop=` to start OAuth; a merchant arriving with neither is sent to log in
// (the library would answer 400). Embedded (the app's SHOPIFY_<M>_EMBEDDED), every request carries
// a session token from App Bridge: `id_token` on the document, `Authorization: Bearer` on fetches.
import { redirect } from "@remix-run/node";
import { InvalidShopError } from "@shopify/shopify-api";
import { serverConfig } from "../config.server";
import { requireApp } from "./apps.server";

export async function authenticateMerchant(request: Request, methodParam: string | undefined) {
  const { method, app } = requireApp(methodParam);
  const url = new URL(request.url);
  const hasSessionCookie = /(?:^|;\s*)shopify_app_session=/.test(request.headers.get("cookie") ?? "");
  const embedded = serverConfig().apps[method]?.embedded === true;
  if (!embedded && !hasSessionCookie && !url.searchParams.get("shop")) {
    throw redirect(`/apps/${method}/auth/login`);
  }
  try {
    const context = await app.authenticate.admin(request);
    return { method, app, embedded, ...context };
  } catch (error) {
    // A malformed ?shop= is the visitor's mistake, not ours: 400, not a 500 page.
    if (error instanceof InvalidShopError) throw new Response("Invalid shop domain", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    throw error;
  }
}
