// ECPay's POSTs to ReturnURL, PaymentInfoURL and OrderResultURL (ecpay-aio §3): parse the raw
// form body, verify CheckMacValue over every field received (NeedExtraPaidInfo extras, unknown
// and empty ones included), then check every field we store or show against its documented shape
// (field-shapes.ts). Nothing is trusted before the signature holds; nothing received is dropped.
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import { verifyCheckMacValue, type EcpayKeys } from "./check-mac-value";
import { badSignature, invalidInput } from "./errors";
import { firstIssue, shapes } from "./field-shapes";
import { parseFormBody } from "./form-body";
import type { EcpayCallback, EcpayError } from "./types";

const callbackSchema = z
  .object({
    MerchantID: shapes.merchantId,
    MerchantTradeNo: shapes.merchantTradeNo,
    RtnCode: shapes.rtnCode,
    RtnMsg: shapes.rtnMsg,
    TradeNo: shapes.tradeNo,
    TradeAmt: shapes.tradeAmt,
    PaymentType: shapes.paymentType,
    PaymentDate: shapes.dateTime,
    TradeDate: shapes.dateTime,
    SimulatePaid: z.enum(["0", "1"]).optional(),
    PaymentTypeChargeFee: shapes.chargeFee,
    CustomField1: shapes.customField.optional(),
    BankCode: shapes.bankCode,
    vAccount: shapes.vAccount,
    ExpireDate: shapes.atmExpireDate,
    gwsr: shapes.gwsr,
  })
  .superRefine((fields, ctx) => {
    if ((fields.RtnCode === "1" || fields.RtnCode === "2") && fields.TradeNo === "") {
      ctx.addIssue({ code: "custom", path: ["TradeNo"], message: "is required for a paid or issued trade" });
    }
    if (fields.RtnCode === "2" && fields.PaymentType.startsWith("ATM")) {
      for (const key of ["BankCode", "vAccount", "ExpireDate"] as const) {
        if (fields[key] === null) ctx.addIssue({ code: "custom", path: [key], message: "is required when an ATM account is issued" });
      }
    }
  });

/** Parses and verifies one ECPay notification body. Pure. */
export function parseEcpayCallback(rawBody: string, keys: EcpayKeys): Result<EcpayCallback, EcpayError> {
  const parsed = parseFormBody(rawBody);
  if (parsed.isErr()) {
    const failure = parsed.error;
    return err(
      failure.type === "empty"
        ? invalidInput("body", "the notification has no fields")
        : invalidInput(failure.field, "appears more than once in the notification"),
    );
  }
  const fields = parsed.value;
  if (!fields.CheckMacValue) return err(badSignature("the notification carries no CheckMacValue"));
  if (!verifyCheckMacValue(fields, keys)) {
    return err(badSignature("CheckMacValue does not match the notification's fields (wrong keys or tampered)"));
  }

  const validated = callbackSchema.safeParse(fields);
  if (!validated.success) {
    const { field, message } = firstIssue(validated.error);
    return err(invalidInput(field, message));
  }
  const v = validated.data;
  const tradeAmt = Number(v.TradeAmt);
  if (!Number.isSafeInteger(tradeAmt)) return err(invalidInput("TradeAmt", "is out of range"));

  return ok({
    merchantId: v.MerchantID,
    merchantTradeNo: v.MerchantTradeNo,
    rtnCode: v.RtnCode,
    rtnMsg: v.RtnMsg,
    tradeNo: v.TradeNo,
    tradeAmt,
    paymentType: v.PaymentType,
    paymentDate: v.PaymentDate,
    tradeDate: v.TradeDate,
    simulatePaid: v.SimulatePaid === "1",
    chargeFee: v.PaymentTypeChargeFee,
    customField1: v.CustomField1 ?? "",
    bankCode: v.BankCode,
    vAccount: v.vAccount,
    expireDate: v.ExpireDate,
    gwsr: v.gwsr,
    fields,
  });
}
