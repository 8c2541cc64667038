// The documented shapes (ecpay-aio §3.1–§3.3, §4.2, §4.4) of every ECPay field we store or show.
// Notifications and query answers are checked against them before anything is stored: anyone can
// sign a stage message with the public merchant's keys, so a valid signature proves nothing about
// what the fields contain. Where the docs give only a maximum (String(n)), we enforce that maximum.
import { z } from "zod";

// Control characters (C0, DEL, C1) never belong in a message shown to the merchant.
const CONTROL = /\p{Cc}/u;

const pattern = (re: RegExp, message: string) => z.string().regex(re, message);
const emptyToNull = (value: string | undefined) => (value === undefined || value === "" ? null : value);

/** `yyyy/MM/dd` naming a day that exists (2026/02/30 does not). */
export function isEcpayDate(value: string): boolean {
  const match = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `yyyy/MM/dd HH:mm:ss` with a real day and time. */
export function isEcpayDateTime(value: string): boolean {
  const match = /^(\d{4}\/\d{2}\/\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  return Boolean(match) && isEcpayDate(match![1]!) && Number(match![2]) < 24 && Number(match![3]) < 60 && Number(match![4]) < 60;
}

export const shapes = {
  /** String(10), alphanumeric. */
  merchantId: pattern(/^[A-Za-z0-9]{1,10}$/, "must be 1–10 letters or digits"),
  /** String(20), alphanumeric (§2.5). */
  merchantTradeNo: pattern(/^[A-Za-z0-9]{1,20}$/, "must be 1–20 letters or digits"),
  /** String(20), alphanumeric; empty on some failures. */
  tradeNo: pattern(/^[A-Za-z0-9]{0,20}$/, "must be at most 20 letters or digits"),
  /** Int. */
  rtnCode: pattern(/^-?\d{1,10}$/, "must be a whole number"),
  /** String(200), shown to the merchant: no control characters. */
  rtnMsg: z.string().max(200, "is longer than 200 characters").refine((v) => !CONTROL.test(v), "contains control characters"),
  /** Int, whole TWD. */
  tradeAmt: pattern(/^\d{1,10}$/, "must be a whole number"),
  /** String(20), String(50) on the current page: take 50. Values look like `ATM_BOT`, `Credit_CreditCard`. */
  paymentType: pattern(/^[A-Za-z0-9_]{1,50}$/, "must be 1–50 letters, digits or _"),
  /** String(20), `yyyy/MM/dd HH:mm:ss`; empty while unpaid. */
  dateTime: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || isEcpayDateTime(v), "must be yyyy/MM/dd HH:mm:ss")
    .transform(emptyToNull),
  /** Number (V5.2.12): a non-negative amount, decimals allowed. */
  chargeFee: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || /^\d{1,10}(\.\d{1,4})?$/.test(v), "must be a non-negative number")
    .transform(emptyToNull),
  /** String(50). */
  customField: z.string().max(50, "is longer than 50 characters").refine((v) => !CONTROL.test(v), "contains control characters"),
  /** String(3): a bank code is three digits (e.g. 812). */
  bankCode: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || /^\d{3}$/.test(v), "must be 3 digits")
    .transform(emptyToNull),
  /** String(16): the length differs per bank and is not documented, so up to 16 digits. */
  vAccount: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || /^\d{1,16}$/.test(v), "must be 1–16 digits")
    .transform(emptyToNull),
  /** ATM String(10), `yyyy/MM/dd`, a real day. (CVS/BARCODE use a date-time; we offer neither.) */
  atmExpireDate: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || isEcpayDate(v), "must be a real date yyyy/MM/dd")
    .transform(emptyToNull),
  /** Int (NeedExtraPaidInfo): the card authorization number. */
  gwsr: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || /^\d{1,20}$/.test(v), "must be a whole number")
    .transform(emptyToNull),
  /** TradeStatus String(8): `0`, `1` or an error code. */
  tradeStatus: pattern(/^\d{1,8}$/, "must be 1–8 digits"),
};

/** `<field> <reason>` for the first issue, as ECPay endpoints answer it (`0|<field> …`). */
export function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join(".") || "body";
  const message = issue?.code === "invalid_type" ? "is required" : (issue?.message ?? "is invalid");
  return { field, message };
}
