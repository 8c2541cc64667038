// The three thin Remix actions for POST /payments/<m>/refund|capture|void.
import type { ActionFunctionArgs } from "@remix-run/node";
import { serverConfig } from "../config.server";
import { jsonResponse, readJsonText, requireMethodParam } from "./http.server";
import { mtlsRefusal } from "../lib/mtls.server";
import { deps } from "../deps.server";
import { receiveOperation, type OperationType } from "../payments/operations";

export function operationAction(type: OperationType) {
  return async function action({ request, params }: ActionFunctionArgs): Promise<Response> {
    const refused = mtlsRefusal(request.headers, serverConfig().mtlsHeader);
    if (refused) return refused;
    const method = requireMethodParam(params.method);
    // Same body rules as every JSON endpoint: application/json only, 64 KB at most.
    const body = await readJsonText(request);
    if (body.isErr()) return jsonResponse({ error: body.error.message }, body.error.status);
    const result = await receiveOperation(deps(), { type, method, headers: request.headers, body: body.value });
    // 201 with an empty body: anything else shows the merchant an error (docs §2.4).
    return result.isOk() ? new Response(null, { status: 201 }) : jsonResponse({ error: result.error.reason }, result.error.status);
  };
}
