// Shopify's payment, refund, capture and void requests come through an mTLS terminator that
// verified Shopify's client certificate and set a header (README "Security model"). The payments
// routes check that header themselves, inside the action that acts on the request: whatever
// spelling of the path reached the route, the route decides.
import { timingSafeEqual } from "node:crypto";
import { refusal, refusalResponse } from "./refusal";

export interface MtlsHeader {
  /** Lower-case header name. */
  name: string;
  value: string;
}

/** A 403 when the terminator's header is required and missing or wrong; null when the request may go on. */
export function mtlsRefusal(headers: Headers, required: MtlsHeader | null): Response | null {
  if (!required) return null;
  const expected = Buffer.from(required.value, "utf8");
  const received = Buffer.from(headers.get(required.name) ?? "", "utf8");
  if (received.length === expected.length && timingSafeEqual(received, expected)) return null;
  const refused = refusal(403, "MTLS_UNVERIFIED", "Forbidden: the request did not come through the verified mTLS terminator");
  return refusalResponse(refused, "text", { Connection: "close" });
}
