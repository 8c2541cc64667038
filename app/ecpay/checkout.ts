// AioCheckOut V5 (ecpay-aio §2): turn a CheckoutInput into signed form fields, validating every
// rule first so we never hand the buyer a form ECPay will refuse, and render the auto-submit page.
import { err, ok, type Result } from "neverthrow";
import { signParams } from "./check-mac-value";
import { invalidInput } from "./errors";
import { isMerchantTradeNo } from "./merchant-trade-no";
import { escapeHtml, html, type SafeHtml } from "./html";
import { formatTaiwanDateTime } from "../lib/taiwan-time";
import type { CheckoutForm, CheckoutInput, EcpayCredentials, EcpayError } from "./types";

export const AIO_CHECKOUT_PATH = "/Cashier/AioCheckOut/V5";

export interface EcpayOrigins {
  stageOrigin: string;
  productionOrigin: string;
}

const CHOOSE_PAYMENTS = new Set(["Credit", "ATM", "WebATM", "TWQR", "WeiXin"]);
const LANGUAGES = new Set(["ENG", "KOR", "JPN", "CHI"]);

/** The method extras we know how to validate; anything else is refused rather than signed blind. */
const EXTRA_FIELDS = ["CreditInstallment", "Redeem", "UnionPay", "ExpireDate"] as const;
type ExtraField = (typeof EXTRA_FIELDS)[number];

