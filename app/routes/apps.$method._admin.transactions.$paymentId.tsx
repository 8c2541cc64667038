// One payment: its ids, state and the full timeline (session, ECPay attempts, notifications with
// signature result, Shopify mutations with each attempt's answer, refunds/captures/voids), with
// "query ECPay now" and "retry delivery to Shopify". Any of the shop's apps opens any of the shop's
// payments (the shop-wide list links here), and acts on it as the app that took it; another shop's
// payment is a 404.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, isRouteErrorResponse, useActionData, useLoaderData, useLocation, useNavigation, useRouteError } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import { z } from "zod";
import { ownsPayment, queryEcpayNow, retryShopifyDelivery, type QueryAnswer, type QueryEffect, type QueryErrorReason, type QueryVerdict } from "~/admin/actions.server";
import { appLabel, Pre, Row, SectionCard, StatusBadge, TestBadge } from "~/admin/components";
import { requireAdmin } from "~/web/admin-context.server";
import { feeText, formatAmount, formatDateTime, formatMoney } from "~/admin/format";
import { paymentTypeLabel } from "~/admin/payment-types";
import { buildTimeline, type TimelineEvent } from "~/admin/timeline";
import { cardWords, describeEvent } from "~/admin/timeline-words";
import { paymentMethodOf, toRow, transactionDetail } from "~/admin/transactions.server";
import { CsrfField, useAdmin, type Translate } from "~/admin/use-admin";
import type { MessageKey } from "~/i18n";
import { deps } from "~/deps.server";
import { MerchantTradeNoSchema, OutboxMessageIdSchema, PaymentIdSchema } from "~/payments/ids";
import { flagsOf } from "~/payments/settlement-rules";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const paymentId = z.string().min(1).max(200).safeParse(params.paymentId);
  const search = new URL(request.url).searchParams;
  const messages = { after: search.get("messagesAfter") ?? undefined, before: search.get("messagesBefore") ?? undefined };
  const detail = paymentId.success ? await transactionDetail(deps().db, ctx.shop, paymentId.data, messages) : null;
  // Another shop's payment is indistinguishable from one that does not exist.
  if (!detail) throw new Response("Not found", { status: 404 });
  const { session } = detail;
  return {
    row: toRow(session),
    gid: session.gid,
    kind: session.kind,
    authorizationExpiresAt: session.authorizationExpiresAt?.toISOString() ?? null,
    pendingExpiresAt: session.pendingExpiresAt?.toISOString() ?? null,
    rejectCode: session.rejectCode,
    merchantMessage: session.merchantMessage,
    attempts: session.attempts.map((a) => a.merchantTradeNo),
    undelivered: detail.outbox.filter((m) => m.status !== "DELIVERED").map((m) => ({ id: m.id, mutation: m.mutation, status: m.status })),
    timeline: buildTimeline(detail),
    messagePages: detail.messagePages,
  };
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("query"), merchantTradeNo: MerchantTradeNoSchema.optional() }),
  z.object({ intent: z.literal("retry"), messageId: OutboxMessageIdSchema }),
]);

type Line = { message: MessageKey; vars?: Record<string, string> };
type ActionData = Line & { tone: "success" | "info" | "critical" | "warning"; details?: Line[] };

const VERDICT_TONES: Record<QueryVerdict, ActionData["tone"]> = {
  paid: "success",
  "atm-issued": "info",
  unpaid: "info",
  "not-completed": "warning",
  "not-found": "warning",
  unrecognised: "warning",
};

const EFFECT_WORDS: Record<QueryEffect, MessageKey> = {
  settled: "admin.detail.answer.settled",
  "closed-unpaid": "admin.detail.answer.closedUnpaid",
  flagged: "admin.detail.answer.flagged",
  mismatch: "admin.detail.answer.mismatch",
  unchanged: "admin.detail.answer.unchanged",
};

