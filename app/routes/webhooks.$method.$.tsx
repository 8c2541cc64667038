// Webhooks for each app: /webhooks/<method>/<topic path>, HMAC-verified with that app's secret
// by authenticate.webhook (bad HMAC → 401, missing headers → 400).
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { deps } from "~/deps.server";
import { jsonResponse, methodNotAllowed } from "~/web/http.server";
import {
  customerDataReport,
  markUninstalled,
  purgeShop,
  redactCustomer,
  updateScopes,
} from "~/payments/shop-data.server";
import { requireApp } from "~/shopify/apps.server";

const customerPayload = z.object({
  customer: z.object({ email: z.string().nullish(), phone: z.string().nullish() }).partial().optional(),
  // Shopify order ids: we hold none (see redactCustomer), so they are acknowledged, not matched.
  orders_to_redact: z.array(z.union([z.number(), z.string()])).optional(),
  orders_requested: z.array(z.union([z.number(), z.string()])).optional(),
});
const scopesPayload = z.object({ current: z.array(z.string()) });

export async function action({ request, params }: ActionFunctionArgs) {
  const { method, app } = requireApp(params.method);
  let webhook: Awaited<ReturnType<typeof app.authenticate.webhook>>;
  try {
    webhook = await app.authenticate.webhook(request);
  } catch (error) {
    // A correctly signed body that is not JSON is malformed: 400, never a 500 (Shopify retries those).
    if (error instanceof SyntaxError) return new Response("Webhook body is not JSON", { status: 400 });
    throw error;
  }
  const { topic, shop, payload } = webhook;

  switch (topic) {
    case "APP_UNINSTALLED":
      await markUninstalled(deps().db, method, shop);
      return new Response(null, { status: 200 });
    case "APP_SCOPES_UPDATE": {
      const parsed = scopesPayload.safeParse(payload);
      if (parsed.success) await updateScopes(deps().db, method, shop, parsed.data.current);
      return new Response(null, { status: 200 });
    }
    case "CUSTOMERS_DATA_REQUEST": {
      const parsed = customerPayload.safeParse(payload);
      if (!parsed.success) return new Response("Malformed customers/data_request payload", { status: 400 });
      return jsonResponse(await customerDataReport(deps().db, shop, parsed.data.customer ?? {}));
    }
    case "CUSTOMERS_REDACT": {
      const parsed = customerPayload.safeParse(payload);
      if (!parsed.success) return new Response("Malformed customers/redact payload", { status: 400 });
      const who = parsed.data.customer ?? {};
      const redacted = await redactCustomer(deps().db, shop, who);
      return jsonResponse({ redacted, ordersToRedact: parsed.data.orders_to_redact ?? [] });
    }
    case "SHOP_REDACT":
      await purgeShop(deps().db, shop);
      return new Response(null, { status: 200 });
    default:
      return new Response(`Unhandled webhook topic ${topic}`, { status: 404 });
  }
}

export function loader() {
  return methodNotAllowed("POST");
}
