// Help: the manual's FAQ, support links, what each payment status means (manual §6-2) and this
// method's refund and cancel rules (§6-3).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, InlineGrid, Layout, Link, List, Page, Text } from "@shopify/polaris";
import { StatusBadge } from "~/admin/components";
import { requireAdmin } from "~/admin/context.server";
import { DISPLAY_STATUSES, type DisplayStatus } from "~/admin/status";
import { useAdmin } from "~/admin/use-admin";
import type { MessageKey } from "~/i18n";
import { getMethod } from "~/payments/methods";

const FAQ_URL = "https://p.ecpay.com.tw/607FE86";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const definition = getMethod(ctx.method);
  return { refund: definition.refund, installLink: definition.manualInstallLink };
}

const STATUS_HELP: Record<DisplayStatus, MessageKey> = {
  incomplete: "admin.help.status.incomplete",
  pending: "admin.help.status.pending",
  authorized: "admin.help.status.authorized",
  paid: "admin.help.status.paid",
  partiallyRefunded: "admin.help.status.partiallyRefunded",
  refunded: "admin.help.status.refunded",
  voided: "admin.help.status.voided",
  expired: "admin.help.status.expired",
  failed: "admin.help.status.failed",
};

const LINKS: Array<{ url: string; label: MessageKey }> = [
  { url: FAQ_URL, label: "admin.help.faq" },
  { url: "https://support.ecpay.com.tw/", label: "admin.links.support" },
  { url: "https://vendor.ecpay.com.tw", label: "admin.links.vendor" },
  { url: "https://developers.ecpay.com.tw/", label: "admin.links.developers" },
  { url: "https://help.shopify.com/manual/payments", label: "admin.links.shopifyPayments" },
];

export default function HelpPage() {
  const data = useLoaderData<typeof loader>();
  const { t, base } = useAdmin();
  return (
    <Page title={t("admin.help.title")} backAction={{ content: t("admin.nav.home"), url: base }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("admin.help.statusTitle")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("admin.help.statusIntro")}
                </Text>
                <InlineGrid columns={["oneThird", "twoThirds"]} gap="300">
                  {DISPLAY_STATUSES.map((status) => (
                    <div key={status} style={{ display: "contents" }}>
                      <div>
                        <StatusBadge status={status} />
                      </div>
                      <Text as="p">{t(STATUS_HELP[status])}</Text>
                    </div>
                  ))}
                </InlineGrid>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("admin.help.operationsTitle")}
                </Text>
                <List>
                  <List.Item>{t("admin.help.capture")}</List.Item>
                  <List.Item>{t("admin.help.refund")}</List.Item>
                  <List.Item>{t("admin.help.cancel")}</List.Item>
                  <List.Item>{t("admin.help.abandoned")}</List.Item>
                  <List.Item>{t("admin.help.reconcile")}</List.Item>
                </List>
                <Text as="p" fontWeight="semibold">
                  {t(
                    ({
                      partial: "admin.settings.refund.partial",
                      "full-only": "admin.settings.refund.fullOnly",
                      "contact-buyer": "admin.settings.refund.contactBuyer",
                      "opay-back-office": "admin.settings.refund.opay",
                    } as const)[data.refund],
                  )}
                </Text>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("admin.help.linksTitle")}
              </Text>
              {LINKS.map((link) => (
                <Link key={link.url} url={link.url} target="_blank">
                  {t(link.label)}
                </Link>
              ))}
              <Link url={data.installLink} target="_blank">
                {t("admin.help.ecpayApp")}
              </Link>
              <Text as="p" tone="subdued">
                {t("admin.help.techSupport")}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

