// AioCheckOut V5 parameter validation (§2.1–§2.3, §1.5). Order of checks: merchant, signature,
// parameter names, required fields, formats, contract, uniqueness. The first failure wins and is
// rendered as ECPay's error page (訊息代碼 / 訊息說明).
//
// Codes: 10200073 (CheckMacValue Error), 10300028 (duplicate MerchantTradeNo), 10200094 (stage
// MerchantID used in production) and 10200141 (service not enabled) come from ecpay-aio (§0, §2.1,
// §5). ECPay documents no code for the other checks (MerchantTradeNo format included): those use
// EMULATOR_PARAMETER_ERROR, outside ECPay's 10xxxxxx range so nothing can mistake it for a real
// code, and a message naming the parameter the way ECPay does ("<Parameter> Error.").
import { verifyCheckMacValue } from "../../../app/ecpay/check-mac-value";
import { isEcpayDateTime } from "./format";
import type { ChoosePayment, EcpayEnvironment, EcpayMerchant } from "./types";

export interface CheckoutError {
  code: string;
  message: string;
}

export const ECPAY_CODES = {
  checkMacValueError: "10200073",
  duplicateMerchantTradeNo: "10300028",
  stageMerchantInProduction: "10200094",
  serviceNotEnabled: "10200141",
} as const;

/** Not an ECPay code (none is documented): the emulator's code for the undocumented parameter checks. */
export const EMULATOR_PARAMETER_ERROR = "90000001";
/** Not an ECPay code (none is documented): unknown MerchantID. */
export const EMULATOR_MERCHANT_ERROR = "90000002";

export const ALL_CHOOSE_PAYMENTS: readonly ChoosePayment[] = ["Credit", "ATM", "WebATM", "TWQR", "WeiXin"];
/** Documented ChoosePayment values the emulator does not implement (the product never sends them). */
const DOCUMENTED_NOT_EMULATED = ["ALL", "CVS", "BARCODE", "ApplePay", "BNPL", "DigitalPayment", "GooglePay"];

/** Public stage MerchantIDs (§5): ECPay answers 10200094 when they are used against production. */
export const STAGE_MERCHANT_IDS = new Set(["3002607", "2000132", "2000214", "3002599"]);

const INSTALLMENT_RE = /^(3|6|12|18|24|30N)(,(3|6|12|18|24|30N)){0,5}$/;

/** Bank codes for ChooseSubPayment (§2.1) with their 3-digit bank numbers and names. */
export const ATM_BANKS: Record<string, { code: string; name: string }> = {
  TAISHIN: { code: "812", name: "台新銀行" },
  ESUN: { code: "808", name: "玉山銀行" },
  BOT: { code: "004", name: "臺灣銀行" },
  FUBON: { code: "012", name: "台北富邦" },
  CHINATRUST: { code: "822", name: "中國信託" },
  FIRST: { code: "007", name: "第一銀行" },
  CATHAY: { code: "013", name: "國泰世華" },
  MEGA: { code: "017", name: "兆豐銀行" },
  LAND: { code: "005", name: "土地銀行" },
  TACHONG: { code: "814", name: "大眾銀行" },
  SINOPAC: { code: "807", name: "永豐銀行" },
  PANHSIN: { code: "118", name: "板信銀行" },
};

/** Every AioCheckOut V5 parameter the docs name (§2.1, §2.3). Anything else is refused (see below). */
const KNOWN_PARAMETERS = new Set([
  "MerchantID", "MerchantTradeNo", "StoreID", "MerchantTradeDate", "PaymentType", "TotalAmount",
  "TradeDesc", "ItemName", "ReturnURL", "ChoosePayment", "CheckMacValue", "EncryptType",
  "ClientBackURL", "ItemURL", "Remark", "ChooseSubPayment", "OrderResultURL", "NeedExtraPaidInfo",
  "DeviceSource", "IgnorePayment", "PlatformID", "InvoiceMark", "CustomField1", "CustomField2",
  "CustomField3", "CustomField4", "Language", "BindingCard", "MerchantMemberID", "Redeem", "UnionPay",
  "CreditInstallment", "PeriodAmount", "PeriodType", "Frequency", "ExecTimes", "PeriodReturnURL",
  "ExpireDate", "PaymentInfoURL", "ClientRedirectURL", "StoreExpireDate", "Desc_1", "Desc_2",
  "Desc_3", "Desc_4",
]);

const REQUIRED = [
  "MerchantTradeNo", "MerchantTradeDate", "PaymentType", "TotalAmount", "TradeDesc", "ItemName",
  "ReturnURL", "ChoosePayment", "EncryptType",
] as const;

