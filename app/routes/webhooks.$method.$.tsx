// Webhooks for each app: /webhooks/<method>/<topic path>, HMAC-verified with that app's secret
// by authenticate.webhook (bad HMAC → 401, missing headers → 400).
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import prisma from "~/db.server";
import { jsonResponse, methodNotAllowed } from "~/lib/http.server";
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
});
const scopesPayload = z.object({ current: z.array(z.string()) });

export async function action({ request, params }: ActionFunctionArgs) {
  const { method, app } = requireApp(params.method);
  const { topic, shop, payload } = await app.authenticate.webhook(request);

  switch (topic) {
    case "APP_UNINSTALLED":
      await markUninstalled(prisma, method, shop);
      return new Response(null, { status: 200 });
    case "APP_SCOPES_UPDATE": {
      const parsed = scopesPayload.safeParse(payload);
      if (parsed.success) await updateScopes(prisma, method, shop, parsed.data.current);
      return new Response(null, { status: 200 });
    }
    case "CUSTOMERS_DATA_REQUEST": {
      const who = customerPayload.parse(payload).customer ?? {};
      return jsonResponse(await customerDataReport(prisma, shop, who));
    }
    case "CUSTOMERS_REDACT": {
      const who = customerPayload.parse(payload).customer ?? {};
      const redacted = await redactCustomer(prisma, shop, who);
      return jsonResponse({ redacted });
    }
    case "SHOP_REDACT":
      await purgeShop(prisma, shop);
      return new Response(null, { status: 200 });
    default:
      return new Response(`Unhandled webhook topic ${topic}`, { status: 404 });
  }
}

export function loader() {
  return methodNotAllowed("POST");
}
