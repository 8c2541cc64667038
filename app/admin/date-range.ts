// Date ranges the merchant types (the transactions filter, the CSV export): yyyy-MM-dd calendar
// days in Taiwan time. A bad date or a reversed range is an error shown on its field, never
// silently dropped. Pure, so the page and the server agree.
import type { MessageKey } from "../i18n";

export type DateRangeErrors = Partial<Record<"from" | "to", MessageKey>>;

/** A real calendar day written yyyy-MM-dd (2025-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Errors per field; empty when the range is usable. `required`: both ends must be given (export). */
export function checkDateRange(from: string, to: string, options: { required: boolean }): DateRangeErrors {
  const errors: DateRangeErrors = {};
  for (const [field, value] of [["from", from.trim()], ["to", to.trim()]] as const) {
    if (value === "") {
      if (options.required) errors[field] = "admin.date.required";
    } else if (!isCalendarDate(value)) {
      errors[field] = "admin.date.invalid";
    }
  }
  if (!errors.from && !errors.to && from.trim() && to.trim() && to.trim() < from.trim()) errors.to = "admin.date.reversed";
  return errors;
}

export function hasErrors(errors: DateRangeErrors): boolean {
  return Boolean(errors.from ?? errors.to);
}
