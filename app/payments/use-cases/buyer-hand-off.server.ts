// GET /pay/<m>/<payment id>: the buyer's hand-off to ECPay, and the page they come back to.
// Each visit creates a fresh ECPay attempt (new MerchantTradeNo) unless the checkout is already
// settled; `?wait=1` (ClientBackURL, the waiting page) never creates one and instead settles a
// finished trade by asking ECPay server to server.
import type { PaymentAttempt, PaymentSession } from "@prisma/client";
import { autoSubmitFormHtml } from "../../ecpay/checkout";
import { newMerchantTradeNo } from "../../ecpay/merchant-trade-no";
import { resolveLocale, t, type Locale } from "../../i18n";
import { notifyOutbox } from "../../jobs/outbox.server";
import { credentialsForSession } from "../bindings.server";
import { pauseQueries, processQueryPause, queriesPaused } from "../ecpay-query-pause.server";
import { htmlPage, heading, link, paragraph } from "../buyer-pages";
import { paymentIdToCustomField } from "../custom-field";
import type { Deps } from "../deps.server";
import { PAYMENT_METHODS, parseMethodSettings, type MethodHandle } from "../methods";
import { isPaymentFinal, nextStatus } from "../payment-state";
import { groupKey } from "../settlement.server";
import { settleFromTradeQuery } from "./settle-from-query.server";

const DEFAULT_ITEM_NAME = "網路商品一批";
const TRADE_DESC = "Shopify 訂單付款";
/** Between two server-side queries for the same attempt (ECPay throttles eager callers). */
const QUERY_SPACING_MS = 10_000;
const WAITING_LONG_MS = 60_000;

export function buyerLocale(session: PaymentSession): Locale {
  let customerLocale: string | null = null;
  try {
    customerLocale = session.customer ? ((JSON.parse(session.customer) as { locale?: string }).locale ?? null) : null;
  } catch {
    customerLocale = null;
  }
  return resolveLocale(customerLocale ?? session.merchantLocale);
}

const isMobile = (userAgent: string | null) => /Android|iPhone|iPad|iPod|Mobile/i.test(userAgent ?? "");

export interface HandOffRequest {
  method: MethodHandle;
  paymentId: string;
  wait: boolean;
  forceDesktop: boolean;
  userAgent: string | null;
}

export async function buyerHandOff(deps: Deps, request: HandOffRequest): Promise<Response> {
  const session = await deps.db.paymentSession.findUnique({ where: { id: request.paymentId } });
  if (!session || session.method !== request.method) {
    return htmlPage({ locale: "zh-TW", body: heading(t("zh-TW", "buyer.notFound")), status: 404 });
  }
  const locale = buyerLocale(session);

  if (session.nextActionUrl && isPaymentFinal(session.status)) return redirect(session.nextActionUrl);
  if (session.status === "PENDING") return atmPage(deps, session, locale);
  if (isPaymentFinal(session.status)) return waitingPage(session, locale, deps.now());

  // Another tab of the same checkout already paid (or took an ATM account).
  const holder = await deps.db.paymentSession.findUnique({ where: { settledGroup: groupKey(session) } });
  if (holder && holder.id !== session.id) {
    return htmlPage({
      locale,
      body:
        heading(t(locale, "buyer.alreadyPaid")) +
        (holder.nextActionUrl ? link(holder.nextActionUrl, t(locale, "buyer.backToStore")) : ""),
    });
  }

  const latest = await deps.db.paymentAttempt.findFirst({
    where: { paymentSessionId: session.id },
    orderBy: { createdAt: "desc" },
  });
  if (request.wait) return waitForOutcome(deps, session, latest, locale);

  if (PAYMENT_METHODS[request.method].desktopOnly && isMobile(request.userAgent) && !request.forceDesktop) {
    return htmlPage({
      locale,
      body:
        heading(t(locale, "buyer.title")) +
        paragraph(t(locale, "buyer.webatmDesktop"), "webatm-desktop-only") +
        link(`?desktop=1`, t(locale, "buyer.webatmContinue")) +
        link(session.cancelUrl, t(locale, "buyer.changeMethod"), true, "change-method"),
    });
  }
  return createAttempt(deps, session, locale);
}

function redirect(url: string): Response {
  return new Response(null, { status: 303, headers: { Location: url, "Cache-Control": "no-store" } });
}

