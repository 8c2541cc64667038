// The IEcpayGateway adapter: the pure modules for forms and notifications, plus the three
// server-to-server APIs (ecpay-aio §4). Every call is bounded by a timeout and every failure is
// returned as an EcpayError (mapped in errors.ts); nothing throws across this boundary.
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import { signParams, verifyCheckMacValue, type EcpayKeys } from "./check-mac-value";
import { parseEcpayCallback } from "./callbacks";
import { buildCheckoutForm, checkCredentials, ecpayOrigin, type EcpayOrigins } from "./checkout";
import { badSignature, invalidInput, looksLikeWrongCredentials, mapEcpayFailure } from "./errors";
import { shapes } from "./field-shapes";
import { encodeFormBody, parseFormBody } from "./form-body";
import { isMerchantTradeNo } from "./merchant-trade-no";
import type {
  CheckoutForm,
  CheckoutInput,
  CreditDetail,
  DoActionInput,
  DoActionResult,
  EcpayCallback,
  EcpayCredentials,
  EcpayError,
  IEcpayGateway,
  PaymentInfo,
  TradeInfo,
} from "./types";

export const QUERY_TRADE_INFO_PATH = "/Cashier/QueryTradeInfo/V5";
export const QUERY_PAYMENT_INFO_PATH = "/Cashier/QueryPaymentInfo";
export const DO_ACTION_PATH = "/CreditDetail/DoAction";
export const QUERY_CREDIT_DETAIL_PATH = "/CreditDetail/QueryTrade/V2";

const DEFAULT_TIMEOUT_MS = 10_000;

export interface EcpayGatewayOptions {
  stageOrigin: string;
  productionOrigin: string;
  /** Per request, including reading the body. Default 10 s. */
  timeoutMs?: number;
  /** Defaults to the global fetch, looked up at call time (so tests can stub it). */
  fetch?: typeof fetch;
  now?: () => Date;
}

// Empty when the trade has none yet (unpaid, or an unknown trade's answer).
const tradeAmtOrEmpty = z.union([z.literal(""), shapes.tradeAmt]);
const paymentTypeOrEmpty = z.union([z.literal(""), shapes.paymentType]);

/** QueryTradeInfo (ecpay-aio §4.2): every field we store or show, to its documented shape. */
const tradeInfoSchema = z.object({
  MerchantID: shapes.merchantId,
  MerchantTradeNo: shapes.merchantTradeNo,
  TradeStatus: shapes.tradeStatus,
  TradeNo: shapes.tradeNo.optional().default(""),
  TradeAmt: tradeAmtOrEmpty.optional().default(""),
  PaymentType: paymentTypeOrEmpty.optional().default(""),
  PaymentDate: shapes.dateTime,
  PaymentTypeChargeFee: shapes.chargeFee,
  CustomField1: shapes.customField.optional().default(""),
  SimulatePaid: z.enum(["0", "1", ""]).optional(),
  gwsr: shapes.gwsr,
});

/** QueryPaymentInfo (ecpay-aio §4.4): the PaymentInfoURL fields (§3.3) again, signed, same shapes. */
const paymentInfoSchema = z.object({
  MerchantID: shapes.merchantId,
  MerchantTradeNo: shapes.merchantTradeNo,
  RtnCode: shapes.rtnCode,
  RtnMsg: shapes.rtnMsg.optional().default(""),
  TradeNo: shapes.tradeNo.optional().default(""),
  TradeAmt: tradeAmtOrEmpty.optional().default(""),
  PaymentType: paymentTypeOrEmpty.optional().default(""),
  BankCode: shapes.bankCode,
  vAccount: shapes.vAccount,
  ExpireDate: shapes.atmExpireDate,
  CustomField1: shapes.customField.optional().default(""),
});

const amountSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);

const creditDetailSchema = z.object({
  RtnMsg: z.string().nullish().transform((value) => value ?? ""),
  RtnValue: z
    .looseObject({
      status: z.string(),
      amount: amountSchema,
      clsamt: amountSchema,
    })
    .nullish(),
});

type FetchOutcome = Result<string, EcpayError>;

export class EcpayGateway implements IEcpayGateway {
  private constructor(
    private readonly origins: EcpayOrigins,
    private readonly timeoutMs: number,
    private readonly fetchImpl: typeof fetch,
    private readonly now: () => Date,
  ) {}

  static create(options: EcpayGatewayOptions): EcpayGateway {
    const injected = options.fetch;
    return new EcpayGateway(
      { stageOrigin: options.stageOrigin, productionOrigin: options.productionOrigin },
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      injected ?? ((input, init) => globalThis.fetch(input, init)),
      options.now ?? (() => new Date()),
    );
  }

