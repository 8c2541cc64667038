import { describe, expect, it } from "vitest";
import { parseEcpayCallback } from "~/ecpay/callbacks";
import { notificationOutcome } from "~/ecpay/outcomes";
import { phpUrlEncode, signParams } from "~/ecpay/check-mac-value";
import { encodeFormBody } from "~/ecpay/form-body";
import { seededRandom } from "./seeded-random";

const KEYS = { hashKey: "pwFHCqoQZGmho4w6", hashIv: "EkRm7iFT261dpevs" };
const LEGACY_KEYS = { hashKey: "5294y06JbISpM5x9", hashIv: "v77hoKGq4kWxNNIS" };

/** Three ways a sender may encode the same form: browser/WHATWG, PHP http_build_query, RFC 3986. */
const encoders: Record<string, (fields: Record<string, string>) => string> = {
  browser: encodeFormBody,
  php: (fields) => Object.entries(fields).map(([k, v]) => `${phpUrlEncode(k)}=${phpUrlEncode(v)}`).join("&"),
  rfc3986: (fields) => Object.entries(fields).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&"),
};

/** A credit ReturnURL with NeedExtraPaidInfo=Y: the whole extra set, most of it empty (ecpay-aio §3.2). */
function creditNotification(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AlipayID: "",
    AlipayTradeNo: "",
    amount: "1733",
    ATMAccBank: "",
    ATMAccNo: "",
    auth_code: "777777",
    card4no: "2222",
    card6no: "431195",
    CustomField1: "rXsWmT5cLc4FfGfOqN0yB1aPz",
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
    eci: "0",
    ExecTimes: "",
    Frequency: "",
    gwsr: "13120889",
    MerchantID: "3002607",
    MerchantTradeNo: "250101002609AB12CD34",
    PayFrom: "",
    PaymentDate: "2025/01/01 00:27:41",
    PaymentNo: "",
    PaymentType: "Credit_CreditCard",
    PaymentTypeChargeFee: "43",
    PeriodAmount: "",
    PeriodType: "",
    process_date: "2025/01/01 00:27:41",
    red_dan: "0",
    red_de_amt: "0",
    red_ok_amt: "0",
    red_yet: "0",
    RtnCode: "1",
    RtnMsg: "交易成功",
    SimulatePaid: "0",
    staed: "0",
    stage: "0",
    stast: "0",
    StoreID: "",
    TenpayTradeNo: "",
    TotalSuccessAmount: "",
    TotalSuccessTimes: "",
    TradeAmt: "1733",
    TradeDate: "2025/01/01 00:26:09",
    TradeNo: "2501010026094231",
    TWQRTradeNo: "",
    WebATMAccBank: "",
    WebATMAccNo: "",
    WebATMBankName: "",
    ...overrides,
  };
}

function signedBody(fields: Record<string, string>, keys = KEYS, encode = encodeFormBody): string {
  return encode(signParams(fields, keys));
}

