import { Links, Meta, Outlet, Scripts, ScrollRestoration, useMatches } from "@remix-run/react";

/** The page's language: the admin layout's (the shop's choice), else Traditional Chinese. */
function useDocumentLanguage(): string {
  const chosen = useMatches()
    .map((match) => (match.data as { locale?: unknown } | undefined)?.locale)
    .find((locale) => locale === "en" || locale === "zh-TW");
  return chosen === "en" ? "en" : "zh-Hant-TW";
}

export default function App() {
  return (
    <html lang={useDocumentLanguage()}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="icon" href="data:," />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
