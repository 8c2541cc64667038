// The field sets ECPay sends about an order: ReturnURL / OrderResultURL (§3.1, §3.2),
// PaymentInfoURL for ATM (§3.3) and the QueryTradeInfo V5 response (§4.2). Field names and the
// "all present even when empty" behaviour follow real stage callbacks, e.g.
// AlipayID=&AlipayTradeNo=&amount=50&ATMAccBank=&…&WebATMBankName= (NeedExtraPaidInfo=Y).
import { computeCheckMacValue } from "../../../app/ecpay/check-mac-value";
import { sortedFields } from "./format";
import type { EcpayMerchant, EmulatorOrder } from "./types";

/** Every NeedExtraPaidInfo field (§3.2), in one place so each method fills its own and leaves the rest empty. */
export const EXTRA_PAID_INFO_FIELDS = [
  "AlipayID", "AlipayTradeNo", "TenpayTradeNo",
  "TWQRTradeNo",
  "WebATMAccBank", "WebATMAccNo", "WebATMBankName",
  "ATMAccBank", "ATMAccNo",
  "PaymentNo", "PayFrom",
  "gwsr", "process_date", "auth_code", "amount", "stage", "stast", "staed", "eci", "card4no", "card6no",
  "red_dan", "red_de_amt", "red_ok_amt", "red_yet",
  "PeriodType", "Frequency", "ExecTimes", "PeriodAmount", "TotalSuccessTimes", "TotalSuccessAmount",
] as const;

export function emptyExtraPaidInfo(): Record<string, string> {
  return Object.fromEntries(EXTRA_PAID_INFO_FIELDS.map((name) => [name, ""]));
}

function customFields(order: EmulatorOrder): Record<string, string> {
  return {
    CustomField1: order.request.CustomField1 ?? "",
    CustomField2: order.request.CustomField2 ?? "",
    CustomField3: order.request.CustomField3 ?? "",
    CustomField4: order.request.CustomField4 ?? "",
  };
}

function needsExtras(order: EmulatorOrder): boolean {
  return order.request.NeedExtraPaidInfo === "Y";
}

export function sign(fields: Record<string, string>, merchant: EcpayMerchant): Record<string, string> {
  const ordered = sortedFields(fields);
  return { ...ordered, CheckMacValue: computeCheckMacValue(ordered, merchant, "sha256") };
}

/** ReturnURL (rtnMsg 交易成功 / resend paid) and OrderResultURL (Succeeded) share these fields (§2.4). */
export function paidFields(order: EmulatorOrder, merchant: EcpayMerchant, rtnMsg: string): Record<string, string> {
  const fields: Record<string, string> = {
    MerchantID: order.merchantId,
    MerchantTradeNo: order.merchantTradeNo,
    StoreID: order.request.StoreID ?? "",
    RtnCode: "1",
    RtnMsg: rtnMsg,
    TradeNo: order.tradeNo,
    TradeAmt: String(order.totalAmount),
    PaymentDate: order.paymentDate ?? "",
    PaymentType: order.paymentType,
    PaymentTypeChargeFee: String(order.chargeFee),
    TradeDate: order.tradeDate,
    SimulatePaid: order.simulatePaid ? "1" : "0",
    ...customFields(order),
    ...(needsExtras(order) ? order.extraPaidInfo : {}),
  };
  return sign(fields, merchant);
}

/** PaymentInfoURL for ATM: RtnCode 2 with BankCode, vAccount, ExpireDate (§3.3). */
export function atmInfoFields(order: EmulatorOrder, merchant: EcpayMerchant): Record<string, string> {
  const atm = order.atm;
  if (!atm) throw new Error(`order ${order.merchantTradeNo} has no ATM account`);
  return sign(
    {
      MerchantID: order.merchantId,
      MerchantTradeNo: order.merchantTradeNo,
      StoreID: order.request.StoreID ?? "",
      RtnCode: "2",
      RtnMsg: "Get VirtualAccount Succeeded",
      TradeNo: order.tradeNo,
      TradeAmt: String(order.totalAmount),
      PaymentType: order.paymentType,
      TradeDate: order.tradeDate,
      BankCode: atm.bankCode,
      vAccount: atm.vAccount,
      ExpireDate: atm.expireDate,
      ...customFields(order),
    },
    merchant,
  );
}

/** TradeStatus: 0 created unpaid, 1 paid, 10200095 not completed by the buyer (§4.2). */
export function tradeStatus(order: EmulatorOrder): string {
  if (order.status === "paid") return "1";
  if (order.status === "failed") return "10200095";
  return "0";
}

/** QueryTradeInfo V5 response fields (§4.2), signed. */
export function queryTradeInfoFields(order: EmulatorOrder, merchant: EcpayMerchant): Record<string, string> {
  const paid = order.status === "paid";
  return sign(
    {
      MerchantID: order.merchantId,
      MerchantTradeNo: order.merchantTradeNo,
      StoreID: order.request.StoreID ?? "",
      TradeNo: order.tradeNo,
      TradeAmt: String(order.totalAmount),
      PaymentDate: paid ? (order.paymentDate ?? "") : "",
      PaymentType: order.paymentType,
      HandlingCharge: paid ? String(order.chargeFee) : "0",
      PaymentTypeChargeFee: paid ? String(order.chargeFee) : "0",
      TradeDate: order.tradeDate,
      TradeStatus: tradeStatus(order),
      ItemName: order.request.ItemName ?? "",
      ...customFields(order),
      ...(needsExtras(order) ? (paid ? order.extraPaidInfo : emptyExtraPaidInfo()) : {}),
    },
    merchant,
  );
}

/** What ECPay answers for a MerchantTradeNo it does not know (observed: TradeStatus=10200047). */
export function unknownTradeFields(merchantId: string, merchantTradeNo: string, merchant: EcpayMerchant): Record<string, string> {
  return sign(
    {
      HandlingCharge: "0",
      ItemName: "",
      MerchantID: merchantId,
      MerchantTradeNo: merchantTradeNo,
      PaymentDate: "",
      PaymentType: "",
      PaymentTypeChargeFee: "0",
      TradeAmt: "0",
      TradeDate: "",
      TradeNo: "",
      TradeStatus: "10200047",
    },
    merchant,
  );
}

/** QueryPaymentInfo about a trade with no account to report (unknown, not ATM, or paid: §4.4), signed. */
export function paymentInfoRefusalFields(merchant: EcpayMerchant, merchantTradeNo: string, rtnCode: string, rtnMsg: string): Record<string, string> {
  return sign({ MerchantID: merchant.merchantId, MerchantTradeNo: merchantTradeNo, RtnCode: rtnCode, RtnMsg: rtnMsg }, merchant);
}
