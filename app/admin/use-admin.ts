// Client side of the admin: the layout's data (method, shop, locale, CSRF token) and a translator
// bound to it, and the CSRF field every admin form and fetcher submission carries.
import { useRouteLoaderData } from "@remix-run/react";
import { createElement } from "react";
import { t, type Locale, type MessageKey } from "../i18n";
import type { MethodHandle } from "../payments/methods";

export const ADMIN_LAYOUT_ID = "routes/apps.$method._admin";
/** The form field every admin POST carries (checked in authenticateMerchant). */
export const CSRF_FIELD = "_csrf";

export interface AdminLayoutData {
  method: MethodHandle;
  shop: string;
  apiKey: string;
  embedded: boolean;
  locale: Locale;
  /** The sign-in's CSRF token; "" when embedded (the App Bridge bearer token plays that part). */
  csrfToken: string;
  /** This app's ECPay account and the shop's other apps on it (the per-app pages say so); null when unbound. */
  binding?: { merchantId: string; sharedWith: Array<{ "zh-TW": string; en: string }> } | null;
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

function useLayoutData(): AdminLayoutData {
  const data = useRouteLoaderData(ADMIN_LAYOUT_ID) as AdminLayoutData | undefined;
  if (!data) throw new Error("useAdmin is only available inside the admin layout");
  return data;
}

export function useAdmin(): AdminLayoutData & { t: Translate; base: string; withCsrf: <T extends Record<string, string>>(payload: T) => T & { _csrf: string } } {
  const data = useLayoutData();
  return {
    ...data,
    t: (key, vars) => t(data.locale, key, vars),
    base: `/apps/${data.method}`,
    withCsrf: (payload) => ({ ...payload, [CSRF_FIELD]: data.csrfToken }),
  };
}

/** The hidden CSRF field: put one in every admin <Form method="post">. */
export function CsrfField() {
  const { csrfToken } = useLayoutData();
  return createElement("input", { type: "hidden", name: CSRF_FIELD, value: csrfToken });
}
