import type { ActionFunctionArgs } from "@remix-run/node";
import { serverConfig } from "~/config.server";
import { jsonResponse, methodNotAllowed, readJsonBody, requireMethodParam, textResponse } from "~/web/http.server";
import { mtlsRefusal } from "~/lib/mtls.server";
import { deps } from "~/deps.server";
import { startPaymentSession } from "~/payments/use-cases/start-payment-session.server";

// Shopify's payment session request (mTLS at the edge): 200 {redirect_url} or a 4xx with the reason.
export async function action({ request, params }: ActionFunctionArgs) {
  const refused = mtlsRefusal(request.headers, serverConfig().mtlsHeader);
  if (refused) return refused;
  const method = requireMethodParam(params.method);
  const body = await readJsonBody(request);
  if (body.isErr()) return textResponse(body.error.message, body.error.status);
  const result = await startPaymentSession(deps(), method, { headers: request.headers, body: body.value });
  return result.match(
    ({ redirectUrl }) => jsonResponse({ redirect_url: redirectUrl }),
    (error) => textResponse(error.message, error.status),
  );
}

export function loader() {
  return methodNotAllowed("POST");
}
