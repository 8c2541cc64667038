// GET /pay/<m>/<payment id>: the buyer's hand-off to ECPay, and the page they come back to.
// Each visit creates a fresh ECPay attempt (new MerchantTradeNo) unless the checkout is already
// settled; `?wait=1` (ClientBackURL, the waiting page) never creates one and instead settles a
// finished trade by asking ECPay server to server. Both are bounded per payment session (anyone
// who sees the payment id can load them): ATTEMPT_CAP attempts an hour, one ECPay query per
// QUERY_SPACING_MS. Every page is rendered with the escaping `html` tag (buyer-pages.ts).
import type { PaymentAttempt, PaymentSession } from "@prisma/client";
import { autoSubmitFormHtml } from "../../ecpay/checkout";
import { newMerchantTradeNo } from "../../ecpay/merchant-trade-no";
import { resolveLocale, t, type Locale } from "../../i18n";
import { notifyOutbox } from "../outbox.server";
import { credentialsForSession } from "../bindings.server";
import { pauseQueries, processQueryPause, queriesPaused } from "../ecpay-query-pause.server";
import { checkoutRows, checkoutSummary, copyButton, followableUrl, html, htmlPage, heading, link, outsideLink, paragraph, type CheckoutFacts } from "../buyer-pages";
import { paymentIdToCustomField } from "../custom-field";
import type { Deps } from "../ports";
import { DEFAULT_ITEM_NAME, PAYMENT_METHODS, parseMethodSettings, type MethodHandle } from "../methods";
import type { PaymentId } from "../ids";
import { isPaymentFinal, nextStatus } from "../payment-state";
import { checkoutReference } from "../shopify-requests";
import { formatMoney } from "../money";
import { groupKey } from "../settlement.server";
import { settleFromTradeQuery } from "./settle-from-query.server";
import { logPaymentEvent } from "../../lib/log.server";

/** The hand-off builds and signs the ECPay form: our records, the ECPay keys, the gateway, the public URL and the clock. */
export type BuyerHandOffDeps = Pick<Deps, "db" | "secrets" | "ecpay" | "config" | "now">;

const TRADE_DESC = "Shopify 訂單付款";
/** Between two server-side queries for the same payment session, whichever attempt (ECPay throttles eager callers). */
const QUERY_SPACING_MS = 10_000;
/** Attempts (MerchantTradeNos) one payment session may create per rolling ATTEMPT_WINDOW_MS. */
export const ATTEMPT_CAP = 10;
const ATTEMPT_WINDOW_MS = 60 * 60_000;
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

/** The checkout as the buyer (and, in the admin, the merchant) identifies it. */
export const checkoutFacts = (session: Pick<PaymentSession, "cancelUrl" | "amount" | "currency">): CheckoutFacts => ({
  reference: checkoutReference(session.cancelUrl),
  amount: session.amount,
  currency: session.currency,
});

const isMobile = (userAgent: string | null) => /Android|iPhone|iPad|iPod|Mobile/i.test(userAgent ?? "");

export interface HandOffRequest {
  method: MethodHandle;
  /** null: the route's param is no payment id at all (answered like an unknown one). */
  paymentId: PaymentId | null;
  wait: boolean;
  forceDesktop: boolean;
  userAgent: string | null;
}

export async function buyerHandOff(deps: BuyerHandOffDeps, request: HandOffRequest): Promise<Response> {
  const session = request.paymentId === null ? null : await deps.db.paymentSession.findUnique({ where: { id: request.paymentId } });
  if (!session || session.method !== request.method) {
    return htmlPage({ locale: "zh-TW", body: heading(t("zh-TW", "buyer.notFound")), status: 404 });
  }
  const locale = buyerLocale(session);

  const nextAction = followableUrl(session.nextActionUrl);
  if (nextAction && isPaymentFinal(session.status)) return redirect(nextAction);
  if (session.status === "PENDING") return atmPage(deps, session, locale);
  if (isPaymentFinal(session.status)) return waitingPage(session, locale, deps.now());

  // Another tab of the same checkout already paid (or took an ATM account).
  const holder = await deps.db.paymentSession.findUnique({ where: { settledGroup: groupKey(session) } });
  if (holder && holder.id !== session.id) {
    return htmlPage({
      locale,
      body: html`${heading(t(locale, "buyer.alreadyPaid"))}${checkoutSummary(locale, checkoutFacts(session))}${outsideLink(holder.nextActionUrl, t(locale, "buyer.backToStore"))}`,
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
      body: html`${heading(t(locale, "buyer.title"))}${checkoutSummary(locale, checkoutFacts(session))}${paragraph(t(locale, "buyer.webatmDesktop"), "webatm-desktop-only")}${link(
        "?desktop=1",
        t(locale, "buyer.webatmContinue"),
      )}${changeMethodLink(session, locale)}`,
    });
  }
  return createAttempt(deps, session, locale);
}

