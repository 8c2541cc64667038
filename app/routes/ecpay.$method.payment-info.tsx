import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, readFormBody, requireMethodParam } from "~/web/http.server";
import { deps } from "~/deps.server";
import { handleEcpayNotification } from "~/payments/use-cases/handle-ecpay-notification.server";

// ECPay's server POST. Trusted only by its CheckMacValue; "1|OK" only after the state is stored.
export async function action({ request, params }: ActionFunctionArgs) {
  const method = requireMethodParam(params.method);
  const body = await readFormBody(request);
  if (body.isErr()) return new Response(`0|${body.error.message}`, { status: body.error.status });
  const reply = await handleEcpayNotification(deps(), method, "PAYMENT_INFO", body.value);
  return new Response(reply.body, { status: reply.status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

export function loader() {
  return methodNotAllowed("POST");
}
