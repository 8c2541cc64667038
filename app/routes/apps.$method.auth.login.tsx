// Non-embedded login: the merchant names the shop, the library starts OAuth for this method's app.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppProvider, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/zh-TW.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { useState } from "react";
import { resolveLocale, t } from "~/i18n";
import { requireApp } from "~/shopify/apps.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

async function loginErrors(request: Request, method: string | undefined) {
  const { app } = requireApp(method);
  const errors = await app.login(request);
  return { shopInvalid: Boolean(errors && "shop" in errors && errors.shop) };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = resolveLocale(request.headers.get("accept-language"));
  return { ...(await loginErrors(request, params.method)), locale };
}

export async function action({ request, params }: ActionFunctionArgs) {
  return loginErrors(request, params.method);
}

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const locale = loaderData.locale;
  const invalid = (actionData ?? loaderData).shopInvalid;
  return (
    <AppProvider i18n={polarisTranslations}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h2">
                {t(locale, "login.title")}
              </Text>
              <TextField
                type="text"
                name="shop"
                label={t(locale, "login.shopLabel")}
                helpText="example.myshopify.com"
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={invalid ? t(locale, "login.invalidShop") : undefined}
              />
              <Button submit>{t(locale, "login.submit")}</Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </AppProvider>
  );
}
