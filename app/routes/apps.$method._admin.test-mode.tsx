// Test mode (manual §3-3): what Shopify's test mode does with this app, how this method's test
// payment gets paid (the stage test card, ECPay's simulated payment, or not at all: the registry's
// stageTest, worded by app/admin/guidance.ts), the stage back office (or the sandbox's emulator),
// which stage merchant takes the test payments, and the latest test payments.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, IndexTable, InlineGrid, InlineStack, Layout, Link, List, Page, Text } from "@shopify/polaris";
import { CardPadding, PaymentLink, SectionCard, SharedBindingNote, StatusBadge, TableEmpty, TestBadge } from "~/admin/components";
import { requireAdmin } from "~/web/admin-context.server";
import { testModeBinding } from "~/admin/installation.server";
import { formatAmount, formatDateTime } from "~/admin/format";
import { ecpayEmulator, shopifyAdminLinks, testGuidance } from "~/admin/guidance";
import { listTransactions } from "~/admin/transactions.server";
import { useAdmin } from "~/admin/use-admin";
import { serverConfig } from "~/config.server";
import { PUBLIC_STAGE_MERCHANT_ID, STAGE_BACK_OFFICE, STAGE_TEST_CARD } from "~/payments/test-mode";
import { deps } from "~/deps.server";
import { getMethod } from "~/payments/methods";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const d = deps();
  const [{ ownStageMerchantId: ownStage, bound }, recent] = await Promise.all([
    testModeBinding(d.db, ctx.method, ctx.shop),
    listTransactions(d.db, ctx.shop, ctx.method, { test: "test" }, 10),
  ]);
  const config = serverConfig();
  const emulator = ecpayEmulator(config);
  return {
    stageMerchantId: ownStage ?? PUBLIC_STAGE_MERCHANT_ID,
    ownStage: ownStage !== null,
    bound,
    settingsUrl: shopifyAdminLinks(config, ctx.shop, config.apps[ctx.method]?.apiKey ?? "").paymentSettings,
    guidance: testGuidance(getMethod(ctx.method), emulator !== null),
    emulatorOrdersUrl: emulator?.ordersUrl ?? null,
    recent: recent.rows,
  };
}

