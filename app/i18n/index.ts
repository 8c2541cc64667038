// Merchant- and buyer-facing text in zh-TW (default for Taiwanese shops) and English.
// Messages live in one dictionary per language; keys are checked at compile time.
import { en } from "./en";
import { zhTW } from "./zh-TW";

export type Locale = "zh-TW" | "en";
export type MessageKey = keyof typeof zhTW;

const dictionaries: Record<Locale, Record<MessageKey, string>> = { "zh-TW": zhTW, en };

/** Pick our locale from a BCP 47 tag (Shopify's merchant_locale, the admin's locale, Accept-Language). */
export function resolveLocale(tag: string | null | undefined): Locale {
  if (!tag) return "zh-TW";
  return tag.toLowerCase().startsWith("en") ? "en" : "zh-TW";
}

export function t(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = dictionaries[locale][key];
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in vars ? String(vars[name]) : match));
}
