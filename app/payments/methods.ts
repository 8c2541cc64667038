// The eight ECPay payment methods: the single source of truth (DESIGN §2).
// App configs, extension TOMLs, ECPay parameters, admin copy and refund rules derive from this.
import { z } from "zod";
import { ATM_MAX_EXPIRE_DAYS, ATM_MIN_EXPIRE_DAYS } from "./time-limits";

export const METHOD_HANDLES = [
  "credit",
  "installments",
  "redeem",
  "unionpay",
  "atm",
  "webatm",
  "twqr",
  "wechatpay",
] as const;

export type MethodHandle = (typeof METHOD_HANDLES)[number];

export function isMethodHandle(value: unknown): value is MethodHandle {
  return typeof value === "string" && (METHOD_HANDLES as readonly string[]).includes(value);
}

export type ShopifyPaymentKind = "sale" | "authorization";

/**
 * How a refund can be done for a method (manual §6-2 (5), §6-3):
 * - partial: any amount up to what was captured, online through DoAction
 * - full-only: only the whole captured amount, online through DoAction
 * - contact-buyer: ECPay has no online refund; the merchant arranges it with the buyer
 * - opay-back-office: refunds and cancels only in the OPay merchant back office
 */
export type RefundRule = "partial" | "full-only" | "contact-buyer" | "opay-back-office";

/**
 * How a test-mode payment gets paid on ECPay's stage (ecpay-aio §5, stage limitations; manual §3-3):
 * - test-card: on ECPay's card page with the stage test card (the only card stage approves)
 * - simulated-payment: stage moves no money for this method: the stage back office's 模擬付款
 *   (一般訂單查詢 > 全方位金流訂單) marks the order paid and notifies with SimulatePaid=1
 * - unavailable: stage does not offer the method at all (UnionPay: 10200141, service not enabled)
 */
export type StageTest = "test-card" | "simulated-payment" | "unavailable";

/** What ECPay's payment page shows as the item name when ItemName is left to us: the merchant set none. */
export const DEFAULT_ITEM_NAME = "網路商品一批";

/**
 * AioCheckOut's UnionPay parameter (ecpay-aio §2.3): "0" lets the buyer choose UnionPay (ECPay's
 * default when it is not sent), "1" is UnionPay only, "2" hides it. UnionPay closes at
 * authorization and has no installments or redemption, so every card app but the UnionPay one
 * hides it: a trade's UnionPay-ness then follows from the parameter it was created with.
 */
export const UNIONPAY_PARAM = { buyerMayChoose: "0", only: "1", hidden: "2" } as const;

/** Whether a trade created with this method's parameters is a UnionPay trade (closed at authorization). */
export function paysByUnionPay(def: PaymentMethodDefinition): boolean {
  return def.ecpay.extra.UnionPay === UNIONPAY_PARAM.only;
}

export const INSTALLMENT_PERIODS = ["3", "6", "12", "18", "24", "30N"] as const;
export type InstallmentPeriod = (typeof INSTALLMENT_PERIODS)[number];

/** Item name shown on ECPay's payment page; ECPay allows 400 chars, `#` separates lines. */
const itemNameSetting = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^#<>"'&\\]*$/, "itemName.invalidCharacters");

const baseSettings = z.object({ itemName: itemNameSetting.optional() });

// The ATM deadline's limits are time limits (time-limits.ts); the settings below are bounded by them.
export { ATM_MAX_EXPIRE_DAYS, SHOPIFY_PENDING_LIMIT_MS } from "./time-limits";
/** The ExpireDate choices offered to the merchant. */
export const ATM_EXPIRE_DAY_CHOICES = Array.from({ length: ATM_MAX_EXPIRE_DAYS - ATM_MIN_EXPIRE_DAYS + 1 }, (_, i) => i + ATM_MIN_EXPIRE_DAYS);

