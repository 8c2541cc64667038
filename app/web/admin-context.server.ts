// Every admin loader and action starts here: the merchant is authenticated for this method's app,
// and everything after is scoped to (session.shop, method), never to anything the client sent.
import type { ShopInstallation } from "@prisma/client";
import { resolveLocale, type Locale } from "../i18n";
import { deps } from "../deps.server";
import { shopLocale } from "../admin/shop-settings.server";
import { createShopDomain, type ShopDomain } from "../payments/ids";
import type { MethodHandle } from "../payments/methods";
import { authenticateMerchant } from "../shopify/admin-auth.server";
import { signedInRecently } from "../shopify/admin-session.server";

export interface AdminContext {
  method: MethodHandle;
  /** From the authenticated session, parsed once here. */
  shop: ShopDomain;
  installation: ShopInstallation;
  locale: Locale;
  /**
   * The person signed in within the last few minutes (RECENT_SIGN_IN_MS), as changing the ECPay
   * account requires. Embedded, Shopify's admin owns sign-in and every session token is fresh.
   */
  recentSignIn: boolean;
}

/**
 * The admin's language before the merchant chooses one: Chinese for a Chinese-speaking merchant
 * (ECPay's merchants are Taiwanese shops, so also when nothing says otherwise), English for any
 * other language. `tag` is Shopify's `locale` or the browser's Accept-Language (its first choice).
 */
export function defaultAdminLocale(tag: string | null | undefined): Locale {
  const first = tag?.split(",")[0]?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (first === "" || first === "*") return "zh-TW";
  return first === "zh" || first.startsWith("zh-") ? "zh-TW" : "en";
}

/**
 * The merchant's language: what they chose in any of the shop's app admins (one setting per shop),
 * else Shopify's `locale` param, else the browser's.
 */
export function adminLocale(chosen: string | null | undefined, request: Request): Locale {
  if (chosen) return resolveLocale(chosen);
  const url = new URL(request.url);
  return defaultAdminLocale(url.searchParams.get("locale") ?? request.headers.get("accept-language"));
}

/** The admin's language for this shop (the layout's, which loads beside the page's requireAdmin). */
export async function shopAdminLocale(shop: string, request: Request): Promise<Locale> {
  return adminLocale(await shopLocale(deps().db, shop), request);
}

/** The installation row for this shop and app; created on first visit (OAuth does not write it). */
export async function loadInstallation(method: MethodHandle, shop: string): Promise<ShopInstallation> {
  const where = { method_shop: { method, shop } };
  const existing = await deps().db.shopInstallation.findUnique({ where });
  if (existing) return existing;
  // The layout and the page load in parallel: the loser of the insert race reads the winner's row.
  try {
    return await deps().db.shopInstallation.create({ data: { method, shop } });
  } catch {
    return deps().db.shopInstallation.findUniqueOrThrow({ where });
  }
}

export async function requireAdmin(request: Request, methodParam: string | undefined): Promise<AdminContext> {
  const authenticated = await authenticateMerchant(request, methodParam);
  const { method, embedded, adminSession } = authenticated;
  const shop = createShopDomain(authenticated.shop);
  const [installation, chosen] = await Promise.all([loadInstallation(method, shop), shopLocale(deps().db, shop)]);
  const recentSignIn = embedded || signedInRecently(adminSession, new Date());
  return { method, shop, installation, locale: adminLocale(chosen, request), recentSignIn };
}
