// Method settings from the registry (METHOD_SETTINGS_SCHEMAS): installment periods, ATM deadline,
// the item name on ECPay's page, and the method's notes. Contextual save bar (App Bridge's in the
// Shopify admin when embedded, Polaris' otherwise); nothing is saved unless the whole form is valid.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { SaveBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Button, Card, ChoiceList, ContextualSaveBar, FormLayout, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useMemo, useState } from "react";
import type { FieldErrors } from "~/admin/binding-form";
import { SharedBindingNote } from "~/admin/components";
import { saveMethodSettings } from "~/admin/installation.server";
import { requireAdmin } from "~/web/admin-context.server";
import { parseSettingsForm, type SettingsField } from "~/admin/settings-form";
import { CSRF_FIELD, useAdmin } from "~/admin/use-admin";
import { deps } from "~/deps.server";
import { refundNote } from "~/admin/guidance";
import { ATM_EXPIRE_DAY_CHOICES, DEFAULT_ITEM_NAME, getMethod, INSTALLMENT_PERIODS, parseMethodSettings, type MethodHandle } from "~/payments/methods";

interface SettingsView {
  itemName: string;
  periods: string[];
  expireDays: string;
}

function toView(method: MethodHandle, json: string): SettingsView {
  const settings = parseMethodSettings(method, json) as { itemName?: string; periods?: string[]; expireDays?: number };
  return { itemName: settings.itemName ?? "", periods: settings.periods ?? [], expireDays: String(settings.expireDays ?? 2) };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, params.method);
  const definition = getMethod(ctx.method);
  return {
    settings: toView(ctx.method, ctx.installation.settings),
    refundNote: refundNote(definition),
    pending: definition.pending,
    desktopOnly: definition.desktopOnly,
    restriction: definition.restriction,
    applePay: definition.icons.includes("apple_pay"),
  };
}

type ActionData = { ok: true } | { ok: false; errors: FieldErrors<SettingsField> };

export async function action({ request, params }: ActionFunctionArgs): Promise<ActionData> {
  const ctx = await requireAdmin(request, params.method);
  const parsed = parseSettingsForm(ctx.method, await request.formData());
  if (parsed.isErr()) return { ok: false, errors: parsed.error };
  await saveMethodSettings(deps().db, ctx.method, ctx.shop, parsed.value);
  return { ok: true };
}

