// Merchant- and buyer-facing text in zh-TW (default for Taiwanese shops) and English.
// Each area keeps its messages in app/i18n/messages/<area>.ts with both languages side by side;
// the compiler checks that every key exists in both.
import { adminMessages } from "./messages/admin";
import { adminConsoleMessages } from "./messages/admin-console";
import { adminExportMessages } from "./messages/admin-export";
import { adminHelpMessages } from "./messages/admin-help";
import { adminTimelineMessages } from "./messages/admin-timeline";
import { adminTransactionMessages } from "./messages/admin-transactions";
import { commonMessages } from "./messages/common";
import { operationMessages } from "./messages/operations";
import { paymentMessages } from "./messages/payments";

export type Locale = "zh-TW" | "en";

const zhTW = { ...commonMessages["zh-TW"], ...paymentMessages["zh-TW"], ...adminMessages["zh-TW"], ...adminTransactionMessages["zh-TW"], ...adminHelpMessages["zh-TW"], ...adminTimelineMessages["zh-TW"], ...adminConsoleMessages["zh-TW"], ...operationMessages["zh-TW"], ...adminExportMessages["zh-TW"] };
const en = { ...commonMessages.en, ...paymentMessages.en, ...adminMessages.en, ...adminTransactionMessages.en, ...adminHelpMessages.en, ...adminTimelineMessages.en, ...adminConsoleMessages.en, ...operationMessages.en, ...adminExportMessages.en };

export type MessageKey = keyof typeof zhTW & keyof typeof en;

const dictionaries: Record<Locale, Record<MessageKey, string>> = { "zh-TW": zhTW, en };

/** Pick our locale from a BCP 47 tag (Shopify's merchant_locale, the admin's locale, Accept-Language). */
export function resolveLocale(tag: string | null | undefined): Locale {
  if (!tag) return "zh-TW";
  return tag.trim().toLowerCase().startsWith("en") ? "en" : "zh-TW";
}

export function t(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = dictionaries[locale][key];
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in vars ? String(vars[name]) : match));
}

/** Both languages of a message, e.g. for Shopify's merchantMessage when the locale is unknown. */
export function bilingual(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return `${t("zh-TW", key, vars)} / ${t("en", key, vars)}`;
}
