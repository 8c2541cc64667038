// Client side of the admin: the layout's data (method, shop, locale) and a translator bound to it.
import { useRouteLoaderData } from "@remix-run/react";
import { t, type Locale, type MessageKey } from "../i18n";
import type { MethodHandle } from "../payments/methods";

export const ADMIN_LAYOUT_ID = "routes/apps.$method._admin";

export interface AdminLayoutData {
  method: MethodHandle;
  shop: string;
  apiKey: string;
  embedded: boolean;
  locale: Locale;
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function useAdmin(): AdminLayoutData & { t: Translate; base: string } {
  const data = useRouteLoaderData(ADMIN_LAYOUT_ID) as AdminLayoutData | undefined;
  if (!data) throw new Error("useAdmin is only available inside the admin layout");
  return { ...data, t: (key, vars) => t(data.locale, key, vars), base: `/apps/${data.method}` };
}