const MERCHANT_ID = /^[A-Za-z0-9]{1,10}$/;
const CREDIT_INSTALLMENT = /^(3|6|12|18|24|30N)(,(3|6|12|18|24|30N)){0,5}$/;
/** C0/C1 controls, DEL, and the line/paragraph separators: ECPay cannot hash or display them. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** "傳輸參數不支援特殊符號": letters and digits of any script, spaces and plain punctuation. */
const TRADE_DESC = /^[\p{L}\p{M}\p{N} .,\-_()，。、（）：]+$/u;
/** CustomField1-4: alphanumerics plus the symbols ECPay lists (PDF §5). */
const CUSTOM_FIELD = /^[A-Za-z0-9,.#()$[\];%{}:/?&@<>!]*$/;

type Check = Result<void, EcpayError>;
const pass: Check = ok(undefined);

function checkText(field: string, value: string, max: number): Check {
  if (value.trim().length === 0) return err(invalidInput(field, "is required"));
  if (value.length > max) return err(invalidInput(field, `must be at most ${max} characters (got ${value.length})`));
  if (CONTROL_CHARS.test(value)) return err(invalidInput(field, "must not contain control characters or line breaks"));
  if (LONE_SURROGATE.test(value)) return err(invalidInput(field, "contains an invalid (unpaired surrogate) character"));
  return pass;
}

function checkItemName(value: string): Check {
  const field = "ItemName";
  return checkText(field, value, 400).andThen(() => {
    // ECPay refuses HTML in parameter values (PDF §4 note 6); angle brackets are enough to form a tag.
    if (/[<>]/.test(value)) return err(invalidInput(field, "must not contain < or > (ECPay refuses HTML)"));
    // "#" separates items (one line each on ECPay's page); an empty line is a mistake upstream.
    if (value.split("#").some((item) => item.trim().length === 0)) {
      return err(invalidInput(field, "must not have an empty item around a # separator"));
    }
    return pass;
  });
}

function checkTradeDesc(value: string): Check {
  return checkText("TradeDesc", value, 200).andThen(() =>
    TRADE_DESC.test(value)
      ? pass
      : err(invalidInput("TradeDesc", "may contain only letters, digits, spaces and . , - _ ( ) (ECPay refuses special characters)")),
  );
}

function checkUrl(field: string, value: string): Check {
  if (value.length === 0) return err(invalidInput(field, "is required"));
  if (value.length > 200) return err(invalidInput(field, `must be at most 200 characters (got ${value.length})`));
  // Printable ASCII only: ECPay wants punycode hosts and percent-encoded paths, and a URL
  // parser would silently strip tabs/newlines that are still part of what we sign.
  if (!/^[\x21-\x7e]+$/.test(value)) return err(invalidInput(field, "must be printable ASCII without spaces"));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return err(invalidInput(field, "must be an absolute URL"));
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return err(invalidInput(field, "must be an http(s) URL"));
  if (url.username || url.password) return err(invalidInput(field, "must not contain credentials"));
  return pass;
}

function checkExtras(input: CheckoutInput): Check {
  const extra = input.extra;
  for (const key of Object.keys(extra)) {
    if (!(EXTRA_FIELDS as readonly string[]).includes(key)) {
      return err(invalidInput(key, `is not a supported method extra (allowed: ${EXTRA_FIELDS.join(", ")})`));
    }
  }
  const get = (key: ExtraField): string | undefined => extra[key];
  const isCredit = input.choosePayment === "Credit";
  const installment = get("CreditInstallment");
  const redeem = get("Redeem");
  const unionPay = get("UnionPay");
  const expireDate = get("ExpireDate");

  if (installment !== undefined) {
    if (!isCredit) return err(invalidInput("CreditInstallment", "is only for ChoosePayment=Credit"));
    if (!CREDIT_INSTALLMENT.test(installment)) {
      return err(invalidInput("CreditInstallment", "must be a comma list of 3, 6, 12, 18, 24, 30N (e.g. 3,6,12)"));
    }
    const periods = installment.split(",");
    if (new Set(periods).size !== periods.length) return err(invalidInput("CreditInstallment", "must not repeat a period"));
  }
  if (redeem !== undefined) {
    if (!isCredit) return err(invalidInput("Redeem", "is only for ChoosePayment=Credit"));
    if (redeem !== "Y") return err(invalidInput("Redeem", 'must be "Y" when given'));
    if (installment !== undefined) return err(invalidInput("Redeem", "cannot be combined with CreditInstallment"));
  }
  if (unionPay !== undefined) {
    if (!isCredit) return err(invalidInput("UnionPay", "is only for ChoosePayment=Credit"));
    if (!["0", "1", "2"].includes(unionPay)) return err(invalidInput("UnionPay", 'must be "0", "1" or "2"'));
    if (unionPay === "1" && (installment !== undefined || redeem !== undefined)) {
      return err(invalidInput("UnionPay", "UnionPay does not support installments or redemption"));
    }
  }
  if (expireDate !== undefined) {
    if (input.choosePayment !== "ATM") return err(invalidInput("ExpireDate", "is only for ChoosePayment=ATM"));
    if (!/^[1-9]\d?$/.test(expireDate) || Number(expireDate) > 60) {
      return err(invalidInput("ExpireDate", "must be a whole number of days from 1 to 60"));
    }
  }
  return pass;
}

/** The credential checks shared by every request we sign. */
export function checkCredentials(credentials: EcpayCredentials): Result<void, EcpayError> {
  if (!MERCHANT_ID.test(credentials.merchantId)) {
    return err(invalidInput("MerchantID", "must be 1-10 letters or digits"));
  }
  if (credentials.hashKey.length === 0 || credentials.hashIv.length === 0) {
    return err(invalidInput("HashKey", "HashKey and HashIV are required"));
  }
  if (credentials.environment !== "stage" && credentials.environment !== "production") {
    return err(invalidInput("environment", 'must be "stage" or "production"'));
  }
  return pass;
}

function checkInput(input: CheckoutInput): Check {
  const checks: Array<() => Check> = [
    () =>
      isMerchantTradeNo(input.merchantTradeNo)
        ? pass
        : err(invalidInput("MerchantTradeNo", "must be 1-20 letters or digits")),
    () =>
      formatTaiwanDateTime(input.tradeDate) === null ? err(invalidInput("MerchantTradeDate", "is not a valid date")) : pass,
    () =>
      Number.isSafeInteger(input.totalAmount) && input.totalAmount > 0
        ? pass
        : err(invalidInput("TotalAmount", "must be a positive whole number of TWD")),
    () => checkItemName(input.itemName),
    () => checkTradeDesc(input.tradeDesc),
    () =>
      CHOOSE_PAYMENTS.has(input.choosePayment)
        ? pass
        : err(invalidInput("ChoosePayment", "must be Credit, ATM, WebATM, TWQR or WeiXin")),
    () => checkUrl("ReturnURL", input.returnUrl),
    () => (input.orderResultUrl === undefined ? pass : checkUrl("OrderResultURL", input.orderResultUrl)),
    () => (input.clientBackUrl === undefined ? pass : checkUrl("ClientBackURL", input.clientBackUrl)),
    () => (input.paymentInfoUrl === undefined ? pass : checkUrl("PaymentInfoURL", input.paymentInfoUrl)),
    () => {
      if (input.customField1.length === 0) return err(invalidInput("CustomField1", "is required"));
      if (input.customField1.length > 50) return err(invalidInput("CustomField1", "must be at most 50 characters"));
      return CUSTOM_FIELD.test(input.customField1)
        ? pass
        : err(invalidInput("CustomField1", "may contain only letters, digits and , . # ( ) $ [ ] ; % { } : / ? & @ < > !"));
    },
    () =>
      input.language === undefined || LANGUAGES.has(input.language)
        ? pass
        : err(invalidInput("Language", "must be ENG, KOR, JPN or CHI")),
    () => checkExtras(input),
  ];
  for (const check of checks) {
    const result = check();
    if (result.isErr()) return result;
  }
  return pass;
}

/** The ECPay origin (no trailing slash) for an environment. */
export function ecpayOrigin(environment: EcpayCredentials["environment"], origins: EcpayOrigins): string {
  const origin = environment === "production" ? origins.productionOrigin : origins.stageOrigin;
  return origin.replace(/\/+$/, "");
}

/** Validates, then builds and signs the AioCheckOut V5 fields. Pure. */
export function buildCheckoutForm(
  credentials: EcpayCredentials,
  input: CheckoutInput,
  origins: EcpayOrigins,
): Result<CheckoutForm, EcpayError> {
  return checkCredentials(credentials)
    .andThen(() => checkInput(input))
    .map(() => {
      const fields: Record<string, string> = {
        MerchantID: credentials.merchantId,
        MerchantTradeNo: input.merchantTradeNo,
        MerchantTradeDate: formatTaiwanDateTime(input.tradeDate) ?? "",
        PaymentType: "aio",
        TotalAmount: String(input.totalAmount),
        TradeDesc: input.tradeDesc,
        ItemName: input.itemName,
        ReturnURL: input.returnUrl,
        ChoosePayment: input.choosePayment,
        EncryptType: "1",
        NeedExtraPaidInfo: "Y",
        CustomField1: input.customField1,
      };
      if (input.orderResultUrl !== undefined) fields.OrderResultURL = input.orderResultUrl;
      if (input.clientBackUrl !== undefined) fields.ClientBackURL = input.clientBackUrl;
      if (input.paymentInfoUrl !== undefined) fields.PaymentInfoURL = input.paymentInfoUrl;
      if (input.language !== undefined) fields.Language = input.language;
      for (const key of EXTRA_FIELDS) {
        const value = input.extra[key];
        if (value !== undefined) fields[key] = value;
      }
      return { action: `${ecpayOrigin(credentials.environment, origins)}${AIO_CHECKOUT_PATH}`, fields: signParams(fields, credentials) };
    });
}

/**
 * Attribute escaping of exactly & < > " ' (ecpay-aio §1.5): the browser decodes these back, so
 * the posted value is byte-identical to the signed one. The `html` renderer escapes with it.
 */
export const escapeHtmlAttribute = escapeHtml;

export interface AutoSubmitFormOptions {
  /** Text of the visible submit button, shown when JavaScript is off or slow. */
  submitLabel: string;
  formId?: string;
  /** CSP nonce for the inline script, if the page uses a nonce-based policy. */
  nonce?: string;
}

/**
 * The buyer's hand-off fragment: a UTF-8 form posting the signed fields to ECPay, a visible
 * submit button (works without JavaScript) and a one-line script that submits it. Serve the page
 * as `text/html; charset=utf-8`, top-level (ECPay warns against iframes).
 */
export function autoSubmitFormHtml(form: CheckoutForm, options: AutoSubmitFormOptions): SafeHtml {
  const formId = options.formId ?? "ecpay-checkout-form";
  const inputs = Object.entries(form.fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">
`,
  );
  // The button has no name, so it adds nothing to the post (an extra field would break the
  // signature). The script is a constant (script text is not entity-decoded, so nothing is
  // interpolated into it): it submits the form right before it.
  return html`<form id="${formId}" method="post" action="${form.action}" accept-charset="UTF-8">
${inputs}<button type="submit">${options.submitLabel}</button>
</form>
<script${options.nonce === undefined ? "" : html` nonce="${options.nonce}"`}>document.currentScript.previousElementSibling.submit();</script>`;
}
