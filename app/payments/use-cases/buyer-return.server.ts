// POST /ecpay/<m>/result (OrderResultURL): the buyer's browser back from ECPay. Display only: the
// browser path never tells Shopify anything. Once Shopify answered, redirect to its nextAction URL;
// otherwise a waiting page that polls the hand-off page, or a retry page when ECPay says it failed.
import { notificationOutcome } from "../../ecpay/outcomes";
import { t } from "../../i18n";
import { followableUrl, htmlPage, heading } from "../buyer-pages";
import type { Deps } from "../ports";
import type { MethodHandle } from "../methods";
import { isPaymentFinal } from "../payment-state";
import { checkEcpayMessage } from "./handle-ecpay-notification.server";
import { buyerLocale, failedPage, redirect, waitingPage } from "./buyer-hand-off.server";

export async function buyerReturn(deps: Deps, method: MethodHandle, rawBody: string): Promise<Response> {
  const checked = await checkEcpayMessage(deps, method, rawBody);
  if (!checked.ok) {
    return htmlPage({ locale: "zh-TW", status: 400, body: heading(t("zh-TW", "buyer.notFound")) });
  }
  // The check has just read the session (one statement with the attempt and binding).
  const session = checked.session;
  const nextAction = followableUrl(session.nextActionUrl);
  if (nextAction && isPaymentFinal(session.status)) return redirect(nextAction);
  const locale = buyerLocale(session);
  if (notificationOutcome(checked.callback, "OrderResultURL").kind !== "paid") return failedPage(session, locale);
  return waitingPage(session, locale, deps.now());
}