export const METHOD_SETTINGS_SCHEMAS = {
  credit: baseSettings,
  installments: baseSettings.extend({
    periods: z
      .array(z.enum(INSTALLMENT_PERIODS))
      .min(1, "periods.atLeastOne")
      .refine((list) => new Set(list).size === list.length, "periods.duplicate")
      .default(["3", "6", "12"]),
  }),
  redeem: baseSettings,
  unionpay: baseSettings,
  // The manual fixes ATM deadlines at 2 days. We allow 1–2 so the deadline always falls inside
  // Shopify's pending window (see ATM_MAX_EXPIRE_DAYS).
  atm: baseSettings.extend({ expireDays: z.number().int().min(ATM_MIN_EXPIRE_DAYS).max(ATM_MAX_EXPIRE_DAYS).default(2) }),
  webatm: baseSettings,
  twqr: baseSettings,
  wechatpay: baseSettings,
} satisfies Record<MethodHandle, z.ZodType>;

export type MethodSettings<M extends MethodHandle = MethodHandle> = z.output<
  (typeof METHOD_SETTINGS_SCHEMAS)[M]
>;

export interface PaymentMethodDefinition {
  handle: MethodHandle;
  /** ECPay's app name, as in the manual (安裝服務 App). */
  serviceName: { "zh-TW": string; en: string };
  /** Label shown to the merchant in Shopify's payments settings (≤50 chars). */
  merchantLabel: string;
  /** Label shown to buyers at checkout (≤50 chars). */
  buyerLabel: { "zh-TW": string; en: string };
  /** ECPay ChoosePayment and the fixed extra parameters for AioCheckOut. */
  ecpay: { choosePayment: "Credit" | "ATM" | "WebATM" | "TWQR" | "WeiXin"; extra: Record<string, string> };
  /**
   * A credit-card trade at ECPay (ChoosePayment=Credit): it has a card state (authorized, closed),
   * DoAction and QueryTrade/V2 apply to it, and ECPay's page has an English version.
   */
  cardTrade: boolean;
  kinds: readonly ShopifyPaymentKind[];
  /**
   * Pays into an account issued first (ATM virtual account): goes through paymentSessionPending
   * before it is paid, and stays payable until the account's deadline (time-limits.ts).
   */
  pending: boolean;
  refund: RefundRule;
  /** How a test-mode payment of this method is paid on ECPay's stage. */
  stageTest: StageTest;
  /** Capture (DoAction C) and void (DoAction N) exist only where authorization does. */
  supportsAuthorization: boolean;
  /** ECPay does not POST OrderResultURL for these (ecpay-aio §2.1): ClientBackURL brings the buyer back. */
  orderResultUrlSupported: boolean;
  /** WebATM needs a desktop with a chip card reader. */
  desktopOnly: boolean;
  /** Icon names from activemerchant/payment_icons (shared/data/payment-icon-names.txt). */
  icons: readonly string[];
  /** ECPay merchant restriction from the manual §2 table. */
  restriction: { "zh-TW": string; en: string } | null;
  /** Installation link of ECPay's own app, from the manual §2. */
  manualInstallLink: string;
}

