import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireMethodParam } from "~/web/http.server";
import { deps } from "~/deps.server";
import { buyerHandOff } from "~/payments/use-cases/buyer-hand-off.server";

// The buyer's hand-off page to ECPay (and the page ECPay's "back to shop" links return to).
export async function loader({ request, params }: LoaderFunctionArgs) {
  const method = requireMethodParam(params.method);
  const url = new URL(request.url);
  return buyerHandOff(deps(), {
    method,
    paymentId: params.paymentId ?? "",
    wait: url.searchParams.get("wait") === "1",
    forceDesktop: url.searchParams.get("desktop") === "1",
    userAgent: request.headers.get("user-agent"),
  });
}
