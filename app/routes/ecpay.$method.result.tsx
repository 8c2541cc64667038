import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, readFormBody, requireMethodParam, textResponse } from "~/web/http.server";
import { deps } from "~/deps.server";
import { buyerReturn } from "~/payments/use-cases/buyer-return.server";

// The buyer's browser back from ECPay (OrderResultURL).
export async function action({ request, params }: ActionFunctionArgs) {
  const method = requireMethodParam(params.method);
  const body = await readFormBody(request);
  if (body.isErr()) return textResponse(body.error.message, body.error.status);
  return buyerReturn(deps(), method, body.value);
}

export function loader() {
  return methodNotAllowed("POST");
}
