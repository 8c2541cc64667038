// Webhook requests signed the way Shopify signs them (base64 HMAC-SHA256 of the raw body).
import { createHmac, randomUUID } from "node:crypto";

export function signedWebhook(
  origin: string,
  options: { method: string; topic: string; shop: string; secret: string; payload: unknown; badHmac?: boolean },
): Promise<Response> {
  const body = JSON.stringify(options.payload);
  const hmac = createHmac("sha256", options.badHmac ? "wrong-secret" : options.secret).update(body).digest("base64");
  return fetch(`${origin}/webhooks/${options.method}/${options.topic}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Hmac-Sha256": hmac,
      "X-Shopify-Topic": options.topic,
      "X-Shopify-Shop-Domain": options.shop,
      "X-Shopify-API-Version": "2026-07",
      "X-Shopify-Webhook-Id": randomUUID(),
      "X-Shopify-Event-Id": randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(),
    },
    body,
  });
}
