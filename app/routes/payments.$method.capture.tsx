// POST /payments/<m>/capture: Shopify's capture session request (docs/shopify-payments-apps.md §2.4).
import { methodNotAllowed } from "~/web/http.server";
import { operationAction } from "~/web/operation-action.server";

export const action = operationAction("capture");

export function loader() {
  return methodNotAllowed("POST");
}