describe("parseEcpayCallback", () => {
  it("verifies the PDF §7 ReturnURL sample posted as a form and maps its fields", () => {
    const body =
      "CustomField1=&CustomField2=&CustomField3=&CustomField4=&MerchantID=2000132&MerchantTradeNo=Test1510056539" +
      "&PaymentDate=2017%2F11%2F02+16%3A22%3A18&PaymentType=Credit_CreditCard&PaymentTypeChargeFee=1&RtnCode=1" +
      `&RtnMsg=${encodeURIComponent("交易成功")}&SimulatePaid=0&StoreID=&TradeAmt=100&TradeDate=2017%2F11%2F07+20%3A08%3A59` +
      "&TradeNo=17110720085960236789&CheckMacValue=9139AF2AC5D0F9EBC5F3CD44064F666AAA62F0B202B95B341CC25E080EA4FC6E";
    const callback = parseEcpayCallback(body, LEGACY_KEYS)._unsafeUnwrap();
    expect(callback).toMatchObject({
      merchantId: "2000132",
      merchantTradeNo: "Test1510056539",
      rtnCode: "1",
      rtnMsg: "交易成功",
      tradeNo: "17110720085960236789",
      tradeAmt: 100,
      paymentType: "Credit_CreditCard",
      paymentDate: "2017/11/02 16:22:18",
      tradeDate: "2017/11/07 20:08:59",
      simulatePaid: false,
      chargeFee: "1",
      customField1: "",
      bankCode: null,
      vAccount: null,
      expireDate: null,
      gwsr: null,
    });
    expect(Object.keys(callback.fields)).toHaveLength(17);
    expect(notificationOutcome(callback, "ReturnURL").kind).toBe("paid");
  });

  it("verifies a credit notification with every NeedExtraPaidInfo field, keeping unknown ones", () => {
    const fields = creditNotification({ BNPLTradeNo: "", SomethingNew: "v2" });
    const callback = parseEcpayCallback(signedBody(fields), KEYS)._unsafeUnwrap();
    expect(callback.gwsr).toBe("13120889");
    expect(callback.tradeAmt).toBe(1733);
    expect(callback.customField1).toBe("rXsWmT5cLc4FfGfOqN0yB1aPz");
    expect(callback.fields).toEqual({ ...fields, CheckMacValue: expect.stringMatching(/^[0-9A-F]{64}$/) });
    expect(callback.fields.SomethingNew).toBe("v2");
  });

  it("rejects the notification when an unknown or empty field was added, changed or removed after signing", () => {
    const body = signedBody(creditNotification({ SomethingNew: "v2" }));
    expect(parseEcpayCallback(body.replace("SomethingNew=v2", "SomethingNew=v3"), KEYS)._unsafeUnwrapErr().kind).toBe(
      "bad-signature",
    );
    expect(parseEcpayCallback(body.replace("&TWQRTradeNo=", ""), KEYS)._unsafeUnwrapErr().kind).toBe("bad-signature");
    expect(parseEcpayCallback(body.replace("TWQRTradeNo=", "TWQRTradeNo=1"), KEYS)._unsafeUnwrapErr().kind).toBe(
      "bad-signature",
    );
    expect(parseEcpayCallback(`Extra=&${body}`, KEYS)._unsafeUnwrapErr().kind).toBe("bad-signature");
  });

  it("recognizes a resend (RtnMsg=paid) and a simulated payment (SimulatePaid=1)", () => {
    const resend = parseEcpayCallback(signedBody(creditNotification({ RtnMsg: "paid" })), KEYS)._unsafeUnwrap();
    expect(resend.rtnMsg).toBe("paid");
    expect(notificationOutcome(resend, "ReturnURL").kind).toBe("paid");
    const simulated = parseEcpayCallback(signedBody(creditNotification({ SimulatePaid: "1" })), KEYS)._unsafeUnwrap();
    expect(simulated.simulatePaid).toBe(true);
  });

  it("maps an ATM PaymentInfoURL notification (RtnCode 2) with its bank code, account and deadline", () => {
    const fields = {
      MerchantID: "3002607",
      MerchantTradeNo: "250101002609ATM00001",
      StoreID: "",
      RtnCode: "2",
      RtnMsg: "Get VirtualAccount Succeeded",
      TradeNo: "2501010026094232",
      TradeAmt: "500",
      PaymentType: "ATM_TAISHIN",
      TradeDate: "2025/01/01 00:26:09",
      BankCode: "812",
      vAccount: "9103522175887271",
      ExpireDate: "2025/01/03",
      CustomField1: "pay1",
      CustomField2: "",
      CustomField3: "",
      CustomField4: "",
    };
    const callback = parseEcpayCallback(signedBody(fields), KEYS)._unsafeUnwrap();
    expect(callback).toMatchObject({ rtnCode: "2", bankCode: "812", vAccount: "9103522175887271", expireDate: "2025/01/03" });
    expect(callback.paymentDate).toBeNull();
    expect(notificationOutcome(callback, "PaymentInfoURL").kind).toBe("pending-account-issued");
    const { vAccount: _missing, ...withoutAccount } = fields;
    const error = parseEcpayCallback(signedBody(withoutAccount), KEYS)._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "invalid-input", field: "vAccount" });
  });

  it("refuses a validly signed notification whose stored or shown fields are off their documented shape", () => {
    const atm: Record<string, string> = {
      MerchantID: "3002607",
      MerchantTradeNo: "250101002609ATM00001",
      RtnCode: "2",
      RtnMsg: "Get VirtualAccount Succeeded",
      TradeNo: "2501010026094232",
      TradeAmt: "500",
      PaymentType: "ATM_TAISHIN",
      TradeDate: "2025/01/01 00:26:09",
      BankCode: "812",
      vAccount: "9103522175887271",
      ExpireDate: "2028/02/29",
      CustomField1: "pay1",
    };
    expect(parseEcpayCallback(signedBody(atm), KEYS).isOk()).toBe(true);
    const off: Array<[string, string]> = [
      ["BankCode", "<b>812</b>"],
      ["BankCode", "8120"],
      ["vAccount", "91035221758872710"],
      ["vAccount", "9103 5221"],
      ["ExpireDate", "2026/02/29"],
      ["ExpireDate", "2025/01/03<script>"],
      ["TradeDate", "2025/01/01 24:00:00"],
      ["TradeNo", "2501010026094232<i>"],
      ["MerchantTradeNo", "250101002609ATM000012"],
      ["MerchantID", "30026070000X"],
      ["PaymentType", "ATM TAISHIN"],
      ["TradeAmt", "5e2"],
      ["RtnCode", "2.0"],
      ["RtnMsg", "x".repeat(201)],
      ["RtnMsg", "ok\u0007"],
      ["CustomField1", "p".repeat(51)],
      ["PaymentTypeChargeFee", "-1"],
      ["gwsr", "12a"],
    ];
    for (const [field, value] of off) {
      const error = parseEcpayCallback(signedBody({ ...atm, [field]: value }), KEYS)._unsafeUnwrapErr();
      expect(error, `${field}=${value}`).toMatchObject({ kind: "invalid-input", field });
    }
  });

  it("reports a failed payment as a failure outcome, not an error", () => {
    const callback = parseEcpayCallback(signedBody(creditNotification({ RtnCode: "10100058", RtnMsg: "付款失敗" })), KEYS);
    expect(notificationOutcome(callback._unsafeUnwrap(), "ReturnURL").kind).toBe("failed");
  });

  it("decodes the body as a browser form post: + is a space and %2B is a plus sign", () => {
    const fields = creditNotification({ CustomField2: "a b+c" });
    const body = signedBody(fields);
    expect(body).toContain("CustomField2=a+b%2Bc");
    expect(parseEcpayCallback(body, KEYS)._unsafeUnwrap().fields.CustomField2).toBe("a b+c");
  });

  it("verifies values with spaces, ~ ' ( ) * ! CJK and empty fields however the sender encodes them, and fails after any single-character change", () => {
    const fields = creditNotification({
      CustomField2: "Tea (500ml) ~ 'green' *2 !",
      CustomField3: "綠茶禮盒　特價！",
      CustomField4: "",
      StoreID: "",
    });
    const signed = signParams(fields, KEYS);
    for (const [name, encode] of Object.entries(encoders)) {
      expect(parseEcpayCallback(encode(signed), KEYS).isOk(), name).toBe(true);
    }
    const rng = seededRandom(2025);
    const alphabet = [..." ~'()*!綠茶abcXYZ019_-.%+&="];
    for (const key of ["CustomField2", "CustomField3", "CustomField4", "RtnMsg", "TradeAmt", "MerchantTradeNo"]) {
      for (let i = 0; i < 20; i += 1) {
        const chars = [...(signed[key] ?? "")];
        const at = rng.int(0, chars.length);
        let replacement = rng.pick(alphabet);
        while (chars.length > 0 && replacement.toLowerCase() === (chars[Math.min(at, chars.length - 1)] ?? "").toLowerCase()) {
          replacement = rng.pick(alphabet);
        }
        if (at === chars.length) chars.push(replacement);
        else chars[at] = replacement;
        const tampered = encodeFormBody({ ...signed, [key]: chars.join("") });
        const result = parseEcpayCallback(tampered, KEYS);
        expect(result.isErr() && result.error.kind, `${key} → ${chars.join("")}`).toBe("bad-signature");
      }
    }
  });

  it("rejects a notification signed with other keys, one without CheckMacValue and one with a forged value", () => {
    const fields = creditNotification();
    expect(parseEcpayCallback(signedBody(fields, LEGACY_KEYS), KEYS)._unsafeUnwrapErr().kind).toBe("bad-signature");
    expect(parseEcpayCallback(encodeFormBody(fields), KEYS)._unsafeUnwrapErr().kind).toBe("bad-signature");
    const forged = signedBody(fields).replace("TradeAmt=1733", "TradeAmt=1");
    expect(parseEcpayCallback(forged, KEYS)._unsafeUnwrapErr()).toMatchObject({ kind: "bad-signature" });
  });

  it("rejects a body that repeats a field instead of picking one copy", () => {
    const body = `${signedBody(creditNotification())}&TradeAmt=1`;
    expect(parseEcpayCallback(body, KEYS)._unsafeUnwrapErr()).toMatchObject({ kind: "invalid-input", field: "TradeAmt" });
  });

  it("rejects an empty body as invalid input", () => {
    expect(parseEcpayCallback("", KEYS)._unsafeUnwrapErr().kind).toBe("invalid-input");
  });

  it("rejects a correctly signed notification that lacks a required field or has a malformed one", () => {
    const { MerchantTradeNo: _m, ...noTradeNo } = creditNotification();
    expect(parseEcpayCallback(signedBody(noTradeNo), KEYS)._unsafeUnwrapErr()).toMatchObject({
      kind: "invalid-input",
      field: "MerchantTradeNo",
    });
    expect(parseEcpayCallback(signedBody(creditNotification({ TradeAmt: "17.33" })), KEYS)._unsafeUnwrapErr()).toMatchObject({
      kind: "invalid-input",
      field: "TradeAmt",
    });
    expect(parseEcpayCallback(signedBody(creditNotification({ SimulatePaid: "yes" })), KEYS)._unsafeUnwrapErr()).toMatchObject({
      kind: "invalid-input",
      field: "SimulatePaid",
    });
    expect(parseEcpayCallback(signedBody(creditNotification({ TradeNo: "" })), KEYS)._unsafeUnwrapErr()).toMatchObject({
      kind: "invalid-input",
      field: "TradeNo",
    });
  });
});