  createCheckout(credentials: EcpayCredentials, input: CheckoutInput): Result<CheckoutForm, EcpayError> {
    return buildCheckoutForm(credentials, input, this.origins);
  }

  verifyCallback(rawBody: string, credentials: Pick<EcpayCredentials, "hashKey" | "hashIv">): Result<EcpayCallback, EcpayError> {
    return parseEcpayCallback(rawBody, credentials);
  }

  async queryTradeInfo(credentials: EcpayCredentials, merchantTradeNo: string): Promise<Result<TradeInfo, EcpayError>> {
    const operation = "QueryTradeInfo";
    const valid = checkCredentials(credentials).andThen(() =>
      isMerchantTradeNo(merchantTradeNo) ? ok(undefined) : err(invalidInput("MerchantTradeNo", "must be 1-20 letters or digits")),
    );
    if (valid.isErr()) return err(valid.error);
    const fields = {
      MerchantID: credentials.merchantId,
      MerchantTradeNo: merchantTradeNo,
      TimeStamp: String(Math.floor(this.now().getTime() / 1000)),
    };
    const body = await this.post(operation, credentials, QUERY_TRADE_INFO_PATH, signParams(fields, credentials));
    return body.andThen((text) => parseTradeInfo(operation, text, credentials, fields));
  }

  async queryPaymentInfo(credentials: EcpayCredentials, merchantTradeNo: string): Promise<Result<PaymentInfo, EcpayError>> {
    const operation = "QueryPaymentInfo";
    // "Same request shape as QueryTradeInfo" (ecpay-aio §4.4).
    const valid = checkCredentials(credentials).andThen(() =>
      isMerchantTradeNo(merchantTradeNo) ? ok(undefined) : err(invalidInput("MerchantTradeNo", "must be 1-20 letters or digits")),
    );
    if (valid.isErr()) return err(valid.error);
    const fields = {
      MerchantID: credentials.merchantId,
      MerchantTradeNo: merchantTradeNo,
      TimeStamp: String(Math.floor(this.now().getTime() / 1000)),
    };
    const body = await this.post(operation, credentials, QUERY_PAYMENT_INFO_PATH, signParams(fields, credentials));
    return body.andThen((text) => parsePaymentInfo(operation, text, credentials, fields));
  }

  async doAction(credentials: EcpayCredentials, input: DoActionInput): Promise<Result<DoActionResult, EcpayError>> {
    const operation = `DoAction ${input.action}`;
    const valid = checkCredentials(credentials).andThen(() => checkDoActionInput(input));
    if (valid.isErr()) return err(valid.error);
    const fields = {
      MerchantID: credentials.merchantId,
      MerchantTradeNo: input.merchantTradeNo,
      TradeNo: input.tradeNo,
      Action: input.action,
      TotalAmount: String(input.totalAmount),
    };
    const body = await this.post(operation, credentials, DO_ACTION_PATH, signParams(fields, credentials));
    return body.andThen((text) => parseDoAction(operation, text));
  }

  async queryCreditDetail(
    credentials: EcpayCredentials,
    input: { creditRefundId: string; creditAmount: number; creditCheckCode: string },
  ): Promise<Result<CreditDetail, EcpayError>> {
    const operation = "QueryTrade/V2";
    const valid = checkCredentials(credentials).andThen(() => checkCreditDetailInput(input));
    if (valid.isErr()) return err(valid.error);
    const fields = {
      MerchantID: credentials.merchantId,
      CreditRefundId: input.creditRefundId,
      CreditAmount: String(input.creditAmount),
      CreditCheckCode: input.creditCheckCode,
    };
    const body = await this.post(operation, credentials, QUERY_CREDIT_DETAIL_PATH, signParams(fields, credentials));
    return body.andThen((text) => parseCreditDetail(operation, text));
  }

