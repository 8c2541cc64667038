// Capture (manual §3-2): recommend "automatically at checkout" and turning off ECPay's daily
// auto-close; warn about authorizations approaching ECPay's 21-day close limit. A method without
// authorization (the registry's supportsAuthorization) is told why it has nothing to capture.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, IndexTable, InlineStack, Layout, Link, List, Page, Text } from "@shopify/polaris";
import { z } from "zod";
import { CardPadding, PaymentLink, SectionCard, SharedBindingNote, TableEmpty } from "~/admin/components";
import { markCaptureReviewed } from "~/admin/installation.server";
import { requireAdmin } from "~/web/admin-context.server";
import { formatDateTime } from "~/admin/format";
import { CLOSE_LIMIT_DAYS } from "~/admin/capture-rules";
import { noCaptureNote, refundNote, shopifyAdminLinks } from "~/admin/guidance";
import { captureOverview } from "~/admin/overview.server";
import { serverConfig } from "~/config.server";
import { CsrfField, useAdmin } from "~/admin/use-admin";
import { deps } from "~/deps.server";
import { getMethod } from "~/payments/methods";

/** ECPay's documentation of closing (關帳), daily auto-close and the 21-day limit. */
const ECPAY_CLOSE_HELP_URL = "https://developers.ecpay.com.tw/?p=9242";
const ECPAY_SUPPORT_URL = "https://support.ecpay.com.tw/";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const config = serverConfig();
  const definition = getMethod(ctx.method);
  return {
    overview: await captureOverview(deps(), ctx.method, ctx.shop),
    shopifyCaptureSettingsUrl: shopifyAdminLinks(config, ctx.shop, config.apps[ctx.method]?.apiKey ?? "").captureSettings,
    noCapture: noCaptureNote(definition),
    refundNote: refundNote(definition),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const form = z.object({ intent: z.literal("reviewed") }).safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) return Response.json({ ok: false }, { status: 400 });
  await markCaptureReviewed(deps(), ctx.method, ctx.shop);
  return { ok: true };
}

export default function CapturePage() {
  const { overview, shopifyCaptureSettingsUrl, noCapture, refundNote: refund } = useLoaderData<typeof loader>();
  const { t, base } = useAdmin();
  const navigation = useNavigation();
  return (
    <Page title={t("admin.capture.title")} backAction={{ content: t("admin.nav.home"), url: base }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <SharedBindingNote />
            {noCapture ? (
              <Banner tone="info" title={t("admin.capture.notApplicableTitle")}>
                <BlockStack gap="100" id="capture-not-applicable">
                  <Text as="p">{t(noCapture)}</Text>
                  <Text as="p">{t(refund)}</Text>
                </BlockStack>
              </Banner>
            ) : null}
            {overview.applies && overview.recentAuthorizations > 0 ? (
              <Banner tone="warning" title={t("admin.capture.authorizationsWarningTitle")}>
                <Text as="p">{t("admin.capture.authorizationsWarning", { count: overview.recentAuthorizations, days: CLOSE_LIMIT_DAYS })}</Text>
              </Banner>
            ) : null}
            {overview.applies ? (
              <SectionCard title={t("admin.capture.recommendTitle")}>
                <List>
                  <List.Item>{t("admin.capture.recommendAuto")}</List.Item>
                  <List.Item>{t("admin.capture.recommendAutoClose")}</List.Item>
                  <List.Item>{t("admin.capture.manualExplain", { days: CLOSE_LIMIT_DAYS })}</List.Item>
                </List>
                <InlineStack gap="300">
                  <Button url={shopifyCaptureSettingsUrl} target="_blank" external>
                    {t("admin.capture.openShopify")}
                  </Button>
                  <Link url={ECPAY_CLOSE_HELP_URL} target="_blank">
                    {t("admin.capture.ecpayHelp")}
                  </Link>
                  <Link url={ECPAY_SUPPORT_URL} target="_blank">
                    {t("admin.links.support")}
                  </Link>
                </InlineStack>
              </SectionCard>
            ) : null}
            {overview.applies ? (
              <Card padding="0">
                <CardPadding>
                  <BlockStack gap="100">
                    <Text as="h2" variant="headingMd">
                      {t("admin.capture.nearLimitTitle")}
                    </Text>
                    <Text as="p" tone="subdued">
                      {t("admin.capture.nearLimitHelp", { days: CLOSE_LIMIT_DAYS })}
                    </Text>
                  </BlockStack>
                </CardPadding>
                <IndexTable
                  resourceName={{ singular: t("admin.transactions.singular"), plural: t("admin.transactions.plural") }}
                  itemCount={overview.nearLimit.length}
                  selectable={false}
                  emptyState={<TableEmpty text={t("admin.capture.nearLimitNone")} />}
                  headings={[{ title: "Payment ID" }, { title: t("admin.transactions.amount") }, { title: t("admin.transactions.date") }, { title: t("admin.capture.daysLeft") }]}
                >
                  {overview.nearLimit.map((row, index) => (
                    <IndexTable.Row id={row.id} key={row.id} position={index}>
                      <IndexTable.Cell>
                        <PaymentLink id={row.id} />
                      </IndexTable.Cell>
                      <IndexTable.Cell>{row.amount}</IndexTable.Cell>
                      <IndexTable.Cell>{formatDateTime(row.createdAt)}</IndexTable.Cell>
                      <IndexTable.Cell>
                        <Badge tone={row.daysLeft <= 3 ? "critical" : "warning"}>{t("admin.capture.days", { days: Math.max(row.daysLeft, 0) })}</Badge>
                      </IndexTable.Cell>
                    </IndexTable.Row>
                  ))}
                </IndexTable>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
        {/* Nothing to check where nothing is ever only authorized. */}
        {overview.applies ? (
          <Layout.Section variant="oneThird">
            <SectionCard title={t("admin.capture.reviewTitle")}>
              <Text as="p" id="capture-reviewed">
                {overview.reviewedAt ? t("admin.capture.reviewedAt", { at: formatDateTime(overview.reviewedAt) }) : t("admin.capture.notReviewed")}
              </Text>
              <Form method="post">
                <CsrfField />
                <input type="hidden" name="intent" value="reviewed" />
                <Button submit variant="primary" loading={navigation.state === "submitting"}>
                  {t("admin.capture.reviewed")}
                </Button>
              </Form>
            </SectionCard>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
