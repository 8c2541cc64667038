// application/x-www-form-urlencoded in and out. Inbound bodies are decoded exactly as a browser
// form post is (WHATWG: "+" is a space, %XX is UTF-8); ECPay's QueryTradeInfo answer is the
// exception, where a literal "+" is data (ecpay-aio §1.5), so the caller can ask for that.
import { err, ok, type Result } from "neverthrow";

export type FormBodyError =
  | { type: "empty" }
  | { type: "duplicate-field"; field: string };

export interface ParseFormOptions {
  /** Treat "+" as a literal plus sign (ECPay SDK: `parse_str(str_replace('+', '%2B', $body))`). */
  plusIsLiteral?: boolean;
}

/**
 * Parses a form body into a field map. A repeated field name is an error rather than
 * last-one-wins: ECPay never repeats a field, and silently choosing one would let a forged
 * duplicate ride along with a valid signature.
 */
export function parseFormBody(body: string, options: ParseFormOptions = {}): Result<Record<string, string>, FormBodyError> {
  const text = options.plusIsLiteral ? body.replace(/\+/g, "%2B") : body;
  if (text.trim().length === 0) return err({ type: "empty" });
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of new URLSearchParams(text)) {
    if (Object.prototype.hasOwnProperty.call(fields, key)) return err({ type: "duplicate-field", field: key });
    fields[key] = value;
  }
  if (Object.keys(fields).length === 0) return err({ type: "empty" });
  return ok({ ...fields });
}

/** Serializes fields the way a browser submits a form (UTF-8, space as "+"). */
export function encodeFormBody(fields: Readonly<Record<string, string>>): string {
  return new URLSearchParams(Object.entries(fields)).toString();
}