const URL_PARAMETERS = ["ReturnURL", "OrderResultURL", "ClientBackURL", "ItemURL", "PaymentInfoURL", "ClientRedirectURL"] as const;

/** Max lengths (String(n)) from §2.1/§2.3. */
const MAX_LENGTH: Record<string, number> = {
  // MerchantTradeNo: its ≤20 rule is part of the format check below.
  MerchantID: 10, StoreID: 20, MerchantTradeDate: 20, PaymentType: 20,
  TradeDesc: 200, ItemName: 400, ReturnURL: 200, ChoosePayment: 20, ClientBackURL: 200, ItemURL: 200,
  Remark: 100, ChooseSubPayment: 20, OrderResultURL: 200, NeedExtraPaidInfo: 1, DeviceSource: 10,
  IgnorePayment: 100, PlatformID: 10, InvoiceMark: 1, CustomField1: 50, CustomField2: 50,
  CustomField3: 50, CustomField4: 50, Language: 3, MerchantMemberID: 30, Redeem: 1, CreditInstallment: 20,
  PaymentInfoURL: 200, ClientRedirectURL: 200,
};

/** "傳送參數值的內容不允許使用 html tag" (§1.5, PDF §4 note 6). */
const HTML_TAG_RE = /<\/?[A-Za-z!][^>]*>/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;
/** CustomField1–4 allow only these symbols besides letters, digits and spaces (§2.1). */
const CUSTOM_FIELD_RE = /^[\p{L}\p{N} ,.#()$[\];%{}:/?&@<>!]*$/u;
/** TradeDesc: "請勿帶入特殊字元"; we refuse the characters that break HTML forms or look like markup. */
const TRADE_DESC_FORBIDDEN_RE = /[<>"'&\\`]/;

export interface ValidCheckout {
  merchant: EcpayMerchant;
  fields: Record<string, string>;
  choosePayment: ChoosePayment;
  totalAmount: number;
  /** Periods offered (CreditInstallment), empty for one-time. */
  installmentsOffered: string[];
  redeem: boolean;
  /** UnionPay=1: the page takes UnionPay only (§2.3). */
  unionPayOnly: boolean;
  /**
   * UnionPay=0 or absent (ECPay's default): the buyer may choose UnionPay instead of a card, except
   * on stage (which has no UnionPay) and where UnionPay cannot serve (installments, redemption,
   * card binding). UnionPay=2 hides it.
   */
  unionPayChoice: boolean;
  /** ATM ExpireDate in days (default 3, §2.3). */
  atmExpireDays: number;
  /** ChooseSubPayment bank for ATM/WebATM (default TAISHIN). */
  bank: string;
  needExtraPaidInfo: boolean;
}

export interface CheckoutContext {
  environment: EcpayEnvironment;
  findMerchant(merchantId: string): EcpayMerchant | undefined;
  isDuplicate(merchantId: string, merchantTradeNo: string): boolean;
}

type Outcome = { ok: true; value: ValidCheckout } | { ok: false; error: CheckoutError };

const fail = (code: string, message: string): Outcome => ({ ok: false, error: { code, message } });
const paramError = (name: string, detail: string): Outcome =>
  fail(EMULATOR_PARAMETER_ERROR, `${name} Error. ${detail}`);

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

export function validateCheckout(fields: Record<string, string>, ctx: CheckoutContext): Outcome {
  const get = (name: string): string => fields[name] ?? "";

  const merchantId = get("MerchantID");
  if (merchantId === "") return paramError("MerchantID", "MerchantID is required.");
  const merchant = ctx.findMerchant(merchantId);
  if (!merchant) {
    if (ctx.environment === "production" && STAGE_MERCHANT_IDS.has(merchantId)) {
      return fail(ECPAY_CODES.stageMerchantInProduction, "請檢查是否於正式環境誤用測試環境之MerchantID (stage MerchantID used in production).");
    }
    return fail(EMULATOR_MERCHANT_ERROR, "MerchantID Error.");
  }

  // Sending the keys themselves is a documented cause of CheckMacValue Error (§1.1 step 1, §6).
  if ("HashKey" in fields || "HashIV" in fields) {
    return fail(ECPAY_CODES.checkMacValueError, "CheckMacValue Error.");
  }
  if (get("EncryptType") !== "1") {
    // "請固定填入 1，使用 SHA256 加密" (§1.2): the legacy MD5 (0) is not accepted.
    return paramError("EncryptType", "EncryptType must be 1 (SHA256).");
  }
  if (get("CheckMacValue") === "" || !verifyCheckMacValue(fields, merchant, "sha256")) {
    return fail(ECPAY_CODES.checkMacValueError, "CheckMacValue Error.");
  }

  // Strict on names: a misspelt parameter (e.g. OrderResultUrl) would be silently ignored by ECPay
  // and the product would lose a feature without noticing. We refuse it loudly instead.
  for (const name of Object.keys(fields)) {
    if (!KNOWN_PARAMETERS.has(name)) return paramError(name, `${name} is not an AioCheckOut V5 parameter.`);
  }
  for (const name of REQUIRED) {
    if (get(name) === "") return paramError(name, `${name} is required.`);
  }
  for (const [name, value] of Object.entries(fields)) {
    const max = MAX_LENGTH[name];
    if (max !== undefined && [...value].length > max) {
      // ECPay truncates an over-long ItemName (§2.1); a truncated value no longer matches what the
      // merchant stored (and may break the CheckMacValue), so the emulator refuses it outright.
      return paramError(name, `${name} is longer than ${max} characters.`);
    }
    if (value.includes("\uFFFD")) return paramError(name, `${name} is not valid UTF-8 (僅支援UTF-8編碼).`);
    if (CONTROL_RE.test(value)) return paramError(name, `${name} contains control characters.`);
    if (HTML_TAG_RE.test(value)) return paramError(name, `${name} must not contain HTML tags.`);
  }

  const merchantTradeNo = get("MerchantTradeNo");
  if (!/^[A-Za-z0-9]{1,20}$/.test(merchantTradeNo)) {
    return fail(EMULATOR_PARAMETER_ERROR, "MerchantTradeNo Error. (≤20 英數字 letters and digits)");
  }
  if (get("StoreID") !== "" && !/^[A-Za-z0-9]+$/.test(get("StoreID"))) return paramError("StoreID", "StoreID must be alphanumeric.");
  if (!isEcpayDateTime(get("MerchantTradeDate"))) {
    return paramError("MerchantTradeDate", "MerchantTradeDate must be yyyy/MM/dd HH:mm:ss.");
  }
  if (get("PaymentType") !== "aio") return paramError("PaymentType", "PaymentType must be aio.");

  const amountText = get("TotalAmount");
  const totalAmount = Number(amountText);
  if (!/^[1-9][0-9]*$/.test(amountText) || !Number.isSafeInteger(totalAmount)) {
    return paramError("TotalAmount", "TotalAmount must be a positive whole number of TWD (請帶整數，不可有小數點).");
  }
  if (TRADE_DESC_FORBIDDEN_RE.test(get("TradeDesc"))) {
    return paramError("TradeDesc", "TradeDesc must not contain special characters (請勿帶入特殊字元).");
  }

  for (const name of URL_PARAMETERS) {
    const value = get(name);
    if (value !== "" && !isHttpUrl(value)) return paramError(name, `${name} must be an absolute http(s) URL.`);
  }
  if (get("OrderResultURL") !== "" && get("OrderResultURL") === get("ReturnURL")) {
    return paramError("OrderResultURL", "ReturnURL must not equal OrderResultURL.");
  }

  for (const name of ["CustomField1", "CustomField2", "CustomField3", "CustomField4"]) {
    if (!CUSTOM_FIELD_RE.test(get(name))) {
      return paramError(name, `${name} may only contain letters, digits and ,.#()$[];%{}:/?&@<>!`);
    }
  }
  if (!["", "Y", "N"].includes(get("NeedExtraPaidInfo"))) return paramError("NeedExtraPaidInfo", "NeedExtraPaidInfo must be Y or N.");
  if (!["", "ENG", "KOR", "JPN", "CHI"].includes(get("Language"))) return paramError("Language", "Language must be ENG, KOR, JPN or CHI.");
  if (get("PlatformID") !== "") return paramError("PlatformID", "PlatformID is for platform partners only.");
  if (get("InvoiceMark") === "Y") return paramError("InvoiceMark", "InvoiceMark=Y needs the e-invoice parameters (not emulated).");
  if (!["", "N"].includes(get("InvoiceMark"))) return paramError("InvoiceMark", "InvoiceMark must be Y or N.");
  if (get("DeviceSource") !== "") return paramError("DeviceSource", "DeviceSource must be empty.");
  for (const name of ["PeriodAmount", "PeriodType", "Frequency", "ExecTimes", "PeriodReturnURL", "StoreExpireDate", "Desc_1", "Desc_2", "Desc_3", "Desc_4"]) {
    if (get(name) !== "") return paramError(name, `${name} (periodic / CVS / BARCODE) is not emulated.`);
  }

  const choose = get("ChoosePayment");
  if (DOCUMENTED_NOT_EMULATED.includes(choose)) {
    return paramError("ChoosePayment", `ChoosePayment=${choose} is valid at ECPay but not emulated.`);
  }
  if (!(ALL_CHOOSE_PAYMENTS as readonly string[]).includes(choose)) {
    return paramError("ChoosePayment", `ChoosePayment must be one of ${ALL_CHOOSE_PAYMENTS.join(", ")}.`);
  }
  const choosePayment = choose as ChoosePayment;
  if (get("IgnorePayment") !== "") return paramError("IgnorePayment", "IgnorePayment is only allowed with ChoosePayment=ALL.");
  const enabled = merchant.enabled ?? ALL_CHOOSE_PAYMENTS;
  if (!enabled.includes(choosePayment)) {
    return fail(ECPAY_CODES.serviceNotEnabled, `${choosePayment} 服務未啟用 (the service is not enabled for this merchant).`);
  }

  const isCredit = choosePayment === "Credit";
  const installmentText = get("CreditInstallment");
  const redeemText = get("Redeem");
  const unionPayText = get("UnionPay");
  if (!["", "Y", "N"].includes(redeemText)) return paramError("Redeem", "Redeem must be Y or N.");
  if (!["", "0", "1", "2"].includes(unionPayText)) return paramError("UnionPay", "UnionPay must be 0, 1 or 2.");
  if (!["", "0", "1"].includes(get("BindingCard"))) return paramError("BindingCard", "BindingCard must be 0 or 1.");
  if (get("BindingCard") === "1" && get("MerchantMemberID") === "") return paramError("MerchantMemberID", "MerchantMemberID is required with BindingCard=1.");
  const redeem = redeemText === "Y";
  const unionPayOnly = unionPayText === "1";
  if (!isCredit && (installmentText !== "" || redeem || unionPayOnly || get("BindingCard") === "1")) {
    return paramError("ChoosePayment", "CreditInstallment, Redeem, UnionPay and BindingCard need ChoosePayment=Credit.");
  }
  let installmentsOffered: string[] = [];
  if (installmentText !== "") {
    if (!INSTALLMENT_RE.test(installmentText)) return paramError("CreditInstallment", "CreditInstallment must be a list of 3,6,12,18,24,30N.");
    installmentsOffered = installmentText.split(",");
    if (new Set(installmentsOffered).size !== installmentsOffered.length) return paramError("CreditInstallment", "CreditInstallment lists a period twice.");
    if (redeem) return paramError("CreditInstallment", "CreditInstallment cannot be combined with Redeem.");
  }
  if (unionPayOnly) {
    if (ctx.environment === "stage") return fail(ECPAY_CODES.serviceNotEnabled, "測試環境不提供銀聯卡 (UnionPay is not available on stage).");
    if (installmentText !== "" || redeem || get("BindingCard") === "1") {
      return paramError("UnionPay", "UnionPay does not support installments, redemption or card binding.");
    }
  }

  const unionPayChoice =
    isCredit && (unionPayText === "" || unionPayText === "0") && ctx.environment === "production" &&
    installmentText === "" && !redeem && get("BindingCard") !== "1";

  let atmExpireDays = 3;
  if (get("ExpireDate") !== "") {
    const text = get("ExpireDate");
    atmExpireDays = Number(text);
    if (!/^[0-9]+$/.test(text) || atmExpireDays < 1 || atmExpireDays > 60) {
      return paramError("ExpireDate", "ExpireDate must be 1–60 days (最長 60 天，最短 1 天).");
    }
  }

  let bank = "TAISHIN";
  const sub = get("ChooseSubPayment");
  if (sub !== "") {
    if ((choosePayment !== "ATM" && choosePayment !== "WebATM") || !(sub in ATM_BANKS)) {
      return paramError("ChooseSubPayment", `ChooseSubPayment=${sub} does not apply to ${choosePayment}.`);
    }
    bank = sub;
  }

  if (ctx.isDuplicate(merchantId, merchantTradeNo)) {
    return fail(ECPAY_CODES.duplicateMerchantTradeNo, "訂單編號重覆 (MerchantTradeNo is duplicated).");
  }

  return {
    ok: true,
    value: {
      merchant,
      fields,
      choosePayment,
      totalAmount,
      installmentsOffered,
      redeem,
      unionPayOnly,
      unionPayChoice,
      atmExpireDays,
      bank,
      needExtraPaidInfo: get("NeedExtraPaidInfo") === "Y",
    },
  };
}