/** "Query ECPay now": ECPay's answer in words, then what it did to the payment. */
function queryBanner(answer: QueryAnswer): ActionData {
  const details: Line[] = [];
  if (answer.atm) details.push({ message: "admin.detail.atm", vars: { bank: answer.atm.bankCode, account: answer.atm.vAccount, expire: answer.atm.expireDate ?? "—" } });
  details.push({ message: EFFECT_WORDS[answer.effect] });
  return {
    tone: answer.effect === "mismatch" || answer.effect === "flagged" ? "critical" : VERDICT_TONES[answer.verdict],
    message: `admin.detail.answer.${answer.verdict}`,
    vars: { no: answer.merchantTradeNo },
    details,
  };
}

function queryErrorBanner(reason: QueryErrorReason, detail: string): ActionData {
  return { tone: "critical", message: `admin.detail.error.${reason}`, details: [{ message: "admin.detail.queryFailed", vars: { error: detail } }] };
}

export async function action({ request, params }: ActionFunctionArgs): Promise<ActionData> {
  const ctx = await requireAdmin(request, params.method);
  const paymentId = PaymentIdSchema.safeParse(params.paymentId);
  const d = deps();
  // The payment's own app: its binding queries ECPay, its Shopify access token retries.
  const method = paymentId.success ? await paymentMethodOf(d.db, ctx.shop, paymentId.data) : null;
  if (!paymentId.success || !method || !(await ownsPayment(d, ctx.shop, method, paymentId.data))) throw new Response("Not found", { status: 404 });
  const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return { tone: "critical", message: "admin.form.invalidRequest" };
  if (parsed.data.intent === "query") {
    const answer = await queryEcpayNow(d, ctx.shop, method, paymentId.data, parsed.data.merchantTradeNo);
    if (answer.isOk()) return queryBanner(answer.value);
    const failure = answer.error;
    if (failure.kind === "not-found") return { tone: "critical", message: "admin.detail.queryNoAttempt" };
    if (failure.kind === "no-credentials") return { tone: "critical", message: "admin.detail.queryNoCredentials", vars: { merchantId: failure.merchantId } };
    if (failure.kind === "paused") return { tone: "warning", message: "admin.detail.queryPaused", vars: { until: formatDateTime(failure.until.toISOString()) } };
    return queryErrorBanner(failure.reason, failure.detail);
  }
  const retried = await retryShopifyDelivery(d, ctx.shop, method, paymentId.data, parsed.data.messageId);
  if (retried.isOk()) return { tone: "success", message: "admin.detail.retried" };
  const reasons: Record<typeof retried.error, MessageKey> = {
    "not-found": "admin.form.invalidRequest",
    delivered: "admin.detail.alreadyDelivered",
    "in-flight": "admin.detail.inFlight",
  };
  return { tone: "warning", message: reasons[retried.error] };
}

/** Codes and raw records behind each event, for whoever debugs the integration. */
function DeveloperDetails({ children }: { children: ReactNode }) {
  const { t } = useAdmin();
  return (
    <details className="developer-details">
      <summary style={{ cursor: "pointer" }}>
        <Text as="span" tone="subdued">
          {t("admin.timeline.developerDetails")}
        </Text>
      </summary>
      <Box paddingBlockStart="100">
        <BlockStack gap="100">{children}</BlockStack>
      </Box>
    </details>
  );
}

function Codes({ children }: { children: string }) {
  return (
    <Text as="p" tone="subdued" breakWord>
      {children}
    </Text>
  );
}

/** What the event means to the merchant, seen without opening anything. */
function EventFlags({ event, t }: { event: TimelineEvent; t: Translate }) {
  const flags: ReactNode[] = [];
  if (event.type === "session" && event.test) flags.push(<TestBadge key="test" />);
  if (event.type === "attempt" && event.stage) flags.push(<Badge key="stage" tone="warning">{t("admin.detail.stage")}</Badge>);
  if ((event.type === "attempt" || event.type === "notification") && event.simulatePaid) {
    flags.push(<Badge key="simulatePaid" tone="info">{t("admin.badge.simulatePaid")}</Badge>);
  }
  if (event.type === "operation" && event.simulated) flags.push(<Badge key="simulated" tone="warning">{t("admin.detail.simulated")}</Badge>);
  return flags.length ? <InlineStack gap="200">{flags}</InlineStack> : null;
}

