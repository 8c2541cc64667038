// The export form's card (transactions page): dates and the shop's apps, one CSV for all of them.
import { Form } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, ChoiceList, InlineGrid, InlineStack, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { getMethod, type MethodHandle } from "../payments/methods";
import { EXPORT_CHOICE_MARKER, type ExportFormState } from "./export-form";
import { useAdmin } from "./use-admin";

export function ExportCard({ form, installed }: { form: Pick<ExportFormState, "range" | "methods" | "errors">; installed: readonly MethodHandle[] }) {
  const { t, base, locale } = useAdmin();
  const [range, setRange] = useState(form.range);
  const [methods, setMethods] = useState<string[]>(form.methods);
  useEffect(() => setRange({ from: form.range.from, to: form.range.to }), [form.range.from, form.range.to]);
  const chosenKey = form.methods.join(",");
  useEffect(() => setMethods(chosenKey ? chosenKey.split(",") : []), [chosenKey]);
  const { errors } = form;
  return (
    <Card>
      <Form method="get" action={`${base}/transactions`} reloadDocument id="export-form">
        <input type="hidden" name="intent" value="export" />
        <input type="hidden" name={EXPORT_CHOICE_MARKER} value="1" />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("admin.export.title")}
          </Text>
          <Text as="p" tone="subdued">
            {t("admin.export.help")}
          </Text>
          {errors.from || errors.to || errors.methods ? <Banner tone="critical" title={t("admin.export.error")} /> : null}
          <InlineGrid columns={{ xs: 1, md: 3 }} gap="300">
            <TextField
              label={t("admin.transactions.from")}
              type="date"
              name="exportFrom"
              id="export-from"
              value={range.from}
              onChange={(from) => setRange((r) => ({ ...r, from }))}
              autoComplete="off"
              error={errors.from ? t(errors.from) : undefined}
            />
            <TextField
              label={t("admin.transactions.to")}
              type="date"
              name="exportTo"
              id="export-to"
              value={range.to}
              onChange={(to) => setRange((r) => ({ ...r, to }))}
              autoComplete="off"
              error={errors.to ? t(errors.to) : undefined}
            />
          </InlineGrid>
          <div id="export-methods">
            <ChoiceList
              title={t("export.methods")}
              allowMultiple
              name="exportMethod"
              choices={installed.map((m) => ({ label: getMethod(m).serviceName[locale], value: m, id: `export-method-${m}` }))}
              selected={methods}
              onChange={setMethods}
              error={errors.methods ? t(errors.methods) : undefined}
            />
            <Text as="p" tone="subdued">
              {t("export.methodsHelp")}
            </Text>
          </div>
          <InlineStack align="end">
            <Button submit>{t("admin.export.download")}</Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}
