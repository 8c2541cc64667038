// What the merchant sets once for the whole shop, whichever of our apps' admins they are in: the
// admin's language; and the store's name as Shopify has it (for the CSV), asked once and kept.
import type { Deps } from "../payments/ports";
import type { Locale } from "../i18n";
import { METHOD_HANDLES, type MethodHandle } from "../payments/methods";

type Db = Pick<Deps["db"], "shopSettings">;

/** A name Shopify could not give is asked for again after this long (the CSV falls back to the domain meanwhile). */
export const SHOP_NAME_RETRY_MS = 3600_000;
/** A known name is checked again after this long, so a store renamed in Shopify reads right in the next day's files. */
export const SHOP_NAME_REFRESH_MS = 24 * 3600_000;

/** The language the merchant chose for every admin of this shop, or null before they choose. */
export async function shopLocale(db: Db, shop: string): Promise<string | null> {
  return (await db.shopSettings.findUnique({ where: { shop }, select: { locale: true } }))?.locale ?? null;
}

/** One switch for the shop: every app's admin reads it. */
export async function saveShopLocale(db: Db, shop: string, locale: Locale): Promise<void> {
  await db.shopSettings.upsert({ where: { shop }, create: { shop, locale }, update: { locale } });
}

/**
 * The store's name from Shopify (Admin GraphQL `shop { name }`) with an app's offline token: the
 * stored one while fresh, else asked now and stored. null when Shopify never told us (the caller
 * shows the domain); a failed ask keeps the last name and is not repeated within
 * SHOP_NAME_RETRY_MS, so an export never waits on Shopify twice in a row.
 */
export async function storeName(deps: Pick<Deps, "db" | "tokens" | "shopAdmin" | "now">, shop: string, methods: readonly MethodHandle[]): Promise<string | null> {
  const stored = await deps.db.shopSettings.findUnique({ where: { shop }, select: { name: true, nameCheckedAt: true } });
  const now = deps.now();
  const age = stored?.nameCheckedAt ? now.getTime() - stored.nameCheckedAt.getTime() : Infinity;
  if (age < (stored?.name ? SHOP_NAME_REFRESH_MS : SHOP_NAME_RETRY_MS)) return stored?.name ?? null;
  let name: string | null = null;
  // Any installed app's token reads the same shop; the first that answers is enough.
  for (const method of methods.length > 0 ? methods : METHOD_HANDLES) {
    const token = await deps.tokens.offlineToken(method, shop);
    if (!token) continue;
    const answer = await deps.shopAdmin.shopName(shop, token);
    if (answer.isOk()) {
      name = answer.value;
      break;
    }
  }
  name ??= stored?.name ?? null;
  await deps.db.shopSettings.upsert({ where: { shop }, create: { shop, name, nameCheckedAt: now }, update: { name, nameCheckedAt: now } });
  return name;
}