function EventDetails({ event, t }: { event: TimelineEvent; t: Translate }) {
  switch (event.type) {
    case "session":
      return <Codes>{`${event.amountRaw} ${event.currency} · ${event.kind}`}</Codes>;
    case "attempt":
      return (
        <Codes>
          {[
            `MerchantTradeNo ${event.merchantTradeNo}`,
            `MerchantID ${event.merchantId}`,
            `status ${event.status}`,
            event.tradeNo ? `TradeNo ${event.tradeNo}` : "",
            event.paymentType ?? "",
            event.rtnCode ? `RtnCode ${event.rtnCode} ${event.rtnMsg ?? ""}` : "",
            event.chargeFee ? `${t("admin.detail.fee")} ${feeText(event.chargeFee, "TWD")}` : "",
            event.cardStateNow ? `cardState (now) ${event.cardStateNow}` : "",
            event.atm ? t("admin.detail.atm", { bank: event.atm.bankCode, account: event.atm.vAccount, expire: event.atm.expireDate ?? "—" }) : "",
          ]
            .filter(Boolean)
            .join(" · ")}
        </Codes>
      );
    case "notification":
      return (
        <>
          <InlineStack gap="200" blockAlign="center">
            <Badge>{event.channel}</Badge>
            <Badge tone={event.signatureValid ? "success" : "critical"}>{t(event.signatureValid ? "admin.detail.signatureOk" : "admin.detail.signatureFailed")}</Badge>
            <Badge>{event.outcome}</Badge>
            {event.merchantTradeNo ? <Text as="span" tone="subdued">{event.merchantTradeNo}</Text> : null}
          </InlineStack>
          {event.fields.length ? (
            <>
              <Text as="span" tone="subdued">
                {t("admin.detail.rawFields", { n: event.fields.length })}
              </Text>
              <Pre>{event.fields.map(([k, v]) => `${k}=${v}`).join("\n")}</Pre>
            </>
          ) : null}
        </>
      );
    case "operation":
      return (
        <>
          <Codes>{`${event.operation} · ${event.status}${event.amountRaw ? ` · ${event.amountRaw}` : ""}`}</Codes>
          {event.ecpayLog ? <Pre>{event.ecpayLog}</Pre> : null}
        </>
      );
    case "outbox":
      return (
        <>
          <Codes>{`${event.mutation} · ${event.status} · ${t("admin.detail.attempts", { n: event.attempts })}`}</Codes>
          <Pre>{event.variables}</Pre>
          {event.lastError ? <Text as="span" tone="critical">{event.lastError}</Text> : null}
          {event.log.map((l, index) => (
            <div key={index} data-event="outboxAttempt">
              <InlineStack gap="200" blockAlign="center">
                <Text as="span" tone="subdued">
                  {formatDateTime(l.at)}
                </Text>
                <Badge tone={l.ok ? "success" : "critical"}>{t(l.ok ? "admin.detail.shopifyOk" : "admin.detail.shopifyFailed")}</Badge>
                {l.httpStatus ? <Text as="span" tone="subdued">HTTP {l.httpStatus}</Text> : null}
              </InlineStack>
              {l.error ? <Text as="span" tone="critical">{l.error}</Text> : null}
              {l.response ? <Pre>{l.response}</Pre> : null}
            </div>
          ))}
        </>
      );
  }
}

function TimelineEntry({ event }: { event: TimelineEvent }) {
  const { t, locale } = useAdmin();
  const words = describeEvent(event, t, locale);
  const card = event.type === "attempt" || event.type === "notification" || event.type === "operation" ? event.card : null;
  return (
    <Box paddingBlockStart="200" borderBlockStartWidth="025" borderColor="border" data-event={event.type}>
      <BlockStack gap="100">
        <InlineStack gap="200" blockAlign="center">
          <Text as="span" tone="subdued">
            {formatDateTime(event.at)}
          </Text>
          <Text as="h3" variant="headingSm" tone={words.tone === "critical" ? "critical" : undefined}>
            <span data-role="words">{words.text}</span>
          </Text>
        </InlineStack>
        {card ? (
          <Text as="p" tone="subdued">
            <span data-role="card">{cardWords(card, t)}</span>
          </Text>
        ) : null}
        <EventFlags event={event} t={t} />
        {event.type === "attempt" && event.closeError ? <Text as="span" tone="critical">{event.closeError}</Text> : null}
        {event.type === "operation" && event.merchantMessage ? <Text as="span">{event.merchantMessage}</Text> : null}
        {event.type === "notification" && event.counted ? (
          <Text as="span" tone="subdued">
            {t("admin.detail.counted", { n: String(event.counted.count), last: formatDateTime(event.counted.lastAt), fingerprint: event.counted.fingerprint })}
          </Text>
        ) : null}
        <DeveloperDetails>
          <EventDetails event={event} t={t} />
        </DeveloperDetails>
      </BlockStack>
    </Box>
  );
}

