// Small pieces shared by the admin pages.
import { Form } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Text } from "@shopify/polaris";
import type { ConfigureState } from "./configure.server";
import { STATUS_LABELS, STATUS_TONES, type DisplayStatus } from "./status";
import { CsrfField, useAdmin } from "./use-admin";


export function StatusBadge({ status }: { status: DisplayStatus }) {
  const { t } = useAdmin();
  return <Badge tone={STATUS_TONES[status]}>{t(STATUS_LABELS[status])}</Badge>;
}

export function TestBadge() {
  const { t } = useAdmin();
  return <Badge tone="warning">{t("admin.badge.test")}</Badge>;
}

export function ReadyBadge({ ready }: { ready: boolean }) {
  const { t } = useAdmin();
  return <Badge tone={ready ? "success" : "attention"}>{t(ready ? "admin.badge.ready" : "admin.badge.notReady")}</Badge>;
}

/** Where Shopify's paymentsAppConfigure stands: being sent, refused, or nothing to say. */
export function ConfigureBanner({ configure }: { configure: ConfigureState }) {
  const { t, base } = useAdmin();
  const retry = (
    <Form method="post" action={`${base}/bind`}>
      <CsrfField />
      <input type="hidden" name="intent" value="retry-configure" />
      <Button submit>{t("admin.configure.retry")}</Button>
    </Form>
  );
  if (configure.pending) {
    return (
      <Banner tone={configure.pending.lastError ? "warning" : "info"} title={t("admin.configure.pendingTitle")}>
        <BlockStack gap="200">
          <Text as="p">{t(configure.pending.ready ? "admin.configure.pendingReady" : "admin.configure.pendingNotReady")}</Text>
          {configure.pending.lastError ? (
            <Text as="p">{t("admin.configure.lastError", { attempts: configure.pending.attempts, error: configure.pending.lastError })}</Text>
          ) : null}
          {retry}
        </BlockStack>
      </Banner>
    );
  }
  if (configure.error) {
    return (
      <Banner tone="critical" title={t("admin.configure.failedTitle")}>
        <BlockStack gap="200">
          <Text as="p">{t("admin.configure.failed", { error: configure.error })}</Text>
          {retry}
        </BlockStack>
      </Banner>
    );
  }
  return null;
}