  /** POSTs a form and returns the 2xx body text; network, timeout and status failures become EcpayErrors. */
  private async post(
    operation: string,
    credentials: EcpayCredentials,
    path: string,
    fields: Record<string, string>,
  ): Promise<FetchOutcome> {
    const url = `${ecpayOrigin(credentials.environment, this.origins)}${path}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await this.fetchImpl(url, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "text/html, application/json" },
        body: encodeFormBody(fields),
        signal: controller.signal,
        redirect: "manual",
      });
      const text = await response.text();
      if (response.status < 200 || response.status > 299) {
        return err(mapEcpayFailure(operation, { type: "http", status: response.status, body: text }));
      }
      return ok(text);
    } catch (cause) {
      return err(
        mapEcpayFailure(operation, {
          type: "network",
          timedOut: controller.signal.aborted,
          detail: cause instanceof Error ? cause.message : String(cause),
        }),
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

function checkDoActionInput(input: DoActionInput): Result<void, EcpayError> {
  if (!isMerchantTradeNo(input.merchantTradeNo)) return err(invalidInput("MerchantTradeNo", "must be 1-20 letters or digits"));
  if (!/^[A-Za-z0-9]{1,20}$/.test(input.tradeNo)) return err(invalidInput("TradeNo", "must be ECPay's 1-20 character trade number"));
  if (!["C", "R", "E", "N"].includes(input.action)) return err(invalidInput("Action", "must be C, R, E or N"));
  if (!Number.isSafeInteger(input.totalAmount) || input.totalAmount <= 0) {
    return err(invalidInput("TotalAmount", "must be a positive whole number of TWD"));
  }
  return ok(undefined);
}

function checkCreditDetailInput(input: { creditRefundId: string; creditAmount: number; creditCheckCode: string }): Result<void, EcpayError> {
  if (!/^\d{1,20}$/.test(input.creditRefundId)) return err(invalidInput("CreditRefundId", "must be the gwsr number from the payment notification"));
  if (!Number.isSafeInteger(input.creditAmount) || input.creditAmount <= 0) {
    return err(invalidInput("CreditAmount", "must be a positive whole number of TWD"));
  }
  if (!/^[A-Za-z0-9]{1,20}$/.test(input.creditCheckCode)) {
    return err(invalidInput("CreditCheckCode", "must be the 商家檢查碼 from ECPay's back office"));
  }
  return ok(undefined);
}

/**
 * QueryTradeInfo answers are not strictly form-encoded: a "+" in a value (e.g. ItemName) is
 * literal (ecpay-aio §1.5, SDK_PHP a07e1be). We read it that way first and fall back to standard
 * form decoding; either reading is accepted only if its CheckMacValue verifies, so the fallback
 * cannot let anything unsigned through.
 */
function verifiedAnswer(operation: string, text: string, keys: EcpayKeys): Result<Record<string, string>, EcpayError> {
  const readings = [parseFormBody(text, { plusIsLiteral: true }), parseFormBody(text)];
  const first = readings[0];
  if (first === undefined || first.isErr()) return err(mapEcpayFailure(operation, { type: "unreadable", body: text, reason: "not a form-encoded answer" }));
  const fields = readings.find((r) => r.isOk() && verifyCheckMacValue(r.value, keys))?.unwrapOr(undefined);
  if (fields === undefined) {
    const received = first.value;
    // With wrong keys ECPay's own answer cannot verify under our keys: report the cause, not a forgery.
    const code = received.TradeStatus ?? received.RtnCode;
    const message = received.RtnMsg ?? text;
    if (looksLikeWrongCredentials(code, message)) {
      return err(mapEcpayFailure(operation, { type: "rejected", code: code ?? "10200073", message }));
    }
    if (!received.CheckMacValue) {
      return err(mapEcpayFailure(operation, { type: "unreadable", body: text, reason: "no CheckMacValue" }));
    }
    return err(badSignature(`${operation}: the answer's CheckMacValue does not verify (wrong keys or tampered)`));
  }
  return ok(fields);
}

/** A verified answer read with `schema`, about the trade we asked for. */
function verifiedAnswerAbout<S extends z.ZodType<{ MerchantID: string; MerchantTradeNo: string }>>(
  operation: string,
  text: string,
  keys: EcpayKeys,
  request: { MerchantID: string; MerchantTradeNo: string },
  schema: S,
): Result<{ fields: Record<string, string>; values: z.output<S> }, EcpayError> {
  return verifiedAnswer(operation, text, keys).andThen((fields) => {
    const parsed = schema.safeParse(fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return err(
        mapEcpayFailure(operation, {
          type: "unreadable",
          body: text,
          reason: `${issue?.path.map(String).join(".") || "body"} ${issue?.message ?? "is invalid"}`,
        }),
      );
    }
    const values = parsed.data;
    if (values.MerchantID !== request.MerchantID || values.MerchantTradeNo !== request.MerchantTradeNo) {
      return err(mapEcpayFailure(operation, { type: "unreadable", body: text, reason: "the answer is about a different trade" }));
    }
    return ok({ fields, values });
  });
}