async function createAttempt(deps: Deps, session: PaymentSession, locale: Locale): Promise<Response> {
  const method = session.method as MethodHandle;
  const installation = await deps.db.shopInstallation.findUnique({
    where: { method_shop: { method, shop: session.shop } },
    include: { binding: true },
  });
  if (!installation?.binding || session.amount === null) return errorPage(session, locale);
  const credentials = credentialsForSession(deps.secrets, installation.binding, session.test);
  const settings = parseMethodSettings(method, installation.settings);
  const def = PAYMENT_METHODS[method];
  const extra: Record<string, string> = { ...def.ecpay.extra };
  if ("periods" in settings) extra.CreditInstallment = settings.periods.join(",");
  if ("expireDays" in settings) extra.ExpireDate = String(settings.expireDays);
  const appUrl = deps.config.appUrl;
  const now = deps.now();
  const merchantTradeNo = newMerchantTradeNo(now);
  const form = deps.ecpay.createCheckout(credentials, {
    merchantTradeNo,
    tradeDate: now,
    totalAmount: session.amount,
    itemName: settings.itemName ?? DEFAULT_ITEM_NAME,
    tradeDesc: TRADE_DESC,
    choosePayment: def.ecpay.choosePayment,
    extra,
    returnUrl: `${appUrl}/ecpay/${method}/return`,
    ...(def.orderResultUrlSupported ? { orderResultUrl: `${appUrl}/ecpay/${method}/result` } : {}),
    clientBackUrl: `${appUrl}/pay/${method}/${encodeURIComponent(session.id)}?wait=1`,
    ...(def.pending ? { paymentInfoUrl: `${appUrl}/ecpay/${method}/payment-info` } : {}),
    customField1: paymentIdToCustomField(session.id),
    ...(locale === "en" ? { language: "ENG" as const } : {}),
  });
  if (form.isErr()) {
    console.error(`cannot build the ECPay checkout for payment ${session.id}: ${form.error.field ?? ""} ${form.error.message}`);
    return errorPage(session, locale);
  }
  await deps.db.$transaction(async (tx) => {
    await tx.paymentAttempt.create({
      data: {
        merchantTradeNo,
        paymentSessionId: session.id,
        merchantId: credentials.merchantId,
        stage: credentials.environment === "stage",
        amount: session.amount!,
      },
    });
    const target = nextStatus(session.status, { type: "attempt-created" });
    if (target && target !== session.status) {
      await tx.paymentSession.update({ where: { id: session.id }, data: { status: target } });
    }
  });
  return htmlPage({
    locale,
    title: "buyer.redirecting",
    body:
      heading(t(locale, "buyer.redirecting")) +
      paragraph(t(locale, "buyer.amount", { amount: session.amount.toLocaleString("en-US") })) +
      autoSubmitFormHtml(form.value, { submitLabel: t(locale, "buyer.continue"), formId: "ecpay-checkout" }) +
      link(session.cancelUrl, t(locale, "buyer.changeMethod"), true, "change-method"),
  });
}

function errorPage(session: PaymentSession, locale: Locale): Response {
  return htmlPage({
    locale,
    status: 503,
    body: heading(t(locale, "buyer.error")) + link(session.cancelUrl, t(locale, "buyer.changeMethod"), true, "change-method"),
  });
}

export const waitUrl = (session: Pick<PaymentSession, "method" | "id">) =>
  `/pay/${session.method}/${encodeURIComponent(session.id)}?wait=1`;

/** Polls the hand-off page until Shopify has answered (then it redirects to nextAction). */
export function waitingPage(session: PaymentSession, locale: Locale, now: Date): Response {
  const long = now.getTime() - session.updatedAt.getTime() > WAITING_LONG_MS;
  return htmlPage({
    locale,
    refresh: { seconds: 2, url: waitUrl(session) },
    body:
      heading(t(locale, "buyer.waiting")) +
      (long ? paragraph(t(locale, "buyer.waitingLong"), "waiting-long") : "") +
      `<p id="waiting"></p>`,
  });
}

async function waitForOutcome(deps: Deps, session: PaymentSession, latest: PaymentAttempt | null, locale: Locale) {
  const now = deps.now();
  const mayQuery =
    latest?.status === "CREATED" &&
    !queriesPaused(processQueryPause, now) &&
    (!latest.lastQueriedAt || now.getTime() - latest.lastQueriedAt.getTime() > QUERY_SPACING_MS);
  if (latest && mayQuery) {
    const settled = await settleFromTradeQuery(deps, latest, session);
    if (settled === "rate-limited") pauseQueries(processQueryPause, now);
    if (settled === "settled") {
      notifyOutbox();
      return waitingPage(session, locale, now);
    }
    if (settled === "unpaid" || settled === "failed") return failedPage(session, locale);
  }
  if (!latest || latest.status === "FAILED" || latest.status === "EXPIRED") return failedPage(session, locale);
  if (latest.status === "CREATED" && latest.lastQueriedAt) return failedPage(session, locale);
  return waitingPage(session, locale, now);
}

export function failedPage(session: PaymentSession, locale: Locale): Response {
  return htmlPage({
    locale,
    // A payment that just went through may still be confirmed: check again in a while.
    refresh: { seconds: 15, url: waitUrl(session) },
    body:
      heading(t(locale, "buyer.failed")) +
      link(`/pay/${session.method}/${encodeURIComponent(session.id)}`, t(locale, "buyer.retry"), false, "retry") +
      link(session.cancelUrl, t(locale, "buyer.changeMethod"), true, "change-method"),
  });
}

async function atmPage(deps: Deps, session: PaymentSession, locale: Locale): Promise<Response> {
  const attempt = await deps.db.paymentAttempt.findFirst({
    where: { paymentSessionId: session.id, status: "ISSUED" },
    orderBy: { createdAt: "desc" },
  });
  const rows = attempt
    ? `<dl><dt>${t(locale, "buyer.atmBank")}</dt><dd id="atm-bank-code">${attempt.bankCode ?? ""}</dd>
<dt>${t(locale, "buyer.atmAccount")}</dt><dd id="atm-account">${attempt.vAccount ?? ""}</dd>
<dt>${t(locale, "buyer.atmDeadline")}</dt><dd id="atm-deadline">${attempt.expireDate ?? ""}</dd>
<dt>${t(locale, "buyer.atmAmount")}</dt><dd id="atm-amount">NT$ ${attempt.amount.toLocaleString("en-US")}</dd></dl>`
    : "";
  return htmlPage({
    locale,
    ...(session.nextActionUrl ? {} : { refresh: { seconds: 3, url: `/pay/${session.method}/${encodeURIComponent(session.id)}` } }),
    body:
      heading(t(locale, "buyer.atmTitle")) +
      rows +
      (session.nextActionUrl ? link(session.nextActionUrl, t(locale, "buyer.backToStore"), false, "back-to-store") : ""),
  });
}