const changeMethodLink = (session: PaymentSession, locale: Locale) =>
  outsideLink(session.cancelUrl, t(locale, "buyer.changeMethod"), true, "change-method");

/** To Shopify's nextAction URL (only ever a followableUrl). */
export function redirect(url: string): Response {
  return new Response(null, { status: 303, headers: { Location: url, "Cache-Control": "no-store" } });
}

async function createAttempt(deps: BuyerHandOffDeps, session: PaymentSession, locale: Locale): Promise<Response> {
  const method = session.method as MethodHandle;
  const installation = await deps.db.shopInstallation.findUnique({
    where: { method_shop: { method, shop: session.shop } },
    include: { binding: true },
  });
  if (!installation?.binding || session.amount === null) return errorPage(session, locale);
  const capped = await attemptCapReached(deps, session, locale);
  if (capped) {
    logPaymentEvent("attempt.refused", { shop: session.shop, method, paymentId: session.id, httpStatus: 429, reason: "attempt cap per payment session reached" });
    return capped;
  }
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
    // ECPay documents Language for Credit only (ecpay-aio §2).
    ...(locale === "en" && def.cardTrade ? { language: "ENG" as const } : {}),
  });
  if (form.isErr()) {
    logPaymentEvent("attempt.refused", { shop: session.shop, method, paymentId: session.id, reason: `cannot build the ECPay checkout: ${form.error.message}` });
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
  logPaymentEvent("attempt.created", { shop: session.shop, method, paymentId: session.id, merchantTradeNo, test: session.test });
  return htmlPage({
    locale,
    title: "buyer.redirecting",
    formAction: form.value.action,
    body: (nonce) =>
      html`${heading(t(locale, "buyer.redirecting"))}${checkoutSummary(locale, checkoutFacts(session))}${autoSubmitFormHtml(
        form.value,
        { submitLabel: t(locale, "buyer.continue"), formId: "ecpay-checkout", nonce },
      )}${changeMethodLink(session, locale)}`,
  });
}

/**
 * The 429 page once the session made ATTEMPT_CAP attempts within the window (one COUNT; the
 * oldest is looked up only then, for Retry-After); null while it may make another.
 */
async function attemptCapReached(deps: BuyerHandOffDeps, session: PaymentSession, locale: Locale): Promise<Response | null> {
  const since = new Date(deps.now().getTime() - ATTEMPT_WINDOW_MS);
  const recent = await deps.db.paymentAttempt.count({ where: { paymentSessionId: session.id, createdAt: { gt: since } } });
  if (recent < ATTEMPT_CAP) return null;
  const oldest = await deps.db.paymentAttempt.findFirst({
    where: { paymentSessionId: session.id, createdAt: { gt: since } },
    orderBy: { createdAt: "asc" },
    skip: recent - ATTEMPT_CAP,
  });
  const retryAfterS = oldest
    ? Math.max(1, Math.ceil((oldest.createdAt.getTime() + ATTEMPT_WINDOW_MS - deps.now().getTime()) / 1000))
    : ATTEMPT_WINDOW_MS / 1000;
  return htmlPage({
    locale,
    status: 429,
    headers: { "Retry-After": String(retryAfterS) },
    body: html`${heading(t(locale, "buyer.title"))}${paragraph(
      t(locale, "buyer.tooManyAttempts", { minutes: String(Math.ceil(retryAfterS / 60)) }),
      "too-many-attempts",
    )}${changeMethodLink(session, locale)}`,
  });
}

