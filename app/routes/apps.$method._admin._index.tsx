// Home: the setup guide (bind → confirm → activate → test → capture) and the app's ready state.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { reusableBindings } from "~/admin/bind.server";
import { ConfigureBanner, ReadyBadge } from "~/admin/components";
import { requireAdmin } from "~/web/admin-context.server";
import { setupTestBody, shopifyAdminLinks } from "~/admin/guidance";
import { setupGuide, type SetupStep } from "~/admin/overview.server";
import { useAdmin } from "~/admin/use-admin";
import { serverConfig } from "~/config.server";
import type { MessageKey } from "~/i18n";
import { deps } from "~/deps.server";
import { getMethod } from "~/payments/methods";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const d = deps();
  const [guide, reusable] = await Promise.all([setupGuide(d, ctx.method, ctx.shop), reusableBindings(d, ctx.method, ctx.shop)]);
  const definition = getMethod(ctx.method);
  return {
    guide,
    reusable,
    serviceName: definition.serviceName,
    restriction: definition.restriction,
    settingsUrl: shopifyAdminLinks(serverConfig(), ctx.shop, serverConfig().apps[ctx.method]?.apiKey ?? "").paymentSettings,
    testBody: setupTestBody(definition),
  };
}

const STEP_TEXT: Record<SetupStep, { title: MessageKey; body: MessageKey | null }> = {
  bind: { title: "admin.setup.bind.title", body: "admin.setup.bind.body" },
  confirm: { title: "admin.setup.confirm.title", body: "admin.setup.confirm.body" },
  activate: { title: "admin.setup.activate.title", body: "admin.setup.activate.body" },
  // The method's own way to pay a test payment (the loader's testBody).
  test: { title: "admin.setup.test.title", body: null },
  capture: { title: "admin.setup.capture.title", body: "admin.setup.capture.body" },
};

export default function AdminHome() {
  const data = useLoaderData<typeof loader>();
  const { t, base, locale } = useAdmin();
  const { guide } = data;
  const doneCount = guide.steps.filter((s) => s.done).length;

  const stepAction = (key: SetupStep) => {
    switch (key) {
      case "bind":
        return <Button url={`${base}/bind`}>{t(guide.merchantId ? "admin.setup.bind.again" : "admin.setup.bind.action")}</Button>;
      case "confirm":
        return guide.merchantId && !guide.ready ? <Button url={`${base}/bind`}>{t("admin.setup.confirm.action")}</Button> : null;
      case "activate":
        return (
          <Button url={data.settingsUrl} target="_blank" external>
            {t("admin.setup.activate.action")}
          </Button>
        );
      case "test":
        return <Button url={`${base}/test-mode`}>{t("admin.setup.test.action")}</Button>;
      case "capture":
        return <Button url={`${base}/capture`}>{t("admin.setup.capture.action")}</Button>;
    }
  };

  return (
    <Page title={data.serviceName[locale]} subtitle={t("admin.home.subtitle")} titleMetadata={<ReadyBadge ready={guide.ready} />}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ConfigureBanner configure={guide.configure} />
            {data.restriction ? (
              <Banner tone="info" title={t("admin.home.restrictionTitle")}>
                <Text as="p">{data.restriction[locale]}</Text>
              </Banner>
            ) : null}
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {t("admin.home.statusTitle")}
                  </Text>
                  <ReadyBadge ready={guide.ready} />
                </InlineStack>
                <Text as="p" id="bound-merchant-id">
                  {t("admin.home.merchantId")}：{guide.merchantId ?? t("admin.notBound")}
                </Text>
                {guide.configure.handle && guide.configure.handle !== guide.merchantId ? (
                  <Text as="p" tone="caution">
                    {t("admin.home.shopifyHandle", { handle: guide.configure.handle })}
                  </Text>
                ) : null}
                <Text as="p" tone="subdued">
                  {t(guide.ready ? "admin.home.readyHelp" : "admin.home.notReadyHelp")}
                </Text>
              </BlockStack>
            </Card>
            {!guide.merchantId && data.reusable.length > 0 ? (
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("admin.reuse.title")}
                  </Text>
                  {data.reusable.map((r) => (
                    <InlineStack key={r.bindingId} align="space-between" blockAlign="center" gap="200">
                      <Text as="p">{t("admin.reuse.offer", { merchantId: r.merchantId, apps: r.usedBy.length })}</Text>
                      <Button variant="primary" url={`${base}/bind?reuse=${encodeURIComponent(r.bindingId)}`}>
                        {t("admin.reuse.action")}
                      </Button>
                    </InlineStack>
                  ))}
                </BlockStack>
              </Card>
            ) : null}
            <Card>
              <BlockStack gap="400">
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("admin.setup.title")}
                  </Text>
                  <Text as="p" tone="subdued" id="setup-progress">
                    {t("admin.setup.progress", { done: doneCount, total: guide.steps.length })}
                  </Text>
                  <ProgressBar progress={(doneCount / guide.steps.length) * 100} size="small" tone="success" />
                </BlockStack>
                {guide.steps.map((step, index) => (
                  <Box key={step.key} paddingBlockStart="200" borderBlockStartWidth="025" borderColor="border" id={`setup-step-${step.key}`} data-done={step.done}>
                    <InlineStack align="space-between" blockAlign="start" gap="400" wrap={false}>
                      <InlineStack gap="300" blockAlign="start" wrap={false}>
                        <Box minWidth="20px">
                          {step.done ? (
                            <Text as="span" tone="success" fontWeight="bold">
                              ✓
                            </Text>
                          ) : (
                            <Text as="span" tone="subdued">
                              {index + 1}.
                            </Text>
                          )}
                        </Box>
                        <BlockStack gap="100">
                          <Text as="h3" variant="headingSm">
                            {t(STEP_TEXT[step.key].title)}
                            {step.done ? ` · ${t("admin.setup.done")}` : ""}
                          </Text>
                          <Text as="p" tone="subdued">
                            {t(STEP_TEXT[step.key].body ?? data.testBody, { merchantId: guide.merchantId ?? "—" })}
                          </Text>
                          {step.key === "test" ? (
                            <Text as="p" tone="subdued">
                              {t("admin.guide.setup.testPaidOnly")}
                            </Text>
                          ) : null}
                        </BlockStack>
                      </InlineStack>
                      {stepAction(step.key)}
                    </InlineStack>
                  </Box>
                ))}
              </BlockStack>
            </Card>
            <Text as="p" tone="subdued">
              {t("admin.guide.home.method", { name: data.serviceName[locale] })}
            </Text>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
