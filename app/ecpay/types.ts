// The port through which use cases reach ECPay. Everything ECPay-specific lives in app/ecpay/;
// nothing here imports Prisma or Shopify. Implementations never throw across this boundary:
// they return neverthrow Results whose errors are the closed union EcpayError.
import type { Result } from "neverthrow";

export type EcpayEnvironment = "stage" | "production";

export interface EcpayCredentials {
  merchantId: string;
  hashKey: string;
  hashIv: string;
  environment: EcpayEnvironment;
}

export type ChoosePayment = "Credit" | "ATM" | "WebATM" | "TWQR" | "WeiXin";

/** What a use case knows about one checkout attempt; the client turns it into AioCheckOut V5 fields. */
export interface CheckoutInput {
  merchantTradeNo: string;
  tradeDate: Date;
  totalAmount: number;
  itemName: string;
  tradeDesc: string;
  choosePayment: ChoosePayment;
  /** Method extras: CreditInstallment, Redeem, UnionPay, ExpireDate, ... (strings as posted). */
  extra: Record<string, string>;
  returnUrl: string;
  /** Browser POST back with the result (not for UnionPay/ATM, ECPay does not send it). */
  orderResultUrl?: string;
  /** "Back to shop" link on ECPay's result pages (no result fields). */
  clientBackUrl?: string;
  /** ATM: server POST of the virtual account once issued. */
  paymentInfoUrl?: string;
  /** The Shopify payment session id, echoed in every notification and query (CustomField1). */
  customField1: string;
  language?: "ENG" | "KOR" | "JPN" | "CHI";
}

/** A signed AioCheckOut V5 form: post `fields` to `action` from the buyer's browser. */
export interface CheckoutForm {
  action: string;
  fields: Record<string, string>;
}

/** A verified ECPay server/browser POST (ReturnURL, PaymentInfoURL, OrderResultURL). */
export interface EcpayCallback {
  merchantId: string;
  merchantTradeNo: string;
  rtnCode: string;
  rtnMsg: string;
  tradeNo: string;
  tradeAmt: number;
  paymentType: string;
  paymentDate: string | null;
  tradeDate: string | null;
  simulatePaid: boolean;
  chargeFee: string | null;
  customField1: string;
  /** ATM (PaymentInfoURL RtnCode=2). */
  bankCode: string | null;
  vAccount: string | null;
  expireDate: string | null;
  /** Credit (NeedExtraPaidInfo=Y): authorization serial, used by QueryTrade/V2. */
  gwsr: string | null;
  /** Every field ECPay sent, including unknown ones, exactly as received. */
  fields: Record<string, string>;
}

export interface TradeInfo {
  merchantTradeNo: string;
  tradeNo: string;
  tradeAmt: number;
  /** "0" created unpaid, "1" paid, "10200095" failed/not completed; others kept verbatim. */
  tradeStatus: string;
  paymentType: string;
  paymentDate: string | null;
  chargeFee: string | null;
  customField1: string;
  simulatePaid: boolean;
  gwsr: string | null;
  fields: Record<string, string>;
}

/** QueryPaymentInfo (ecpay-aio §4.4): the ATM account ECPay issued, as PaymentInfoURL reports it. */
export interface PaymentInfo {
  merchantTradeNo: string;
  /** "2" = ATM account issued; anything else (e.g. already paid) kept verbatim. */
  rtnCode: string;
  rtnMsg: string;
  tradeNo: string;
  tradeAmt: number;
  paymentType: string;
  bankCode: string | null;
  vAccount: string | null;
  /** `yyyy/MM/dd` for ATM. */
  expireDate: string | null;
  customField1: string;
  fields: Record<string, string>;
}

/** Card state from CreditDetail/QueryTrade/V2 (ecpay-aio §4.3), e.g. 已授權, 要關帳, 已關帳. */
export interface CreditDetail {
  status: string;
  amount: number;
  closedAmount: number;
  fields: Record<string, unknown>;
}

export type DoActionKind = "C" | "R" | "E" | "N";

export interface DoActionInput {
  merchantTradeNo: string;
  tradeNo: string;
  action: DoActionKind;
  totalAmount: number;
}

export interface DoActionResult {
  rtnCode: string;
  rtnMsg: string;
  fields: Record<string, string>;
}

/**
 * The closed set of things that go wrong talking to ECPay.
 * - invalid-input: we refused to build/sign a request (never sent)
 * - bad-signature: a callback or response failed CheckMacValue verification
 * - declined: ECPay processed the request and said no (RtnCode ≠ 1) for a business reason
 * - not-allowed: ECPay's rules forbid the operation in this state (e.g. partial refund of installments)
 * - wrong-credentials: CheckMacValue Error (10200073) or unknown merchant: fix the keys
 * - rate-limited: HTTP 403 throttle; retry much later
 * - indeterminate: network error, timeout or 5xx: the outcome is unknown, query before retrying
 */
export type EcpayErrorKind =
  | "invalid-input"
  | "bad-signature"
  | "declined"
  | "not-allowed"
  | "wrong-credentials"
  | "rate-limited"
  | "indeterminate";

/** For wrong-credentials: what ECPay refused (a stage MerchantID in production, an unknown MerchantID, or the keys). */
export type CredentialProblem = "stage-merchant-in-production" | "unknown-merchant" | "keys";

export interface EcpayError {
  kind: EcpayErrorKind;
  message: string;
  credentials?: CredentialProblem;
  /** ECPay's RtnCode or error code when it gave one. */
  code?: string;
  /** For invalid-input: which field. */
  field?: string;
}

export interface IEcpayGateway {
  /** Validate and sign an AioCheckOut V5 request. Pure. */
  createCheckout(credentials: EcpayCredentials, input: CheckoutInput): Result<CheckoutForm, EcpayError>;
  /** Parse an x-www-form-urlencoded ECPay POST body and verify its CheckMacValue. Pure. */
  verifyCallback(rawBody: string, credentials: Pick<EcpayCredentials, "hashKey" | "hashIv">): Result<EcpayCallback, EcpayError>;
  queryTradeInfo(credentials: EcpayCredentials, merchantTradeNo: string): Promise<Result<TradeInfo, EcpayError>>;
  /** The ATM account details again (the PaymentInfoURL message may have been lost). */
  queryPaymentInfo(credentials: EcpayCredentials, merchantTradeNo: string): Promise<Result<PaymentInfo, EcpayError>>;
  queryCreditDetail(
    credentials: EcpayCredentials,
    input: { creditRefundId: string; creditAmount: number; creditCheckCode: string },
  ): Promise<Result<CreditDetail, EcpayError>>;
  doAction(credentials: EcpayCredentials, input: DoActionInput): Promise<Result<DoActionResult, EcpayError>>;
}
