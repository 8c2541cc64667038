// Layout of each app's merchant admin: authenticates the merchant for this method's app and wraps
// the pages in Polaris (and App Bridge when the app runs embedded).
import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { serverConfig } from "~/config.server";
import { resolveLocale } from "~/i18n";
import { authenticateMerchant } from "~/shopify/admin-auth.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { method, session } = await authenticateMerchant(request, params.method);
  const url = new URL(request.url);
  return {
    method,
    shop: session.shop,
    apiKey: serverConfig().apps[method]?.apiKey ?? "",
    embedded: process.env.SHOPIFY_EMBEDDED === "true",
    locale: resolveLocale(url.searchParams.get("locale") ?? request.headers.get("accept-language")),
  };
}

export default function AdminLayout() {
  const data = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp={data.embedded} apiKey={data.apiKey}>
      <Outlet />
    </AppProvider>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