export default function SettingsPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t, base, method, locale, embedded, csrfToken } = useAdmin();
  const submit = useSubmit();
  const navigation = useNavigation();
  const [values, setValues] = useState<SettingsView>(data.settings);
  const [errors, setErrors] = useState<FieldErrors<SettingsField>>({});
  const [saved, setSaved] = useState(false);

  // A successful save changes what is stored: start again from it. A refused save changes
  // nothing stored, so the merchant's edits stay on screen next to the errors.
  const stored = JSON.stringify(data.settings);
  useEffect(() => setValues(JSON.parse(stored) as SettingsView), [stored]);
  useEffect(() => {
    if (!actionData) return;
    setErrors(actionData.ok ? {} : actionData.errors);
    setSaved(actionData.ok);
  }, [actionData]);

  const dirty = useMemo(() => JSON.stringify(values) !== stored, [values, stored]);
  const saving = navigation.state === "submitting";

  const save = () => {
    const form = new FormData();
    form.set(CSRF_FIELD, csrfToken);
    form.set("itemName", values.itemName);
    if (method === "installments") for (const p of values.periods) form.append("periods", p);
    if (method === "atm") form.set("expireDays", values.expireDays);
    setSaved(false);
    submit(form, { method: "post" });
  };
  const discard = () => {
    setValues(data.settings);
    setErrors({});
  };
  const change = (patch: Partial<SettingsView>) => {
    setSaved(false);
    setValues((v) => ({ ...v, ...patch }));
  };

  return (
    <Page title={t("admin.settings.title")} backAction={{ content: t("admin.nav.home"), url: base }}>
      {embedded ? (
        // Shown by App Bridge in the admin's top bar; its buttons' clicks come back to these.
        <SaveBar id="settings-save-bar" open={dirty}>
          <button variant="primary" onClick={save} loading={saving ? "" : undefined}>
            {t("admin.settings.save")}
          </button>
          <button onClick={discard}>{t("admin.settings.discard")}</button>
        </SaveBar>
      ) : dirty ? (
        <ContextualSaveBar
          message={t("admin.settings.unsaved")}
          saveAction={{ onAction: save, loading: saving, content: t("admin.settings.save") }}
          discardAction={{ onAction: discard, content: t("admin.settings.discard") }}
        />
      ) : null}
      <Layout>
        <Layout.Section>
          <SharedBindingNote />
        </Layout.Section>
        <Layout.AnnotatedSection title={t("admin.settings.checkoutTitle")} description={t("admin.settings.checkoutHelp")}>
          <Card>
            <BlockStack gap="400">
              {Object.keys(errors).length > 0 ? <Banner tone="critical" title={t("admin.form.fixErrors")} /> : null}
              {saved && !dirty ? <Banner tone="success" title={t("admin.settings.saved")} onDismiss={() => setSaved(false)} /> : null}
              <FormLayout>
                <TextField
                  id="itemName"
                  label={t("admin.settings.itemName")}
                  helpText={t("admin.settings.itemNameHelp", { default: DEFAULT_ITEM_NAME })}
                  value={values.itemName}
                  onChange={(itemName) => change({ itemName })}
                  autoComplete="off"
                  maxLength={100}
                  error={errors.itemName ? t(errors.itemName) : undefined}
                />
                {method === "installments" ? (
                  <ChoiceList
                    allowMultiple
                    title={t("admin.settings.periods")}
                    choices={INSTALLMENT_PERIODS.map((p) => ({ value: p, label: p === "30N" ? t("admin.settings.period30N") : t("admin.settings.period", { n: p }) }))}
                    selected={values.periods}
                    onChange={(periods) => change({ periods })}
                    error={errors.periods ? t(errors.periods) : undefined}
                  />
                ) : null}
                {method === "installments" ? (
                  <Text as="p" tone="subdued">
                    {t("admin.settings.periodsHelp")}
                  </Text>
                ) : null}
                {method === "atm" ? (
                  <Select
                    id="expireDays"
                    label={t("admin.settings.expireDays")}
                    options={ATM_EXPIRE_DAY_CHOICES.map(String).map((d) => ({ value: d, label: t(d === "2" ? "admin.settings.daysDefault" : "admin.settings.days", { n: d }) }))}
                    value={values.expireDays}
                    onChange={(expireDays) => change({ expireDays })}
                    helpText={t("admin.settings.expireDaysHelp")}
                    error={errors.expireDays ? t(errors.expireDays) : undefined}
                  />
                ) : null}
              </FormLayout>
              <InlineStack align="end">
                <Button variant="primary" onClick={save} disabled={!dirty} loading={saving}>
                  {t("admin.settings.save")}
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("admin.settings.notesTitle")} description={t("admin.settings.notesHelp")}>
          <Card>
            <BlockStack gap="300">
              {data.restriction ? (
                <Banner tone="info" title={t("admin.home.restrictionTitle")}>
                  <Text as="p">{data.restriction[locale]}</Text>
                </Banner>
              ) : null}
              {data.desktopOnly ? (
                <Banner tone="warning" title={t("admin.settings.webatmTitle")}>
                  <Text as="p">{t("admin.settings.webatm")}</Text>
                </Banner>
              ) : null}
              {data.applePay ? <Text as="p">{t("admin.settings.applePay")}</Text> : null}
              <Text as="p" id="refund-note">
                {t(data.refundNote)}
              </Text>
              {data.pending ? <Text as="p">{t("admin.settings.atmPending")}</Text> : null}
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