function parseTradeInfo(
  operation: string,
  text: string,
  keys: EcpayKeys,
  request: { MerchantID: string; MerchantTradeNo: string },
): Result<TradeInfo, EcpayError> {
  const answer = verifiedAnswerAbout(operation, text, keys, request, tradeInfoSchema);
  if (answer.isErr()) return err(answer.error);
  const { fields, values: v } = answer.value;
  const tradeAmt = v.TradeAmt === "" ? 0 : Number(v.TradeAmt);
  if (v.TradeStatus === "1" && (v.TradeNo === "" || v.TradeAmt === "")) {
    return err(mapEcpayFailure(operation, { type: "unreadable", body: text, reason: "a paid trade without TradeNo/TradeAmt" }));
  }
  return ok({
    merchantTradeNo: v.MerchantTradeNo,
    tradeNo: v.TradeNo,
    tradeAmt,
    tradeStatus: v.TradeStatus,
    paymentType: v.PaymentType,
    paymentDate: v.PaymentDate,
    chargeFee: v.PaymentTypeChargeFee,
    customField1: v.CustomField1,
    simulatePaid: v.SimulatePaid === "1",
    gwsr: v.gwsr,
    fields,
  });
}

/**
 * QueryPaymentInfo answers like QueryTradeInfo (form-encoded, signed). RtnCode 2 is an issued ATM
 * account (as on PaymentInfoURL, §3.3); other codes are kept verbatim for the caller ("Unavailable
 * once paid", §4.4).
 */
function parsePaymentInfo(
  operation: string,
  text: string,
  keys: EcpayKeys,
  request: { MerchantID: string; MerchantTradeNo: string },
): Result<PaymentInfo, EcpayError> {
  const answer = verifiedAnswerAbout(operation, text, keys, request, paymentInfoSchema);
  if (answer.isErr()) return err(answer.error);
  const { fields, values: v } = answer.value;
  if (v.RtnCode === "2" && (v.TradeNo === "" || v.BankCode === null || v.vAccount === null || v.ExpireDate === null)) {
    return err(mapEcpayFailure(operation, { type: "unreadable", body: text, reason: "an issued account without TradeNo/BankCode/vAccount/ExpireDate" }));
  }
  return ok({
    merchantTradeNo: v.MerchantTradeNo,
    rtnCode: v.RtnCode,
    rtnMsg: v.RtnMsg,
    tradeNo: v.TradeNo,
    tradeAmt: v.TradeAmt === "" ? 0 : Number(v.TradeAmt),
    paymentType: v.PaymentType,
    bankCode: v.BankCode,
    vAccount: v.vAccount,
    expireDate: v.ExpireDate,
    customField1: v.CustomField1,
    fields,
  });
}

/** DoAction answers RtnCode/RtnMsg form-encoded, without a CheckMacValue (ecpay-aio §4.1). */
function parseDoAction(operation: string, text: string): Result<DoActionResult, EcpayError> {
  const parsed = parseFormBody(text);
  if (parsed.isErr() || parsed.value.RtnCode === undefined) {
    return err(mapEcpayFailure(operation, { type: "unreadable", body: text, reason: "no RtnCode" }));
  }
  const fields = parsed.value;
  const rtnCode = fields.RtnCode ?? "";
  const rtnMsg = fields.RtnMsg ?? "";
  if (rtnCode !== "1") return err(mapEcpayFailure(operation, { type: "rejected", code: rtnCode, message: rtnMsg }));
  return ok({ rtnCode, rtnMsg, fields });
}

/** QueryTrade/V2 answers JSON; an empty RtnMsg means success (ecpay-aio §4.3). */
function parseCreditDetail(operation: string, text: string): Result<CreditDetail, EcpayError> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err(mapEcpayFailure(operation, { type: "unreadable", body: text, reason: "not JSON" }));
  }
  const parsed = creditDetailSchema.safeParse(json);
  if (!parsed.success) return err(mapEcpayFailure(operation, { type: "unreadable", body: text, reason: "unexpected JSON shape" }));
  const { RtnMsg, RtnValue } = parsed.data;
  if (RtnMsg !== "") return err(mapEcpayFailure(operation, { type: "rejected", message: RtnMsg }));
  if (!RtnValue) return err(mapEcpayFailure(operation, { type: "unreadable", body: text, reason: "no RtnValue" }));
  return ok({
    status: RtnValue.status,
    amount: RtnValue.amount,
    closedAmount: RtnValue.clsamt,
    // The raw object as ECPay sent it (amounts not yet coerced), for logs and the admin.
    fields: rawRtnValue(json),
  });
}

function rawRtnValue(json: unknown): Record<string, unknown> {
  const value = (json as { RtnValue?: unknown }).RtnValue;
  return typeof value === "object" && value !== null ? { ...(value as Record<string, unknown>) } : {};
}
