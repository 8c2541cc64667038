// Public shapes of the ECPay emulator (tests/emulators/ecpay). The emulator is a test double of
// ECPay's AIO gateway: every rule here comes from /work/shared/docs/ecpay-aio.md (cited as §n).
import type { ChoosePayment } from "../../../app/ecpay/types";
import type { ApiHangRule } from "./api-faults";
import type { ValidCheckout } from "./checkout-validation";

export type { ApiHangRule, ChoosePayment };

export type EcpayEnvironment = "stage" | "production";

export interface EcpayMerchant {
  merchantId: string;
  hashKey: string;
  hashIv: string;
  /** 商家檢查碼 for CreditDetail/QueryTrade/V2 (§4.3). Without it QueryTrade/V2 always fails. */
  creditCheckCode?: string;
  /** ChoosePayment values the merchant's contract enables; default all five. */
  enabled?: ChoosePayment[];
  /**
   * 每日自動關帳 (§4.1): when on, runDailyClose() also closes 已授權 trades and DoAction is refused
   * between 20:15 and 20:30 Taiwan time. Default off (what the product recommends, DESIGN §3).
   */
  dailyAutoClose?: boolean;
  /**
   * 自費分期 (consumer-paid installments): on a one-time card order from 1,000 TWD the buyer may
   * pay in 3, 6 or 12 installments although the merchant sent no CreditInstallment. Default off.
   */
  consumerInstallments?: boolean;
}

export interface RateLimitRule {
  /** Calls allowed per window on the server-to-server APIs; the next one answers HTTP 403. */
  maxRequests: number;
  windowMs: number;
}

export interface EcpayEmulatorOptions {
  /** stage: no DoAction / QueryTrade V2 and no UnionPay (§4.1, §5). */
  environment: EcpayEnvironment;
  /** Stage always includes ECPay's public merchant 3002607 (§5) unless it is given explicitly. */
  merchants?: EcpayMerchant[];
  port?: number;
  host?: string;
  /** ECPay resends every 5–15 min (§3.1); tests use ~50 ms. Default 5 minutes. */
  notifyRetryIntervalMs?: number;
  /** First POST plus resends; ECPay resends 4 times that day (§3.1). Default 5. */
  notifyMaxAttempts?: number;
  /** Per-attempt timeout of a server POST (10 s is UNCONFIRMED, §3.1). Default 10 000 ms. */
  notifyTimeoutMs?: number;
  rateLimit?: RateLimitRule;
  now?: () => Date;
}

/** Card trade state names exactly as CreditDetail/QueryTrade/V2 reports them (§4.3). */
export type CardStatus = "已授權" | "要關帳" | "已關帳" | "已取消";

export interface CloseRecord {
  status: string;
  sno: string;
  amount: number;
  datetime: string;
}

export interface CardTrade {
  gwsr: string;
  authCode: string;
  status: CardStatus;
  /** Authorized amount. */
  amount: number;
  /** Amount that is (or will be) requested from the bank: set by C, lowered by R before settlement. */
  closedAmount: number;
  /** Sum of refunds (R) made after the trade was settled (已關帳). */
  refundedAmount: number;
  authTime: string;
  authorizedAt: Date;
  /** Installment periods the buyer chose (0 = one-time). */
  installments: number;
  /** Bonus points were redeemed: refunds must be full (§4.1). */
  redeemed: boolean;
  unionPay: boolean;
  closeData: CloseRecord[];
}

/**
 * created: unpaid (TradeStatus 0) · paid (1) · failed: the buyer cancelled, or an ATM account
 * expired unpaid (10200095, "消費者未完成付款作業").
 */
export type OrderStatus = "created" | "paid" | "failed";

export interface AtmAccount {
  bankCode: string;
  vAccount: string;
  /** yyyy/MM/dd in Taiwan time (§3.3). */
  expireDate: string;
  expired: boolean;
}

export interface EmulatorOrder {
  merchantId: string;
  merchantTradeNo: string;
  tradeNo: string;
  /** The AioCheckOut fields exactly as posted, CheckMacValue included. */
  request: Record<string, string>;
  choosePayment: ChoosePayment;
  totalAmount: number;
  tradeDate: string;
  status: OrderStatus;
  failureReason: string | null;
  paymentType: string;
  paymentDate: string | null;
  simulatePaid: boolean;
  chargeFee: number;
  /** NeedExtraPaidInfo fields for the method, set when paid (§3.2). */
  extraPaidInfo: Record<string, string>;
  atm: AtmAccount | null;
  card: CardTrade | null;
  /** Declined card attempts on the payment page. */
  declinedAttempts: number;
}