function errorPage(session: PaymentSession, locale: Locale): Response {
  return htmlPage({
    locale,
    status: 503,
    body: html`${heading(t(locale, "buyer.error"))}${changeMethodLink(session, locale)}`,
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
    body: html`${heading(t(locale, "buyer.waiting"))}${checkoutSummary(locale, checkoutFacts(session))}${long ? paragraph(t(locale, "buyer.waitingLong"), "waiting-long") : ""}<p id="waiting"></p>`,
  });
}

/**
 * Claims the one ECPay query the session may send now: none when any of its attempts was queried
 * (by a poll or the reconciler) within QUERY_SPACING_MS, and the claim on the latest attempt is a
 * conditional update, so concurrent polls send one query between them.
 */
async function claimSessionQuery(deps: BuyerHandOffDeps, latest: PaymentAttempt, now: Date): Promise<boolean> {
  if (latest.status !== "CREATED" || queriesPaused(processQueryPause, now)) return false;
  const cutoff = new Date(now.getTime() - QUERY_SPACING_MS);
  const recent = await deps.db.paymentAttempt.count({
    where: { paymentSessionId: latest.paymentSessionId, lastQueriedAt: { gt: cutoff } },
  });
  if (recent > 0) return false;
  const claimed = await deps.db.paymentAttempt.updateMany({
    where: {
      merchantTradeNo: latest.merchantTradeNo,
      status: "CREATED",
      OR: [{ lastQueriedAt: null }, { lastQueriedAt: { lte: cutoff } }],
    },
    data: { lastQueriedAt: now },
  });
  return claimed.count === 1;
}

async function waitForOutcome(deps: BuyerHandOffDeps, session: PaymentSession, latest: PaymentAttempt | null, locale: Locale) {
  const now = deps.now();
  if (latest && (await claimSessionQuery(deps, latest, now))) {
    const settled = await settleFromTradeQuery(deps, latest, session, { claimed: true });
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
    body: html`${heading(t(locale, "buyer.failed"))}${checkoutSummary(locale, checkoutFacts(session))}${link(
      `/pay/${session.method}/${encodeURIComponent(session.id)}`,
      t(locale, "buyer.retry"),
      false,
      "retry",
    )}${changeMethodLink(session, locale)}`,
  });
}

async function atmPage(deps: BuyerHandOffDeps, session: PaymentSession, locale: Locale): Promise<Response> {
  const attempt = await deps.db.paymentAttempt.findFirst({
    where: { paymentSessionId: session.id, status: "ISSUED" },
    orderBy: { createdAt: "desc" },
  });
  const facts = checkoutFacts(session);
  // The account's facts come from ECPay (PaymentInfoURL) and are shown only as escaped text.
  const account = (nonce: string) =>
    attempt
      ? html`${paragraph(t(locale, "buyer.atmHelp"))}<dl><dt>${t(locale, "buyer.atmBank")}</dt><dd id="atm-bank-code">${attempt.bankCode ?? ""}</dd>
<dt>${t(locale, "buyer.atmAccount")}</dt><dd id="atm-account">${attempt.vAccount ?? ""}</dd>
<dt>${t(locale, "buyer.atmDeadline")}</dt><dd id="atm-deadline">${attempt.expireDate ?? ""}</dd>
<dt>${t(locale, "buyer.atmAmount")}</dt><dd id="atm-amount">${formatMoney(attempt.amount, session.currency)}</dd>
${checkoutRows(locale, { ...facts, amount: null })}<dt>${t(locale, "buyer.status")}</dt><dd id="payment-status">${t(locale, "buyer.status.pending")}</dd></dl>
${attempt.vAccount ? copyButton(nonce, "atm-account", t(locale, "buyer.copyAccount"), t(locale, "buyer.copied")) : ""}`
      : checkoutSummary(locale, facts);
  return htmlPage({
    locale,
    ...(followableUrl(session.nextActionUrl) ? {} : { refresh: { seconds: 3, url: `/pay/${session.method}/${encodeURIComponent(session.id)}` } }),
    body: (nonce) => html`${heading(t(locale, "buyer.atmTitle"))}${account(nonce)}${outsideLink(session.nextActionUrl, t(locale, "buyer.backToStore"), false, "back-to-store")}`,
  });
}