export default function TestModePage() {
  const data = useLoaderData<typeof loader>();
  const { t, base } = useAdmin();
  const { guidance } = data;
  return (
    <Page title={t("admin.testMode.title")} backAction={{ content: t("admin.nav.home"), url: base }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <SharedBindingNote />
            {guidance.unavailable ? (
              <Banner tone="warning" title={t("admin.guide.test.unavailableTitle")}>
                <Text as="p" id="test-unavailable">
                  {t(guidance.unavailable)}
                </Text>
              </Banner>
            ) : null}
            <SectionCard title={t("admin.testMode.howTitle")}>
              {guidance.pay ? (
                <List type="number">
                  <List.Item>{t("admin.testMode.step1")}</List.Item>
                  <List.Item>{t("admin.testMode.step2")}</List.Item>
                  <List.Item>
                    <span id="test-pay">{t(guidance.pay)}</span>
                  </List.Item>
                  <List.Item>{t("admin.testMode.step3")}</List.Item>
                </List>
              ) : (
                // Nothing reaches ECPay's stage: only say to keep test mode off for this app.
                <Text as="p">{t("admin.guide.test.keepOff")}</Text>
              )}
              <InlineStack>
                <Button url={data.settingsUrl} target="_blank" external>
                  {t("admin.setup.activate.action")}
                </Button>
              </InlineStack>
              {guidance.operations.length > 0 ? (
                <Banner tone="info">
                  <BlockStack gap="100" id="test-operations">
                    {guidance.operations.map((key) => (
                      <Text as="p" key={key}>
                        {t(key)}
                      </Text>
                    ))}
                  </BlockStack>
                </Banner>
              ) : null}
            </SectionCard>
            {guidance.testCard ? (
              <SectionCard title={t("admin.testMode.cardTitle")}>
                <InlineGrid columns={2} gap="200">
                  <Text as="span" tone="subdued">
                    {t("admin.testMode.cardNumber")}
                  </Text>
                  <Text as="span" fontWeight="semibold" id="test-card-number">
                    {STAGE_TEST_CARD.number}
                  </Text>
                  <Text as="span" tone="subdued">
                    {t("admin.testMode.cvv")}
                  </Text>
                  <Text as="span" fontWeight="semibold">
                    {STAGE_TEST_CARD.cvv}
                  </Text>
                  <Text as="span" tone="subdued">
                    {t("admin.testMode.expiry")}
                  </Text>
                  <Text as="span">{t("admin.testMode.expiryValue")}</Text>
                </InlineGrid>
              </SectionCard>
            ) : null}
            <Card padding="0">
              <BlockStack gap="0">
                <CardPadding>
                  <Text as="h2" variant="headingMd">
                    {t("admin.testMode.recentTitle")}
                  </Text>
                </CardPadding>
                <IndexTable
                  resourceName={{ singular: t("admin.transactions.singular"), plural: t("admin.transactions.plural") }}
                  itemCount={data.recent.length}
                  selectable={false}
                  emptyState={<TableEmpty text={t("admin.testMode.none")} />}
                  headings={[
                    { title: "Payment ID" },
                    { title: t("admin.transactions.amount") },
                    { title: t("admin.transactions.status") },
                    { title: t("admin.transactions.date") },
                  ]}
                >
                  {data.recent.map((row, index) => (
                    <IndexTable.Row id={row.id} key={row.id} position={index}>
                      <IndexTable.Cell>
                        <InlineStack gap="200" blockAlign="center">
                          <PaymentLink id={row.id} />
                          <TestBadge />
                          {row.simulatePaid ? <Badge tone="info">{t("admin.badge.simulatePaid")}</Badge> : null}
                        </InlineStack>
                      </IndexTable.Cell>
                      <IndexTable.Cell>{formatAmount(row.amount, row.amountRaw, row.currency)}</IndexTable.Cell>
                      <IndexTable.Cell>
                        <StatusBadge status={row.status} />
                      </IndexTable.Cell>
                      <IndexTable.Cell>{formatDateTime(row.createdAt)}</IndexTable.Cell>
                    </IndexTable.Row>
                  ))}
                </IndexTable>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <SectionCard title={t("admin.testMode.merchantTitle")} gap="200">
              <Text as="p" id="stage-merchant">
                {data.ownStage ? t("admin.testMode.ownMerchant", { merchantId: data.stageMerchantId }) : t("admin.testMode.publicMerchant", { merchantId: data.stageMerchantId })}
              </Text>
              <Text as="p" tone="subdued">
                {t(data.ownStage ? "admin.testMode.ownMerchantHelp" : "admin.testMode.publicMerchantHelp")}
              </Text>
              <Button url={`${base}/bind`} variant="plain">
                {t("admin.testMode.changeStage")}
              </Button>
            </SectionCard>
            {guidance.testable ? (
              <SectionCard title={t("admin.testMode.backOfficeTitle")} gap="200">
                {data.emulatorOrdersUrl ? (
                  <>
                    <Text as="p" id="emulator-back-office">
                      {t("admin.guide.test.emulatorBackOffice")}
                    </Text>
                    <Link url={data.emulatorOrdersUrl} target="_blank">
                      {data.emulatorOrdersUrl}
                    </Link>
                    <Text as="p">{t("admin.guide.test.realStageAccount", { url: STAGE_BACK_OFFICE.url })}</Text>
                  </>
                ) : (
                  <>
                    <Text as="p">{t("admin.testMode.backOfficeBody")}</Text>
                    <Link url={STAGE_BACK_OFFICE.url} target="_blank">
                      {STAGE_BACK_OFFICE.url}
                    </Link>
                  </>
                )}
                <InlineGrid columns={2} gap="100">
                  <Text as="span" tone="subdued">
                    {t("admin.testMode.stageAccount")}
                  </Text>
                  <Text as="span">{STAGE_BACK_OFFICE.username}</Text>
                  <Text as="span" tone="subdued">
                    {t("admin.testMode.stagePassword")}
                  </Text>
                  <Text as="span">{STAGE_BACK_OFFICE.password}</Text>
                </InlineGrid>
                <Text as="p" tone="subdued">
                  {t("admin.testMode.backOfficeOwn")}
                </Text>
              </SectionCard>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
