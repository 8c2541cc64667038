// Bind the ECPay account (manual §2-1 step 3, §2-2): verify the keys against ECPay, confirm like
// ECPay's 賣家資料確認 screen, then store them encrypted and tell Shopify. Also reuse, rebind, unbind.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, Divider, FormLayout, InlineGrid, InlineStack, Layout, Link, List, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import {
  appNames,
  confirmBinding,
  openPendingBinding,
  probeBinding,
  rebindImpact,
  reusableBindings,
  reuseBinding,
  sealPendingBinding,
  unbind,
  unbindImpact,
  type BindingImpact,
} from "~/admin/bind.server";
import { parseBindingForm, type BindingField, type FieldErrors } from "~/admin/binding-form";
import { ConfigureBanner, ReadyBadge, SharedBindingNote } from "~/admin/components";
import { requireAdmin } from "~/web/admin-context.server";
import { configureState, retryConfigure } from "~/admin/configure.server";
import { boundAccount } from "~/admin/installation.server";
import { formatDateTime } from "~/admin/format";
import { takeRateLimit } from "~/lib/rate-limit.server";
import { CsrfField, useAdmin } from "~/admin/use-admin";
import { PUBLIC_STAGE_MERCHANT_ID } from "~/payments/test-mode";
import type { MessageKey } from "~/i18n";
import { deps } from "~/deps.server";
import { getMethod, type MethodHandle } from "~/payments/methods";

/** The 商家檢查碼 is only used by card queries (CreditDetail): ask for it in card apps. */
function isCardMethod(method: MethodHandle): boolean {
  return getMethod(method).ecpay.choosePayment === "Credit";
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const d = deps();
  const [binding, configure, reusable, sharing] = await Promise.all([
    boundAccount(d.db, ctx.method, ctx.shop),
    configureState(d, ctx.method, ctx.shop),
    reusableBindings(d, ctx.method, ctx.shop),
    unbindImpact(d, ctx.method, ctx.shop),
  ]);
  const url = new URL(request.url);
  const reuseId = url.searchParams.get("reuse");
  const reuseOffer = reusable.find((r) => r.bindingId === reuseId) ?? null;
  // Where confirm and reuse land: the success banner (a redirect, so a reload does not post again).
  const done = url.searchParams.get("done");
  return {
    serviceName: getMethod(ctx.method).serviceName,
    card: isCardMethod(ctx.method),
    configure,
    // Only what the merchant needs to recognise the account: never a key, not even encrypted.
    binding,
    ready: Boolean(binding) && configure.ready && configure.handle === binding?.merchantId && !configure.pending,
    reusable,
    reuseOffer,
    reuseImpact: reuseOffer ? ({ message: "admin.reuse.shares", merchantId: reuseOffer.merchantId, apps: appNames(reuseOffer.usedBy) } satisfies BindingImpact) : null,
    /** The shop's other apps on this app's binding: they keep it when this app is unbound. */
    sharing,
    done: done === "bound" || done === "reused" ? done : null,
  };
}

const intentSchema = z.enum(["verify", "confirm", "reuse-confirm", "unbind", "retry-configure"]);

interface ConfirmSummary {
  merchantId: string;
  accountName: string | null;
  stageMerchantId: string | null;
}

/** ECPay verification probes per shop, across all its apps (a free dev store must not turn our server into a tester of stolen keys). */
const PROBE_LIMIT = 5;
const PROBE_WINDOW_MS = 10 * 60_000;
/** Changing which ECPay account is paid needs a fresh sign-in (RECENT_SIGN_IN_MS). */
const NEEDS_RECENT_SIGN_IN = new Set(["verify", "confirm", "reuse-confirm", "unbind"]);

type ActionData =
  | { step: "form"; errors: FieldErrors<BindingField>; banner: MessageKey | null; detail: string | null; bannerVars?: Record<string, string | number> }
  | { step: "reauth" }
  | { step: "confirm"; token: string; summary: ConfirmSummary; impact: BindingImpact[] }
  | { step: "unbound" }
  | { step: "error"; banner: MessageKey };

