// Sign-out of one app's non-embedded admin: the sign-in is deleted on the server (so its cookie is
// worthless wherever a copy went) and the cookie expired. A POST like every admin change: same
// origin and the CSRF token (authenticateMerchant), so no other site can sign the merchant out.
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { serverConfig } from "~/config.server";
import { deps } from "~/deps.server";
import { endAdminSession } from "~/admin/sign-out.server";
import { methodNotAllowed } from "~/web/http.server";
import { authenticateMerchant } from "~/shopify/admin-auth.server";
import { clearAdminSessionCookie } from "~/shopify/admin-session.server";

export async function action({ request, params }: ActionFunctionArgs) {
  const { method, adminSession } = await authenticateMerchant(request, params.method);
  if (adminSession) await endAdminSession(deps().db, adminSession.id);
  return redirect(`/apps/${method}/auth/login`, { headers: { "Set-Cookie": clearAdminSessionCookie(method, serverConfig().appUrl) } });
}

export function loader() {
  return methodNotAllowed("POST");
}