/** A trade as JSON: its card's authorizedAt as an ISO string, its checkout naming the merchant by id. */
export interface TradeSnapshot extends Omit<EmulatorOrder, "card"> {
  card: (Omit<CardTrade, "authorizedAt"> & { authorizedAt: string }) | null;
  /** The validated AioCheckOut (offered installments, redemption, UnionPay, bank) the pages and payment use. */
  checkout: Omit<ValidCheckout, "merchant">;
}

/**
 * What a restart keeps (EcpayEmulator.snapshot()), JSON-safe: the merchants and every trade with its
 * card state, refunds and ATM account. Not kept: pending notification deliveries (resends, delays),
 * the notification log, faults, rate limits and merchant balances.
 */
export interface EcpayEmulatorSnapshot {
  version: 1;
  environment: EcpayEnvironment;
  merchants: EcpayMerchant[];
  trades: TradeSnapshot[];
  /** The last gwsr issued: card trades made after a restore continue after it. */
  lastGwsr: number;
}

export type NotificationKind = "return" | "payment-info";

export interface NotificationLogEntry {
  kind: NotificationKind;
  url: string;
  merchantTradeNo: string;
  attempt: number;
  /** The signed form fields as posted. */
  fields: Record<string, string>;
  sentAt: string;
  /** Set when a fault rule dropped this attempt: nothing was sent. */
  dropped: boolean;
  /** An extra copy sent by the `duplicate` fault rule. */
  duplicate: boolean;
  status: number | null;
  body: string | null;
  error: string | null;
  /** The merchant answered exactly `1|OK`. */
  acknowledged: boolean;
}

export interface ApiRequestLogEntry {
  path: string;
  merchantTradeNo: string;
}

export interface NotificationFaultRule {
  /** Drop the next N POST attempts (they count as failed attempts and are retried). */
  drop?: number;
  /** Send every POST twice. */
  duplicate?: boolean;
  /** Wait this long before the first attempt of every notification. */
  delayMs?: number;
}

export interface PayOptions {
  /** Like the back office's 模擬付款 (§5): SimulatePaid=1, no money, no card trade. */
  simulatePaid?: boolean;
  /** Disambiguates a MerchantTradeNo used by several merchants. */
  merchantId?: string;
  /** Credit installments: which of the offered periods the buyer picks (default the first). */
  installmentPeriod?: string;
  /** Redeem=Y orders: whether the buyer uses bonus points (default true). */
  useRedeem?: boolean;
  /** Orders where the page offers UnionPay as a choice (UnionPay=0 in production): pay with it. */
  unionPay?: boolean;
}

export interface EcpayEmulator {
  origin: string;
  environment: EcpayEnvironment;
  close(): Promise<void>;
  /** Pay an order as the buyer would (test card / bank transfer / wallet); resolves once ReturnURL got its first POST. */
  pay(merchantTradeNo: string, opts?: PayOptions): Promise<EmulatorOrder>;
  /** Lets an ATM virtual account lapse unpaid: TradeStatus becomes 10200095, no notification (§3.3). */
  expireAtm(merchantTradeNo: string, opts?: { merchantId?: string }): EmulatorOrder;
  /** The bank settlement run: 要關帳 → 已關帳 (and 已授權 → 已關帳 for merchants with dailyAutoClose). */
  runDailyClose(): EmulatorOrder[];
  /** null clears the rule. */
  setNotificationFault(rule: NotificationFaultRule | null): void;
  setRateLimit(rule: RateLimitRule | null): void;
  orders(): EmulatorOrder[];
  order(merchantTradeNo: string, opts?: { merchantId?: string }): EmulatorOrder | undefined;
  notificationLog(): NotificationLogEntry[];
  /** Every server-to-server API request received (QueryTradeInfo, DoAction, …), oldest first. */
  apiRequests(): ApiRequestLogEntry[];
  addMerchant(merchant: EcpayMerchant): void;
  /** Resolves when no notification delivery (first POST or resend) is pending. */
  whenNotificationsSettled(): Promise<void>;
  /** Server-to-server APIs stop answering (api-faults.ts); null answers again and drops the held requests. */
  setApiHang(rule: ApiHangRule | null): void;
  /** TWD the merchant has for refunds: a larger DoAction R is declined (not a rule refusal); null: enough. */
  setMerchantBalance(merchantId: string, balance: number | null): void;
  /** Merchants and trades as JSON-safe data (the sandbox keeps them across restarts). */
  snapshot(): EcpayEmulatorSnapshot;
  /**
   * Replaces every trade with a snapshot's (of the same environment). A merchant of the snapshot the
   * emulator does not know is added; one it was started with keeps its configuration.
   */
  restore(snapshot: EcpayEmulatorSnapshot): void;
}
