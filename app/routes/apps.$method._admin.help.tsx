// Help: the manual's FAQ, support links, what each payment status means (manual §6-2), this
// method's refund and cancel rules (§6-3), and what the manual shows merchants that happens outside
// this app: fees (§1), ECPay's eight apps (§2, §3-1), logistics and e-invoices (§4), ECPay's own
// Shopify exports (§7-2).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, InlineGrid, InlineStack, Layout, Link, List, Page, Text } from "@shopify/polaris";
import { SectionCard, StatusBadge } from "~/admin/components";
import { operationsHelp, refundNote } from "~/admin/guidance";
import { requireAdmin } from "~/web/admin-context.server";
import { DISPLAY_STATUSES, type DisplayStatus } from "~/admin/status";
import { useAdmin } from "~/admin/use-admin";
import type { MessageKey } from "~/i18n";
import { METHOD_HANDLES, PAYMENT_METHODS, getMethod, type MethodHandle } from "~/payments/methods";

/** ECPay's Shopify service page with its FAQ (manual §4, §8). */
const FAQ_URL = "https://p.ecpay.com.tw/607FE86";
const SHOPIFY_PRICING_URL = "https://www.shopify.com/pricing";
const ECPAY_VENDOR_URL = "https://vendor.ecpay.com.tw";
const ECPAY_CARD_HELP_URL = "https://support.ecpay.com.tw/8883/";
const LOGISTICS_APP_URL = `https://apps.shopify.com/search?q=${encodeURIComponent("台灣物流超商取貨電子發票")}`;

const METHOD_NOTES: Record<MethodHandle, MessageKey> = {
  credit: "admin.help.note.credit",
  installments: "admin.help.note.installments",
  redeem: "admin.help.note.redeem",
  unionpay: "admin.help.note.unionpay",
  atm: "admin.help.note.atm",
  webatm: "admin.help.note.webatm",
  twqr: "admin.help.note.twqr",
  wechatpay: "admin.help.note.wechatpay",
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const definition = getMethod(ctx.method);
  return { operations: operationsHelp(definition), refundNote: refundNote(definition), installLink: definition.manualInstallLink };
}

const STATUS_HELP: Record<DisplayStatus, MessageKey> = {
  incomplete: "admin.help.status.incomplete",
  pending: "admin.help.status.pending",
  authorized: "admin.help.status.authorized",
  paid: "admin.help.status.paid",
  partiallyPaid: "admin.help.status.partiallyPaid",
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
  const { t, base, locale, method } = useAdmin();
  return (
    <Page title={t("admin.help.title")} backAction={{ content: t("admin.nav.home"), url: base }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <SectionCard title={t("admin.help.statusTitle")}>
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
                <div>
                  <Badge>{t("admin.help.cancelled")}</Badge>
                </div>
                <Text as="p" id="help-status-cancelled">
                  {t("admin.help.status.cancelled")}
                </Text>
              </InlineGrid>
            </SectionCard>
            <SectionCard title={t("admin.help.operationsTitle")}>
              <List>
                {data.operations.map((key) => (
                  <List.Item key={key}>{t(key)}</List.Item>
                ))}
                <List.Item>{t("admin.help.abandoned")}</List.Item>
                <List.Item>{t("admin.help.reconcile")}</List.Item>
              </List>
              <BlockStack gap="100" id="help-cancel-pending">
                <Text as="h3" variant="headingSm">
                  {t("admin.help.cancelPendingTitle")}
                </Text>
                <Text as="p">{t("admin.help.cancelPending")}</Text>
              </BlockStack>
              <Text as="p" fontWeight="semibold" id="help-refund-rule">
                {t(data.refundNote)}
              </Text>
            </SectionCard>
            <SectionCard title={t("admin.help.feesTitle")} id="help-fees">
              <Text as="p">{t("admin.help.feesShopify")}</Text>
              <Link url={SHOPIFY_PRICING_URL} target="_blank">
                {t("admin.help.feesShopifyLink")}
              </Link>
              <Text as="p">{t("admin.help.feesEcpay")}</Text>
              <Link url={ECPAY_VENDOR_URL} target="_blank">
                {t("admin.help.feesEcpayLink")}
              </Link>
            </SectionCard>
            <SectionCard title={t("admin.help.appsTitle")} id="help-apps">
              <Text as="p" tone="subdued">
                {t("admin.help.appsIntro")}
              </Text>
              {METHOD_HANDLES.map((handle) => {
                const app = PAYMENT_METHODS[handle];
                return (
                  <BlockStack gap="100" key={handle} id={`help-app-${handle}`}>
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="h3" variant="headingSm">
                        {app.serviceName[locale]}
                      </Text>
                      {handle === method ? <Badge tone="info">{t("admin.help.thisApp")}</Badge> : null}
                      <Link url={app.manualInstallLink} target="_blank">
                        {t("admin.help.installLink")}
                      </Link>
                    </InlineStack>
                    {app.restriction ? (
                      <Text as="p" tone="subdued">
                        {app.restriction[locale]}
                      </Text>
                    ) : null}
                    <Text as="p">{t(METHOD_NOTES[handle])}</Text>
                  </BlockStack>
                );
              })}
              <Link url={ECPAY_CARD_HELP_URL} target="_blank">
                {t("admin.help.bankListLink")}
              </Link>
            </SectionCard>
            <SectionCard title={t("admin.help.logisticsTitle")} id="help-logistics">
              <Text as="p">{t("admin.help.logistics")}</Text>
              <InlineStack gap="400">
                <Link url={FAQ_URL} target="_blank">
                  {t("admin.help.servicePageLink")}
                </Link>
                <Link url={LOGISTICS_APP_URL} target="_blank">
                  {t("admin.help.logisticsAppLink")}
                </Link>
              </InlineStack>
            </SectionCard>
            <SectionCard title={t("admin.help.ecpayExportsTitle")} id="help-ecpay-exports">
              <Text as="p">{t("admin.help.ecpayExportsIntro")}</Text>
              <List>
                <List.Item>{t("admin.help.ecpayExportGeneral")}</List.Item>
                <List.Item>{t("admin.help.ecpayExportGateway")}</List.Item>
              </List>
              <Text as="p" tone="subdued">
                {t("admin.help.ecpayApiDocs")}
              </Text>
              <Link url={ECPAY_VENDOR_URL} target="_blank">
                {t("admin.links.vendor")}
              </Link>
            </SectionCard>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <SectionCard title={t("admin.help.linksTitle")}>
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
          </SectionCard>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