export const PAYMENT_METHODS: Record<MethodHandle, PaymentMethodDefinition> = {
  credit: {
    handle: "credit",
    serviceName: { "zh-TW": "綠界科技 - 信用卡一次付清", en: "ECPay - Credit card (one-time)" },
    merchantLabel: "ECPay 綠界 信用卡一次付清",
    buyerLabel: { "zh-TW": "信用卡一次付清（綠界科技）", en: "Credit card (ECPay)" },
    ecpay: { choosePayment: "Credit", extra: { UnionPay: UNIONPAY_PARAM.hidden } },
    cardTrade: true,
    kinds: ["sale", "authorization"],
    pending: false,
    refund: "partial",
    stageTest: "test-card",
    supportsAuthorization: true,
    orderResultUrlSupported: true,
    desktopOnly: false,
    icons: ["visa", "master", "jcb", "apple_pay"],
    restriction: null,
    manualInstallLink: "https://p.ecpay.com.tw/1D743DC",
  },
  installments: {
    handle: "installments",
    serviceName: { "zh-TW": "綠界科技 - 信用卡分期", en: "ECPay - Credit card installments" },
    merchantLabel: "ECPay 綠界 信用卡分期付款",
    buyerLabel: { "zh-TW": "信用卡分期付款（綠界科技）", en: "Card installments (ECPay)" },
    ecpay: { choosePayment: "Credit", extra: { UnionPay: UNIONPAY_PARAM.hidden } },
    cardTrade: true,
    kinds: ["sale", "authorization"],
    pending: false,
    refund: "full-only",
    stageTest: "test-card",
    supportsAuthorization: true,
    orderResultUrlSupported: true,
    desktopOnly: false,
    icons: ["visa", "master", "jcb"],
    restriction: { "zh-TW": "限特約賣家使用", en: "Contracted (特約) ECPay merchants only" },
    manualInstallLink: "https://p.ecpay.com.tw/11E27F5",
  },
  redeem: {
    handle: "redeem",
    serviceName: { "zh-TW": "綠界科技 - 紅利折抵", en: "ECPay - Card bonus-point redemption" },
    merchantLabel: "ECPay 綠界 信用卡紅利折抵",
    buyerLabel: { "zh-TW": "信用卡紅利折抵（綠界科技）", en: "Card bonus points (ECPay)" },
    ecpay: { choosePayment: "Credit", extra: { Redeem: "Y", UnionPay: UNIONPAY_PARAM.hidden } },
    cardTrade: true,
    kinds: ["sale", "authorization"],
    pending: false,
    refund: "full-only",
    stageTest: "test-card",
    supportsAuthorization: true,
    orderResultUrlSupported: true,
    desktopOnly: false,
    icons: ["visa", "master", "jcb"],
    restriction: null,
    manualInstallLink: "https://p.ecpay.com.tw/2C5D756",
  },
  unionpay: {
    handle: "unionpay",
    serviceName: { "zh-TW": "綠界科技 - 銀聯卡", en: "ECPay - UnionPay card" },
    merchantLabel: "ECPay 綠界 銀聯卡",
    buyerLabel: { "zh-TW": "銀聯卡（綠界科技）", en: "UnionPay (ECPay)" },
    ecpay: { choosePayment: "Credit", extra: { UnionPay: UNIONPAY_PARAM.only } },
    cardTrade: true,
    // UnionPay closes at authorization: there is nothing left to capture later.
    kinds: ["sale"],
    pending: false,
    refund: "partial",
    stageTest: "unavailable",
    supportsAuthorization: false,
    orderResultUrlSupported: false,
    desktopOnly: false,
    icons: ["unionpay"],
    restriction: { "zh-TW": "限特約賣家使用", en: "Contracted (特約) ECPay merchants only" },
    manualInstallLink: "https://p.ecpay.com.tw/0C92242",
  },
  atm: {
    handle: "atm",
    serviceName: { "zh-TW": "綠界科技 - ATM虛擬帳號", en: "ECPay - ATM virtual account" },
    merchantLabel: "ECPay 綠界 ATM虛擬帳號",
    buyerLabel: { "zh-TW": "ATM 轉帳（虛擬帳號，綠界科技）", en: "ATM bank transfer (ECPay)" },
    ecpay: { choosePayment: "ATM", extra: {} },
    cardTrade: false,
    kinds: ["sale"],
    pending: true,
    refund: "contact-buyer",
    stageTest: "simulated-payment",
    supportsAuthorization: false,
    orderResultUrlSupported: false,
    desktopOnly: false,
    icons: ["ecpay"],
    restriction: null,
    manualInstallLink: "https://p.ecpay.com.tw/FBE6B71",
  },
  webatm: {
    handle: "webatm",
    serviceName: { "zh-TW": "綠界科技 - 網路ATM", en: "ECPay - WebATM" },
    merchantLabel: "ECPay 綠界 網路ATM",
    buyerLabel: { "zh-TW": "網路 ATM（需讀卡機，綠界科技）", en: "WebATM (card reader, ECPay)" },
    ecpay: { choosePayment: "WebATM", extra: {} },
    cardTrade: false,
    kinds: ["sale"],
    pending: false,
    refund: "contact-buyer",
    stageTest: "simulated-payment",
    supportsAuthorization: false,
    orderResultUrlSupported: true,
    desktopOnly: true,
    icons: ["ecpay"],
    restriction: null,
    manualInstallLink: "https://p.ecpay.com.tw/4E77532",
  },
  twqr: {
    handle: "twqr",
    serviceName: { "zh-TW": "綠界科技 - 歐付寶TWQR", en: "ECPay - OPay TWQR" },
    merchantLabel: "ECPay 綠界 歐付寶TWQR行動支付",
    buyerLabel: { "zh-TW": "TWQR 行動支付（街口、全支付、歐付寶）", en: "TWQR mobile payment (ECPay)" },
    ecpay: { choosePayment: "TWQR", extra: {} },
    cardTrade: false,
    kinds: ["sale"],
    pending: false,
    refund: "opay-back-office",
    stageTest: "simulated-payment",
    supportsAuthorization: false,
    orderResultUrlSupported: true,
    desktopOnly: false,
    icons: ["opay", "jko"],
    restriction: {
      "zh-TW": "限特約賣家使用，須通過 TWQR 服務申請",
      en: "Contracted ECPay merchants with an approved TWQR application only",
    },
    manualInstallLink: "https://p.ecpay.com.tw/8A1A2DD",
  },
  wechatpay: {
    handle: "wechatpay",
    serviceName: { "zh-TW": "綠界科技 - 微信支付", en: "ECPay - WeChat Pay" },
    merchantLabel: "ECPay 綠界 微信支付",
    buyerLabel: { "zh-TW": "微信支付（綠界科技）", en: "WeChat Pay (ECPay)" },
    ecpay: { choosePayment: "WeiXin", extra: {} },
    cardTrade: false,
    kinds: ["sale"],
    pending: false,
    refund: "opay-back-office",
    stageTest: "simulated-payment",
    supportsAuthorization: false,
    orderResultUrlSupported: true,
    desktopOnly: false,
    icons: ["wechatpay"],
    restriction: {
      "zh-TW": "限特約賣家使用，須通過微信支付服務申請；僅開放以中國大陸身分證驗證的用戶付款",
      en: "Contracted ECPay merchants with an approved WeChat Pay application; buyers verified with a PRC ID only",
    },
    manualInstallLink: "https://p.ecpay.com.tw/0341A1C",
  },
};

export function getMethod(handle: MethodHandle): PaymentMethodDefinition {
  return PAYMENT_METHODS[handle];
}

/** Parse stored settings JSON for a method; invalid or missing values fall back to defaults. */
export function parseMethodSettings<M extends MethodHandle>(handle: M, json: string | null | undefined): MethodSettings<M> {
  const schema = METHOD_SETTINGS_SCHEMAS[handle];
  let raw: unknown = {};
  try {
    raw = json ? JSON.parse(json) : {};
  } catch {
    raw = {};
  }
  // Settings saved when 3 days were offered are read as the longest deadline allowed now.
  if (handle === "atm" && raw && typeof raw === "object" && typeof (raw as { expireDays?: unknown }).expireDays === "number") {
    const days = (raw as { expireDays: number }).expireDays;
    if (days > ATM_MAX_EXPIRE_DAYS) raw = { ...raw, expireDays: ATM_MAX_EXPIRE_DAYS };
  }
  const parsed = schema.safeParse(raw);
  return (parsed.success ? parsed.data : schema.parse({})) as MethodSettings<M>;
}

/** Environment-variable suffix for a method: `SHOPIFY_<M>_API_KEY`. */
export function methodEnvName(handle: MethodHandle): string {
  return handle.toUpperCase();
}
