// The export form on the transactions page: a Taiwan-day range and the shop's apps to include
// (checkboxes; every installed app is ticked to begin with). Pure, so the loader and tests agree:
// a good form becomes the CSV URL, a bad one its fields' errors.
import type { MessageKey } from "../i18n";
import type { MethodHandle } from "../payments/methods";
import { checkDateRange, hasErrors, type DateRangeErrors } from "./date-range";

/** The checkboxes' field: Polaris ChoiceList names a multiple choice `<name>[]`. */
export const EXPORT_METHOD_FIELD = "exportMethod[]";
/** Sent with every form, so "nothing ticked" is told apart from an old link without choices. */
export const EXPORT_CHOICE_MARKER = "exportChoice";

export interface ExportFormState {
  range: { from: string; to: string };
  methods: MethodHandle[];
  errors: DateRangeErrors & { methods?: MessageKey };
  /** Where a good form goes: the CSV download. */
  redirectTo: string | null;
}

export function readExportForm(search: URLSearchParams, base: string, installed: readonly MethodHandle[], defaultRange: { from: string; to: string }): ExportFormState {
  if (search.get("intent") !== "export") return { range: defaultRange, methods: [...installed], errors: {}, redirectTo: null };
  const range = { from: search.get("exportFrom")?.trim() ?? "", to: search.get("exportTo")?.trim() ?? "" };
  const ticked = [...search.getAll(EXPORT_METHOD_FIELD), ...search.getAll("exportMethod")];
  const chosen = search.has(EXPORT_CHOICE_MARKER) ? installed.filter((m) => ticked.includes(m)) : [...installed];
  const errors: ExportFormState["errors"] = { ...checkDateRange(range.from, range.to, { required: true }) };
  if (chosen.length === 0) errors.methods = "export.noMethod";
  if (hasErrors(errors) || errors.methods) return { range, methods: chosen, errors, redirectTo: null };
  const params = new URLSearchParams(range);
  // Every app ticked is the whole shop: the URL says so by naming none.
  if (chosen.length < installed.length) for (const method of chosen) params.append("method", method);
  return { range, methods: chosen, errors, redirectTo: `${base}/export?${params.toString()}` };
}
