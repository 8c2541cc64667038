// Layout of each app's merchant admin: authenticates the merchant for this method's app and wraps
// the pages in Polaris (and App Bridge when the app runs embedded: SHOPIFY_<M>_EMBEDDED), with the
// app's navigation (a top bar with a menu toggle on a phone when not embedded) and the language
// switch. Also says which ECPay account the app uses and which other apps share it.
import { json, type HeadersFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, Outlet, useFetcher, useLoaderData, useLocation, useRouteError } from "@remix-run/react";
import { useCallback, useEffect, useState } from "react";
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { Box, Button, ButtonGroup, Frame, InlineStack, Navigation, Text, TopBar } from "@shopify/polaris";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisZhTw from "@shopify/polaris/locales/zh-TW.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { loadInstallation, shopAdminLocale } from "~/web/admin-context.server";
import { CSRF_FIELD, type AdminLayoutData } from "~/admin/use-admin";
import { sharedBinding } from "~/admin/bind.server";
import { appLabel } from "~/admin/components";
import { deps } from "~/deps.server";
import { serverConfig } from "~/config.server";
import { getMethod } from "~/payments/methods";
import { t, type Locale, type MessageKey } from "~/i18n";
import { authenticateMerchant } from "~/shopify/admin-auth.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { method, app, embedded, shop, adminSession } = await authenticateMerchant(request, params.method);
  const d = deps();
  // The installation row is created on the first visit, by whichever of layout and page comes first.
  // The bind page's own answer (sharedBinding, which its unbindImpact is built on), so every page says the same.
  const [, locale, binding] = await Promise.all([loadInstallation(method, shop), shopAdminLocale(shop, request), sharedBinding(d, method, shop)]);
  const data: AdminLayoutData = {
    method,
    shop,
    apiKey: serverConfig().apps[method]?.apiKey ?? "",
    embedded,
    locale,
    csrfToken: adminSession?.csrfToken ?? "",
    binding,
  };
  // Embedded, only the shop's admin may frame these pages (the library's Content-Security-Policy);
  // non-embedded, server.ts forbids framing on every response under /apps/<m>.
  const headers = new Headers();
  if (embedded) app.addDocumentResponseHeaders(request, headers);
  return json(data, { headers });
}

const NAV: Array<{ path: string; label: MessageKey; capture?: true }> = [
  { path: "", label: "admin.nav.home" },
  { path: "/bind", label: "admin.nav.bind" },
  { path: "/test-mode", label: "admin.nav.testMode" },
  // Only methods with an authorization have a capture setting (the page still explains it to the others).
  { path: "/capture", label: "admin.nav.capture", capture: true },
  { path: "/settings", label: "admin.nav.settings" },
  { path: "/transactions", label: "admin.nav.transactions" },
  { path: "/help", label: "admin.nav.help" },
];

function LanguageSwitch({ base, locale, csrfToken }: { base: string; locale: Locale; csrfToken: string }) {
  const fetcher = useFetcher();
  const choose = (next: Locale) => fetcher.submit({ locale: next, [CSRF_FIELD]: csrfToken }, { method: "post", action: `${base}/locale` });
  return (
    <Box padding="400">
      <InlineStack gap="200" align="center" blockAlign="center">
        <Text as="span" tone="subdued">
          {t(locale, "admin.language.label")}
        </Text>
        <ButtonGroup variant="segmented">
          <Button pressed={locale === "zh-TW"} onClick={() => choose("zh-TW")} loading={fetcher.state !== "idle" && locale !== "zh-TW"}>
            中文
          </Button>
          <Button pressed={locale === "en"} onClick={() => choose("en")} loading={fetcher.state !== "idle" && locale !== "en"}>
            English
          </Button>
        </ButtonGroup>
      </InlineStack>
    </Box>
  );
}

/** Ends this sign-in (apps.$method._admin.sign-out.tsx); embedded, Shopify's admin owns sign-in. */
function SignOut({ base, locale, csrfToken }: { base: string; locale: Locale; csrfToken: string }) {
  return (
    <Box padding="400">
      <Form method="post" action={`${base}/sign-out`} reloadDocument>
        <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
        <Button submit id="sign-out">
          {t(locale, "admin.signOut")}
        </Button>
      </Form>
    </Box>
  );
}

export default function AdminLayout() {
  const data = useLoaderData<typeof loader>();
  const location = useLocation();
  // A phone has no room for the sidebar: the top bar's menu button opens it, and a choice closes it.
  const [mobileNav, setMobileNav] = useState(false);
  const toggleNav = useCallback(() => setMobileNav((open) => !open), []);
  const closeNav = useCallback(() => setMobileNav(false), []);
  useEffect(() => setMobileNav(false), [location.pathname]);
  const base = `/apps/${data.method}`;
  const path = location.pathname.replace(/\/$/, "");
  const captures = getMethod(data.method).supportsAuthorization;
  const items = NAV.filter((item) => captures || !item.capture).map((item) => {
    const url = `${base}${item.path}`;
    return { url, label: t(data.locale, item.label), selected: item.path === "" ? path === base : path.startsWith(url) };
  });
  const content = (
    <>
      <Outlet />
      <LanguageSwitch base={base} locale={data.locale} csrfToken={data.csrfToken} />
      {data.embedded ? null : <SignOut base={base} locale={data.locale} csrfToken={data.csrfToken} />}
    </>
  );
  return (
    <AppProvider isEmbeddedApp={data.embedded} apiKey={data.apiKey} i18n={data.locale === "en" ? polarisEn : polarisZhTw}>
      {data.embedded ? (
        // Inside Shopify's admin the navigation belongs in the App Bridge nav menu.
        <Frame>
          <NavMenu>
            {items.map((item) => (
              <Link key={item.url} to={item.url} rel={item.url === base ? "home" : undefined}>
                {item.label}
              </Link>
            ))}
          </NavMenu>
          {content}
        </Frame>
      ) : (
        <Frame
          topBar={
            <TopBar
              showNavigationToggle
              onNavigationToggle={toggleNav}
              contextControl={
                <Box paddingInline="400" paddingBlock="300">
                  <Text as="span" fontWeight="semibold" tone="text-inverse" truncate>
                    {`${t(data.locale, "admin.console.brand")} · ${appLabel(data.method, data.locale)}`}
                  </Text>
                </Box>
              }
            />
          }
          navigation={
            <Navigation location={location.pathname} onDismiss={closeNav}>
              <Navigation.Section items={items.map((item) => ({ ...item, onClick: closeNav }))} />
            </Navigation>
          }
          showMobileNavigation={mobileNav}
          onNavigationDismiss={closeNav}
        >
          {content}
        </Frame>
      )}
    </AppProvider>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
