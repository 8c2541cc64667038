// Small pieces shared by the admin pages.
import { Form } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, Link, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import type { Locale } from "../i18n";
import { getMethod, type MethodHandle } from "../payments/methods";
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

/** A card with a heading: the admin pages' one section shape. */
export function SectionCard({ title, id, gap = "300", children }: { title: string; id?: string; gap?: "200" | "300"; children: ReactNode }) {
  return (
    <Card>
      <BlockStack gap={gap} id={id}>
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        {children}
      </BlockStack>
    </Card>
  );
}

/** One label and its value in a two-column grid (InlineGrid). */
export function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <Text as="span" tone="subdued">
        {label}
      </Text>
      <Text as="span" breakWord>
        {children}
      </Text>
    </>
  );
}

/** Raw text (a message's fields, JSON) as received, wrapped. */
export function Pre({ children }: { children: string }) {
  return (
    <pre style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", margin: 0, fontSize: "12px", background: "var(--p-color-bg-surface-secondary)", padding: "8px", borderRadius: "8px" }}>
      {children}
    </pre>
  );
}

/** The link from any list to a payment's detail page. */
export function PaymentLink({ id }: { id: string }) {
  const { base } = useAdmin();
  return (
    <Link url={`${base}/transactions/${encodeURIComponent(id)}`} removeUnderline>
      {id}
    </Link>
  );
}

/** Padding matching a card's, for a table's heading or empty state inside a padding-0 card. */
export function CardPadding({ children }: { children: ReactNode }) {
  return <div style={{ padding: "var(--p-space-400)" }}>{children}</div>;
}

/** A table's empty state: one subdued sentence. */
export function TableEmpty({ text }: { text: string }) {
  return (
    <CardPadding>
      <Text as="p" tone="subdued">
        {text}
      </Text>
    </CardPadding>
  );
}

/** An app's name without the "綠界科技 - " / "ECPay - " every registry name starts with. */
export function appLabel(method: MethodHandle, locale: Locale): string {
  return getMethod(method).serviceName[locale].replace(/^(綠界科技|ECPay)\s*-\s*/, "");
}

/**
 * A long id on one line, cut with an ellipsis where the column ends; the whole value is in the
 * title (hover) and on the detail page.
 */
export function Truncated({ text, maxWidth = "14ch", id }: { text: string; maxWidth?: string; id?: string }) {
  return (
    <span id={id} title={text} style={{ display: "inline-block", maxWidth, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", verticalAlign: "bottom" }}>
      {text}
    </span>
  );
}

/**
 * Which ECPay account this app uses and which of the shop's other apps share it, for the per-app
 * pages (bind, test mode, capture, settings): the layout reads it with the bind page's
 * unbindImpact, so both say the same.
 */
export function SharedBindingNote() {
  const { t, locale, binding } = useAdmin();
  if (!binding) return null;
  const apps = binding.sharedWith.map((name) => name[locale]).join(locale === "en" ? ", " : "、");
  // One string, so the page reads (and a test finds) the sentence whole.
  const text = `${t("admin.console.usesAccount", { merchantId: binding.merchantId })} ${apps ? `${t("admin.bind.sharedWith")} ${apps}` : t("admin.console.ownBinding")}`;
  return (
    <div id="binding-shared-with" data-testid="binding-shared-with" data-apps={binding.sharedWith.length}>
      <Text as="p" tone="subdued">
        {text}
      </Text>
    </div>
  );
}