export default function TransactionDetailPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t, base, locale, method } = useAdmin();
  const location = useLocation();
  const { row } = data;
  const otherApp = row.method !== method;
  /** The same page with another page of ECPay messages (the other query parameters kept). */
  const pageUrl = (key: "messagesAfter" | "messagesBefore", cursor: string) => {
    const params = new URLSearchParams(location.search);
    params.delete("messagesAfter");
    params.delete("messagesBefore");
    params.set(key, cursor);
    return `?${params.toString()}`;
  };
  const busy = (intent: string) => navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  return (
    // The title is the Payment ID, one long word: a phone breaks it rather than scrolling sideways.
    <div className="payment-detail">
      <style>{".payment-detail .Polaris-Header-Title { overflow-wrap: anywhere; }"}</style>
    <Page
      title={row.id}
      titleMetadata={
        <InlineStack gap="200">
          <span id="status" data-status={row.status}>
            <StatusBadge status={row.status} />
          </span>
          {row.test ? <TestBadge /> : null}
          {flagsOf(row.flag).map((flag) => (
            <Badge key={flag} tone="critical">
              {flag}
            </Badge>
          ))}
        </InlineStack>
      }
      subtitle={formatAmount(row.amount, row.amountRaw, row.currency)}
      backAction={{ content: t("admin.nav.transactions"), url: `${base}/transactions` }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {actionData ? (
              <Banner tone={actionData.tone} title={t(actionData.message, actionData.vars)}>
                {actionData.details?.map((line) => (
                  <Text as="p" key={line.message}>
                    {t(line.message, line.vars)}
                  </Text>
                ))}
              </Banner>
            ) : null}
            {otherApp ? (
              <div id="other-app" data-testid="detail-other-app" data-method={row.method}>
                <Banner tone="info">
                  <Text as="p">{t("admin.console.otherApp", { app: appLabel(row.method, locale) })}</Text>
                </Banner>
              </div>
            ) : null}
            <SectionCard title={t("admin.detail.idsTitle")}>
              <InlineGrid columns={["oneThird", "twoThirds"]} gap="200">
                <Row label={t("admin.console.app")}>
                  <span id="detail-app" data-method={row.method}>
                    {appLabel(row.method, locale)}
                  </span>
                </Row>
                <Row label="Shopify Payment ID">{row.id}</Row>
                <Row label="GID">{data.gid}</Row>
                <Row label={t("admin.transactions.checkout")}>{row.checkoutRef ?? "—"}</Row>
                <Row label="MerchantTradeNo">{row.merchantTradeNos.join(", ") || "—"}</Row>
                <Row label={t("admin.transactions.tradeNo")}>{row.tradeNo ?? "—"}</Row>
                <Row label={t("admin.transactions.method")}>{row.paymentType ? `${paymentTypeLabel(locale, row.paymentType)} (${row.paymentType})` : "—"}</Row>
                <Row label={t("admin.detail.kind")}>{data.kind === "AUTHORIZATION" ? t("admin.detail.kindAuthorization") : t("admin.detail.kindSale")}</Row>
                <Row label={t("admin.detail.authorized")}>
                  <span id="money-authorized">{formatAmount(row.money.authorized, row.amountRaw, row.currency)}</span>
                </Row>
                <Row label={t("admin.detail.captured")}>
                  <span id="money-captured">{formatMoney(row.money.captured, row.currency)}</span>
                </Row>
                <Row label={t("admin.detail.refunded")}>
                  <span id="money-refunded">{formatMoney(row.money.refunded, row.currency)}</span>
                </Row>
                <Row label={t("admin.detail.net")}>
                  <span id="money-net">{formatMoney(row.money.net, row.currency)}</span>
                </Row>
                {row.money.fee ? (
                  <Row label={t("admin.detail.fee")}>
                    <span id="money-fee">{feeText(row.money.fee, row.currency)}</span>
                  </Row>
                ) : null}
                {data.authorizationExpiresAt ? <Row label={t("admin.detail.authorizationExpires")}>{formatDateTime(data.authorizationExpiresAt)}</Row> : null}
                {row.pendingAccount ? (
                  <Row label={t("admin.console.virtualAccount")}>
                    <span id="detail-atm-account">
                      {`${t("admin.console.atmAccount", { bank: row.pendingAccount.bankCode, account: row.pendingAccount.vAccount })} · ${t("admin.console.atmDeadline", { deadline: row.pendingAccount.deadline ? formatDateTime(row.pendingAccount.deadline) : (row.pendingAccount.expireDate ?? "—") })}`}
                    </span>
                  </Row>
                ) : null}
                {data.pendingExpiresAt ? <Row label={t("admin.detail.pendingExpires")}>{formatDateTime(data.pendingExpiresAt)}</Row> : null}
                {data.rejectCode ? <Row label={t("admin.detail.rejectCode")}>{data.rejectCode}</Row> : null}
                {data.merchantMessage ? <Row label={t("admin.detail.merchantMessage")}>{data.merchantMessage}</Row> : null}
                <Row label={t("admin.transactions.date")}>{formatDateTime(row.createdAt)}</Row>
              </InlineGrid>
            </SectionCard>
            <SectionCard title={t("admin.detail.timelineTitle")}>
              <Text as="p" tone="subdued">
                {t("admin.timeline.newestFirst")}
              </Text>
              {data.messagePages.older || data.messagePages.newer ? (
                <InlineStack gap="200">
                  {data.messagePages.newer ? (
                    <Button url={pageUrl("messagesBefore", data.messagePages.newer)}>{t("admin.detail.messagesNewer")}</Button>
                  ) : null}
                  {data.messagePages.older ? (
                    <Button url={pageUrl("messagesAfter", data.messagePages.older)}>{t("admin.detail.messagesOlder")}</Button>
                  ) : null}
                </InlineStack>
              ) : null}
              <div id="timeline">
                <BlockStack gap="300">
                  {data.timeline.map((event, index) => (
                    <TimelineEntry key={index} event={event} />
                  ))}
                </BlockStack>
              </div>
            </SectionCard>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <SectionCard title={t("admin.detail.actionsTitle")}>
            <Text as="p" tone="subdued">
              {t("admin.detail.queryHelp")}
            </Text>
            <Form method="post">
              <CsrfField />
              <input type="hidden" name="intent" value="query" />
              <Button submit disabled={data.attempts.length === 0} loading={busy("query")}>
                {t("admin.detail.query")}
              </Button>
            </Form>
            {data.undelivered.length > 0 ? (
              <>
                <Text as="p" tone="subdued">
                  {t("admin.detail.retryHelp")}
                </Text>
                {data.undelivered.map((m) => (
                  <Form method="post" key={m.id}>
                    <CsrfField />
                    <input type="hidden" name="intent" value="retry" />
                    <input type="hidden" name="messageId" value={m.id} />
                    <Button submit loading={busy("retry")}>
                      {t("admin.detail.retry", { mutation: m.mutation })}
                    </Button>
                  </Form>
                ))}
              </>
            ) : null}
          </SectionCard>
        </Layout.Section>
      </Layout>
    </Page>
    </div>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t, base } = useAdmin();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <Page title={t(notFound ? "admin.detail.notFound" : "admin.detail.error")} backAction={{ content: t("admin.nav.transactions"), url: `${base}/transactions` }}>
      <Banner tone="critical">
        <Text as="p">{t(notFound ? "admin.detail.notFoundBody" : "admin.detail.errorBody")}</Text>
      </Banner>
    </Page>
  );
}
