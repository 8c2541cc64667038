// POST /payments/<m>/void: Shopify's void session request (docs/shopify-payments-apps.md §2.4).
import { methodNotAllowed } from "~/web/http.server";
import { operationAction } from "~/web/operation-action.server";

export const action = operationAction("void");

export function loader() {
  return methodNotAllowed("POST");
}