export async function action({ request, params }: ActionFunctionArgs): Promise<ActionData | Response> {
  const ctx = await requireAdmin(request, params.method);
  const d = deps();
  const base = `/apps/${ctx.method}`;
  const form = await request.formData();
  const intent = intentSchema.safeParse(form.get("intent"));
  if (!intent.success) return { step: "error", banner: "admin.form.invalidRequest" };
  const scope = { shop: ctx.shop, method: ctx.method };
  if (NEEDS_RECENT_SIGN_IN.has(intent.data) && !ctx.recentSignIn) return { step: "reauth" };

  switch (intent.data) {
    case "verify": {
      const input = parseBindingForm(form, isCardMethod(ctx.method));
      if (input.isErr()) return { step: "form", errors: input.error, banner: "admin.form.fixErrors", detail: null };
      const slot = await takeRateLimit(d.db, `bind-probe ${ctx.shop}`, PROBE_LIMIT, PROBE_WINDOW_MS, d.now());
      if (!slot.allowed) {
        return { step: "form", errors: {}, banner: "admin.bind.probeLimited", detail: null, bannerVars: { limit: PROBE_LIMIT, at: formatDateTime(slot.retryAt.toISOString()) } };
      }
      const probe = await probeBinding(d.ecpay, input.value, d.now());
      if (probe.isErr()) {
        const failure = probe.error;
        return failure.kind === "rejected"
          ? { step: "form", errors: failure.errors, banner: failure.message, detail: null }
          : { step: "form", errors: {}, banner: failure.message, detail: failure.detail };
      }
      return {
        step: "confirm",
        token: sealPendingBinding(d.secrets, scope, input.value, d.now()),
        impact: await rebindImpact(d, ctx.method, ctx.shop, input.value.merchantId),
        summary: {
          merchantId: input.value.merchantId,
          accountName: input.value.accountName ?? null,
          stageMerchantId: input.value.stageMerchantId ?? null,
        },
      };
    }
    case "confirm": {
      const token = z.string().min(1).max(8_000).safeParse(form.get("token"));
      if (!token.success) return { step: "error", banner: "admin.form.invalidRequest" };
      const input = openPendingBinding(d.secrets, scope, token.data, d.now());
      if (input.isErr()) return { step: "error", banner: input.error === "expired" ? "admin.confirm.expired" : "admin.form.invalidRequest" };
      await confirmBinding(d, ctx.method, ctx.shop, input.value);
      return redirect(`${base}/bind?done=bound`);
    }
    case "reuse-confirm": {
      const bindingId = z.string().min(1).max(64).safeParse(form.get("bindingId"));
      if (!bindingId.success) return { step: "error", banner: "admin.form.invalidRequest" };
      const reused = await reuseBinding(d, ctx.method, ctx.shop, bindingId.data);
      if (reused.isErr()) return { step: "error", banner: "admin.form.invalidRequest" };
      return redirect(`${base}/bind?done=reused`);
    }
    case "unbind":
      await unbind(d, ctx.method, ctx.shop);
      return { step: "unbound" };
    case "retry-configure":
      await retryConfigure(d, ctx.method, ctx.shop);
      return redirect(`${base}/bind`);
  }
}

