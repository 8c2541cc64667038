// What a stored ECPay message said, as fields: the admin's timeline reads messages through the
// domain, never through the gateway's form parser.
import { parseFormBody } from "../ecpay/form-body";

/** Raw message fields as ECPay sent them (form body), or the text itself when it is not a form. */
export function storedMessageFields(rawBody: string): Array<[string, string]> {
  // JSON first: a JSON body would also "parse" as a one-field form.
  if (rawBody.trimStart().startsWith("{")) {
    try {
      const json: unknown = JSON.parse(rawBody);
      if (json && typeof json === "object" && !Array.isArray(json)) {
        return Object.entries(json as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]);
      }
    } catch {
      // not JSON after all: try it as a form
    }
  }
  const parsed = parseFormBody(rawBody);
  return parsed.isOk() ? Object.entries(parsed.value) : [["body", rawBody]];
}
