// Method settings from the registry's zod schema (METHOD_SETTINGS_SCHEMAS), read from the form.
import { err, ok, type Result } from "neverthrow";
import type { MessageKey } from "../i18n";
import { METHOD_SETTINGS_SCHEMAS, type MethodHandle, type MethodSettings } from "../payments/methods";
import type { FieldErrors } from "./binding-form";

export type SettingsField = "itemName" | "periods" | "expireDays";

/** The registry's messages (e.g. "periods.atLeastOne") and zod's own, mapped to admin text. */
const ISSUE_MESSAGES: Record<string, MessageKey> = {
  "periods.atLeastOne": "admin.settings.error.periodsAtLeastOne",
  "periods.duplicate": "admin.settings.error.periodsDuplicate",
  "itemName.invalidCharacters": "admin.settings.error.itemNameCharacters",
};

const FALLBACK: Record<SettingsField, MessageKey> = {
  itemName: "admin.settings.error.itemNameLength",
  periods: "admin.settings.error.periodsInvalid",
  expireDays: "admin.settings.error.expireDays",
};

/** Build the raw object the schema expects; every method-specific field is always present, so defaults never hide an empty choice. */
function rawSettings(method: MethodHandle, form: FormData): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const itemName = form.get("itemName");
  if (typeof itemName === "string" && itemName.trim() !== "") raw.itemName = itemName;
  if (method === "installments") raw.periods = form.getAll("periods").map(String);
  if (method === "atm") {
    const days = String(form.get("expireDays") ?? "").trim();
    raw.expireDays = /^\d+$/.test(days) ? Number(days) : days;
  }
  return raw;
}

export function parseSettingsForm<M extends MethodHandle>(method: M, form: FormData): Result<MethodSettings<M>, FieldErrors<SettingsField>> {
  const parsed = METHOD_SETTINGS_SCHEMAS[method].safeParse(rawSettings(method, form));
  if (parsed.success) return ok(parsed.data as MethodSettings<M>);
  const errors: FieldErrors<SettingsField> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (field !== "itemName" && field !== "periods" && field !== "expireDays") continue;
    errors[field] ??= ISSUE_MESSAGES[issue.message] ?? FALLBACK[field];
  }
  if (Object.keys(errors).length === 0) errors.itemName = "admin.settings.error.itemNameLength";
  return err(errors);
}