function Field(props: {
  name: BindingField;
  label: string;
  help?: string;
  secret?: boolean;
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  return (
    <TextField
      id={props.name}
      name={props.name}
      label={props.label}
      helpText={props.help}
      type={props.secret ? "password" : "text"}
      autoComplete="off"
      value={props.value}
      onChange={props.onChange}
      error={props.error}
    />
  );
}

function BindForm({ card, errors, banner, bannerVars, detail }: { card: boolean; errors: FieldErrors<BindingField>; banner: MessageKey | null; bannerVars?: Record<string, string | number>; detail: string | null }) {
  const { t } = useAdmin();
  const navigation = useNavigation();
  const [values, setValues] = useState<Record<BindingField, string>>({
    merchantId: "",
    hashKey: "",
    hashIv: "",
    stageMerchantId: "",
    stageHashKey: "",
    stageHashIv: "",
    creditCheckCode: "",
    accountName: "",
  });
  const field = (name: BindingField) => ({
    name,
    value: values[name],
    onChange: (value: string) => setValues((v) => ({ ...v, [name]: value })),
    error: errors[name] ? t(errors[name]) : undefined,
  });
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "verify";
  return (
    <Card>
      <Form method="post" id="bind-form">
        <CsrfField />
        <input type="hidden" name="intent" value="verify" />
        <BlockStack gap="400">
          <Text as="h2" variant="headingMd">
            {t("admin.bind.formTitle")}
          </Text>
          <Text as="p" tone="subdued">
            {t("admin.bind.formIntro")}
          </Text>
          {banner ? (
            <Banner tone="critical" title={t(banner, bannerVars)}>
              {detail ? <Text as="p">{detail}</Text> : null}
            </Banner>
          ) : null}
          <FormLayout>
            <Field label={t("admin.bind.merchantId")} help={t("admin.bind.merchantIdHelp")} {...field("merchantId")} />
            <FormLayout.Group>
              <Field label="HashKey" secret help={t("admin.bind.keysHelp")} {...field("hashKey")} />
              <Field label="HashIV" secret {...field("hashIv")} />
            </FormLayout.Group>
            {card ? <Field label={t("admin.bind.creditCheckCode")} help={t("admin.bind.creditCheckCodeHelp")} secret {...field("creditCheckCode")} /> : null}
            <Field label={t("admin.bind.accountName")} help={t("admin.bind.accountNameHelp")} {...field("accountName")} />
          </FormLayout>
          <Divider />
          <Text as="h3" variant="headingSm">
            {t("admin.bind.stageTitle")}
          </Text>
          <Text as="p" tone="subdued">
            {t("admin.bind.stageIntro", { merchantId: PUBLIC_STAGE_MERCHANT_ID })}
          </Text>
          <FormLayout>
            <FormLayout.Group condensed>
              <Field label={t("admin.bind.stageMerchantId")} {...field("stageMerchantId")} />
              <Field label={t("admin.bind.stageHashKey")} secret {...field("stageHashKey")} />
              <Field label={t("admin.bind.stageHashIv")} secret {...field("stageHashIv")} />
            </FormLayout.Group>
          </FormLayout>
          <InlineStack align="end">
            <Button submit variant="primary" loading={busy}>
              {t("admin.bind.verify")}
            </Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}

/** Which of the shop's other apps a change touches, by name. */
function ImpactList({ impact }: { impact: BindingImpact }) {
  const { t, locale } = useAdmin();
  return (
    <div className="binding-impact" data-impact={impact.message}>
      <BlockStack gap="100">
        <Text as="p">{t(impact.message, { merchantId: impact.merchantId })}</Text>
        <List type="bullet">
          {impact.apps.map((app) => (
            <List.Item key={app.en}>{app[locale]}</List.Item>
          ))}
        </List>
      </BlockStack>
    </div>
  );
}

function ConfirmationCard(props: {
  summary: ConfirmSummary;
  hidden: Record<string, string>;
  serviceName: string;
  cancelUrl: string;
  impact: BindingImpact[];
  /** Say so when no other app changes (a new binding); a reuse never changes another app. */
  onlyThisAppNote: boolean;
}) {
  const { t } = useAdmin();
  const navigation = useNavigation();
  const rows: Array<[string, string]> = [
    [t("admin.confirm.account"), props.summary.accountName ?? t("admin.confirm.accountUnknown")],
    [t("admin.confirm.merchantId"), props.summary.merchantId],
    [t("admin.confirm.app"), props.serviceName],
    [t("admin.confirm.stage"), props.summary.stageMerchantId ?? t("admin.testMode.publicMerchant", { merchantId: PUBLIC_STAGE_MERCHANT_ID })],
  ];
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingLg" id="confirm-title">
          {t("admin.confirm.title")}
        </Text>
        <Text as="p">{t("admin.confirm.intro")}</Text>
        <Box borderWidth="025" borderColor="border" borderRadius="200" padding="300">
          <BlockStack gap="200">
            {rows.map(([label, value]) => (
              <InlineGrid key={label} columns={2} gap="200">
                <Text as="span" tone="subdued">
                  {label}
                </Text>
                <Text as="span" fontWeight="semibold">
                  {value}
                </Text>
              </InlineGrid>
            ))}
          </BlockStack>
        </Box>
        <Banner tone="warning">
          <BlockStack gap="200">
            <Text as="p">{t("admin.confirm.warning")}</Text>
            {props.impact.map((impact) => (
              <ImpactList key={impact.message} impact={impact} />
            ))}
            {props.onlyThisAppNote && props.impact.length === 0 ? <Text as="p">{t("admin.confirm.onlyThisApp")}</Text> : null}
          </BlockStack>
        </Banner>
        <InlineStack gap="200" align="end">
          <Button url={props.cancelUrl}>{t("admin.confirm.cancel")}</Button>
          <Form method="post">
            <CsrfField />
            {Object.entries(props.hidden).map(([name, value]) => (
              <input key={name} type="hidden" name={name} value={value} />
            ))}
            <Button submit variant="primary" loading={navigation.state === "submitting"}>
              {t("admin.confirm.accept")}
            </Button>
          </Form>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

/** The sign-in is too old to change the ECPay account: OAuth again (Shopify asks nothing for an installed app), then back here. */
function ReauthBanner({ reauthUrl }: { reauthUrl: string }) {
  const { t } = useAdmin();
  return (
    <Banner tone="warning" title={t("admin.reauth.title")}>
      <BlockStack gap="200">
        <Text as="p">{t("admin.reauth.body")}</Text>
        <InlineStack>
          <Button url={reauthUrl} id="reauth">
            {t("admin.reauth.action")}
          </Button>
        </InlineStack>
      </BlockStack>
    </Banner>
  );
}

export default function BindPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionData | undefined;
  const { t, base, locale, shop } = useAdmin();
  const [rebinding, setRebinding] = useState(false);
  const [confirmUnbind, setConfirmUnbind] = useState(false);
  const serviceName = data.serviceName[locale];
  const back = { content: t("admin.nav.home"), url: base };

  if (actionData?.step === "confirm") {
    return (
      <Page title={t("admin.confirm.pageTitle")} backAction={{ content: t("admin.nav.bind"), url: `${base}/bind` }}>
        <ConfirmationCard
          summary={actionData.summary}
          serviceName={serviceName}
          cancelUrl={`${base}/bind`}
          hidden={{ intent: "confirm", token: actionData.token }}
          impact={actionData.impact}
          onlyThisAppNote
        />
      </Page>
    );
  }
  if (data.reuseOffer) {
    const offer = data.reuseOffer;
    return (
      <Page title={t("admin.reuse.title")} backAction={{ content: t("admin.nav.bind"), url: `${base}/bind` }}>
        <BlockStack gap="400">
          {actionData?.step === "error" ? <Banner tone="critical" title={t(actionData.banner)} /> : null}
          {actionData?.step === "reauth" ? <ReauthBanner reauthUrl={`${base}/auth?shop=${encodeURIComponent(shop)}&return=bind`} /> : null}
          <Text as="p">{t("admin.reuse.explain")}</Text>
          <ConfirmationCard
            summary={{ merchantId: offer.merchantId, accountName: offer.accountName, stageMerchantId: null }}
            serviceName={serviceName}
            cancelUrl={`${base}/bind`}
            hidden={{ intent: "reuse-confirm", bindingId: offer.bindingId }}
            impact={data.reuseImpact ? [data.reuseImpact] : []}
            onlyThisAppNote={false}
          />
        </BlockStack>
      </Page>
    );
  }

  const formErrors = actionData?.step === "form" ? actionData : null;
  const showForm = !data.binding || rebinding || formErrors !== null;
  return (
    <Page title={t("admin.bind.title")} subtitle={serviceName} backAction={back} titleMetadata={<ReadyBadge ready={data.ready} />}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ConfigureBanner configure={data.configure} />
            {actionData?.step === "error" ? <Banner tone="critical" title={t(actionData.banner)} /> : null}
            {actionData?.step === "reauth" ? <ReauthBanner reauthUrl={`${base}/auth?shop=${encodeURIComponent(shop)}&return=bind`} /> : null}
            {data.done && data.binding && !actionData ? (
              <Banner tone="success" title={t(data.done === "bound" ? "admin.bind.doneTitle" : "admin.reuse.doneTitle", { merchantId: data.binding.merchantId })}>
                <div id="bind-done">
                  <Text as="p">{t("admin.bind.doneBody")}</Text>
                </div>
              </Banner>
            ) : null}
            {actionData?.step === "unbound" ? (
              <Banner tone="success" title={t("admin.unbind.doneTitle")}>
                <Text as="p">{t("admin.unbind.doneBody")}</Text>
              </Banner>
            ) : null}
            {data.binding ? (
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("admin.bind.currentTitle")}
                  </Text>
                  <InlineGrid columns={2} gap="200">
                    <Text as="span" tone="subdued">
                      {t("admin.confirm.merchantId")}
                    </Text>
                    <Text as="span" fontWeight="semibold" id="current-merchant-id">
                      {data.binding.merchantId}
                    </Text>
                    <Text as="span" tone="subdued">
                      {t("admin.confirm.account")}
                    </Text>
                    <Text as="span">{data.binding.accountName ?? "—"}</Text>
                    <Text as="span" tone="subdued">
                      HashKey / HashIV
                    </Text>
                    <Text as="span">•••••••• / •••••••• ({t("admin.bind.storedEncrypted")})</Text>
                    {data.card ? (
                      <>
                        <Text as="span" tone="subdued">
                          {t("admin.bind.creditCheckCode")}
                        </Text>
                        <Text as="span">{data.binding.hasCreditCheckCode ? "••••••••" : t("admin.bind.notSet")}</Text>
                      </>
                    ) : null}
                    <Text as="span" tone="subdued">
                      {t("admin.confirm.stage")}
                    </Text>
                    <Text as="span">
                      {data.binding.stageMerchantId ?? t("admin.testMode.publicMerchant", { merchantId: PUBLIC_STAGE_MERCHANT_ID })}
                    </Text>
                    <Text as="span" tone="subdued">
                      {t("admin.bind.verifiedAt")}
                    </Text>
                    <Text as="span">{formatDateTime(data.binding.verifiedAt)}</Text>
                  </InlineGrid>
                  <SharedBindingNote />
                  <InlineStack gap="200">
                    <Button onClick={() => setRebinding(true)} disabled={showForm}>
                      {t("admin.bind.rebind")}
                    </Button>
                    <Button tone="critical" onClick={() => setConfirmUnbind(true)}>
                      {t("admin.unbind.action")}
                    </Button>
                  </InlineStack>
                  {confirmUnbind ? (
                    <Banner tone="critical" title={t("admin.unbind.confirmTitle")} onDismiss={() => setConfirmUnbind(false)}>
                      <BlockStack gap="200">
                        <Text as="p">{t("admin.unbind.confirmBody")}</Text>
                        {data.sharing.map((impact) => (
                          <ImpactList key={impact.message} impact={impact} />
                        ))}
                        <Form method="post">
                          <CsrfField />
                          <input type="hidden" name="intent" value="unbind" />
                          <Button submit tone="critical" variant="primary">
                            {t("admin.unbind.confirm")}
                          </Button>
                        </Form>
                      </BlockStack>
                    </Banner>
                  ) : null}
                </BlockStack>
              </Card>
            ) : null}
            {showForm ? (
              <BindForm card={data.card} errors={formErrors?.errors ?? {}} banner={formErrors?.banner ?? null} bannerVars={formErrors?.bannerVars} detail={formErrors?.detail ?? null} />
            ) : null}
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            {data.reusable.length > 0 ? (
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("admin.reuse.title")}
                  </Text>
                  {data.reusable.map((r) => (
                    <BlockStack key={r.bindingId} gap="200">
                      <Text as="p">{t("admin.reuse.offer", { merchantId: r.merchantId, apps: r.usedBy.length })}</Text>
                      <Button url={`${base}/bind?reuse=${encodeURIComponent(r.bindingId)}`}>{t("admin.reuse.action")}</Button>
                    </BlockStack>
                  ))}
                </BlockStack>
              </Card>
            ) : null}
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("admin.bind.whereTitle")}
                </Text>
                <Text as="p">{t("admin.bind.whereBody")}</Text>
                <Link url="https://vendor.ecpay.com.tw" target="_blank">
                  {t("admin.links.vendor")}
                </Link>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
