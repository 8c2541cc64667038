// OAuth for each app under /apps/<method>/auth/* (begin, callback), handled by the library. For a
// non-embedded app the library ends with the person's online (per-user) session and its own cookie;
// that cookie never reaches the browser: we create our AdminSession and set our cookie instead.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { serverConfig } from "~/config.server";
import { deps } from "~/deps.server";
import { adminSessionCookie, clearLibraryCookies, createAdminSession } from "~/shopify/admin-session.server";
import { requireApp, type MethodApp } from "~/shopify/apps.server";
import type { MethodHandle } from "~/payments/methods";

/** Where a sign-in may return to (`?return=` on the begin URL): admin pages only, never a URL. */
const RETURN_PAGES = new Set(["bind"]);
const RETURN_COOKIE = "ecpay_admin_return";

function cookieValue(request: Request, name: string): string | null {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return null;
}

function isLibrarySessionCookie(setCookie: string): boolean {
  return /^shopify_app_session(\.sig)?=/.test(setCookie);
}

async function finishSignIn(method: MethodHandle, app: MethodApp, request: Request, response: Response): Promise<Response> {
  const config = serverConfig();
  const setCookies = response.headers.getSetCookie();
  const sessionId = setCookies.map((c) => /^shopify_app_session=([^;]*)/.exec(c)?.[1]).find((v) => v);
  const headers = new Headers();
  for (const [name, value] of response.headers) if (name !== "set-cookie") headers.set(name, value);
  for (const cookie of setCookies) if (!isLibrarySessionCookie(cookie)) headers.append("Set-Cookie", cookie);
  const url = new URL(request.url);
  const returnPage = url.searchParams.get("return");
  if (returnPage && RETURN_PAGES.has(returnPage) && response.status >= 300 && response.status < 400) {
    headers.append("Set-Cookie", `${RETURN_COOKIE}=${returnPage}; Max-Age=600; HttpOnly; SameSite=Lax; Path=/apps/${method}/auth`);
  }
  if (!sessionId) return new Response(response.body, { status: response.status, statusText: response.statusText, headers });

  const session = await app.sessionStorage.loadSession(decodeURIComponent(sessionId));
  const user = session?.onlineAccessInfo?.associated_user;
  if (!session || !session.isOnline || !user) {
    // Only a person's online session signs anyone in.
    return new Response("Sign-in did not complete: Shopify did not identify the staff member", { status: 400 });
  }
  const now = new Date();
  const { token, row } = await createAdminSession(
    deps().db,
    { method, shop: session.shop, userId: String(user.id), shopifySessionId: `${method}:${session.id}`, onlineExpires: session.expires ?? null },
    config.adminSession,
    now,
  );
  const back = cookieValue(request, RETURN_COOKIE);
  const target = `/apps/${method}${back && RETURN_PAGES.has(back) ? `/${back}` : ""}`;
  const answer = new Headers({ Location: target });
  for (const cookie of headers.getSetCookie()) answer.append("Set-Cookie", cookie);
  answer.append("Set-Cookie", adminSessionCookie(method, token, row.expiresAt.getTime() - now.getTime(), config.appUrl));
  for (const cookie of clearLibraryCookies(method)) answer.append("Set-Cookie", cookie);
  if (back) answer.append("Set-Cookie", `${RETURN_COOKIE}=; Max-Age=0; Path=/apps/${method}/auth`);
  return new Response(null, { status: 302, headers: answer });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { method, app } = requireApp(params.method);
  const embedded = serverConfig().apps[method]?.embedded === true;
  // The library's session cookie is never a credential here, even one a browser kept from before.
  const headers = new Headers(request.headers);
  const cookies = (request.headers.get("cookie") ?? "").split(";").filter((c) => !/^\s*shopify_app_session(\.sig)?=/.test(c));
  headers.set("cookie", cookies.join(";"));
  try {
    await app.authenticate.admin(new Request(request.url, { method: request.method, headers }));
    return null;
  } catch (thrown) {
    if (embedded || !(thrown instanceof Response)) throw thrown;
    throw await finishSignIn(method, app, request, thrown);
  }
}
