import { describe, expect, it } from "vitest";
import {
  checkMacSource,
  compareKeysCaseInsensitive,
  computeCheckMacValue,
  phpUrlEncode,
  signParams,
  verifyCheckMacValue,
} from "~/ecpay/check-mac-value";
import { encodeFormBody, parseFormBody } from "~/ecpay/form-body";
import { CJK_SAMPLE, PRINTABLE_ASCII, seededRandom, type SeededRandom } from "./seeded-random";

const STAGE_3002607 = { hashKey: "pwFHCqoQZGmho4w6", hashIv: "EkRm7iFT261dpevs" };
const LEGACY_2000132 = { hashKey: "5294y06JbISpM5x9", hashIv: "v77hoKGq4kWxNNIS" };

describe("official CheckMacValue vectors (ecpay-aio §1.1, §1.6)", () => {
  it("reproduces the developer-site example (p=2902) including its lowercased intermediate string", () => {
    const params = {
      TradeDesc: "促銷方案",
      PaymentType: "aio",
      MerchantTradeDate: "2023/03/12 15:30:23",
      MerchantTradeNo: "ecpay20230312153023",
      MerchantID: "3002607",
      ReturnURL: "https://www.ecpay.com.tw/receive.php",
      ItemName: "Apple iphone 15",
      TotalAmount: "30000",
      ChoosePayment: "ALL",
      EncryptType: "1",
    };
    expect(checkMacSource(params, STAGE_3002607)).toBe(
      "hashkey%3dpwfhcqoqzgmho4w6%26choosepayment%3dall%26encrypttype%3d1%26itemname%3dapple+iphone+15%26merchantid%3d3002607%26merchanttradedate%3d2023%2f03%2f12+15%3a30%3a23%26merchanttradeno%3decpay20230312153023%26paymenttype%3daio%26returnurl%3dhttps%3a%2f%2fwww.ecpay.com.tw%2freceive.php%26totalamount%3d30000%26tradedesc%3d%e4%bf%83%e9%8a%b7%e6%96%b9%e6%a1%88%26hashiv%3dekrm7ift261dpevs",
    );
    expect(computeCheckMacValue(params, STAGE_3002607)).toBe(
      "6C51C9E6888DE861FD62FB1DD17029FC742634498FD813DC43D4243B5685B840",
    );
  });

  it("reproduces the 2021 PDF §15 example with the legacy 2000132 keys", () => {
    const params = {
      TradeDesc: "促銷方案",
      PaymentType: "aio",
      MerchantTradeDate: "2013/03/12 15:30:23",
      MerchantTradeNo: "ecpay20130312153023",
      MerchantID: "2000132",
      ReturnURL: "https://www.ecpay.com.tw/receive.php",
      ItemName: "Apple iphone 7 手機殼",
      TotalAmount: "1000",
      ChoosePayment: "ALL",
      EncryptType: "1",
    };
    expect(computeCheckMacValue(params, LEGACY_2000132)).toBe(
      "CFA9BDE377361FBDD8F160274930E815D1A8A2E3E80CE7D404C45FC9A0A1E407",
    );
  });

  it("verifies the PDF §7 ReturnURL sample, empty CustomField and StoreID fields included", () => {
    const notification = {
      CustomField1: "",
      CustomField2: "",
      CustomField3: "",
      CustomField4: "",
      MerchantID: "2000132",
      MerchantTradeNo: "Test1510056539",
      PaymentDate: "2017/11/02 16:22:18",
      PaymentType: "Credit_CreditCard",
      PaymentTypeChargeFee: "1",
      RtnCode: "1",
      RtnMsg: "交易成功",
      SimulatePaid: "0",
      StoreID: "",
      TradeAmt: "100",
      TradeDate: "2017/11/07 20:08:59",
      TradeNo: "17110720085960236789",
      CheckMacValue: "9139AF2AC5D0F9EBC5F3CD44064F666AAA62F0B202B95B341CC25E080EA4FC6E",
    };
    expect(verifyCheckMacValue(notification, LEGACY_2000132)).toBe(true);
    const { CustomField4: _dropped, ...withoutAnEmptyField } = notification;
    expect(verifyCheckMacValue(withoutAnEmptyField, LEGACY_2000132)).toBe(false);
  });

  it("verifies the official SDK_PHP GetCheckoutResponse sample with the 3002607 keys", () => {
    const notification = {
      MerchantID: "3002607",
      MerchantTradeNo: "WPLL4E341E122DB44D62",
      PaymentDate: "2019/05/09 00:01:21",
      PaymentType: "Credit_CreditCard",
      PaymentTypeChargeFee: "1",
      RtnCode: "1",
      RtnMsg: "交易成功",
      SimulatePaid: "0",
      TradeAmt: "500",
      TradeDate: "2019/05/09 00:00:18",
      TradeNo: "1905090000188278",
      CheckMacValue: "6E7F053EF215FC851A050A2FF01D72CBE440EA138DC3E905647985DDF236FD25",
    };
    expect(verifyCheckMacValue(notification, STAGE_3002607)).toBe(true);
    expect(verifyCheckMacValue(notification, LEGACY_2000132)).toBe(false);
  });

  it("computes the PDF §6 PaymentInfoURL (CVS code) sample, whose empty barcode and custom fields are hashed too", () => {
    const notification = {
      Barcode1: "",
      Barcode2: "",
      Barcode3: "",
      ExpireDate: "2017/12/28 00:39:03",
      MerchantID: "2000132",
      MerchantTradeNo: "Test1513787899",
      PaymentNo: "LLL17355880822",
      PaymentType: "CVS_CVS",
      RtnCode: "10100073",
      RtnMsg: "Get CVS Code Succeeded.",
      TradeAmt: "2000",
      TradeDate: "2017/12/21 00:39:03",
      TradeNo: "17122100383415923452",
      StoreID: "",
      CustomField1: "",
      CustomField2: "",
      CustomField3: "",
      CustomField4: "",
    };
    expect(computeCheckMacValue(notification, LEGACY_2000132)).toBe(
      "C25373CE6379BB6116FAE8398F4A8E60B71B289D955F6B8A9D9F53FDCC97F571",
    );
  });

  it("computes the MD5 variant of the e-invoice allowance example (p=38242)", () => {
    const params = {
      RtnCode: "1",
      RtnMsg: "",
      IA_Allow_No: "1909181313013546",
      IA_Invoice_No: "UV11100019",
      IA_Date: "2019-09-18 13:13:23",
      IIS_Remain_Allowance_Amt: "0",
    };
    const keys = { hashKey: "ejCk326UnaZWKisg", hashIv: "q9jcZX8Ib9LM8wYk" };
    expect(computeCheckMacValue(params, keys, "md5")).toBe("50A276E71DAE26343013958B405EEEA0");
    expect(verifyCheckMacValue({ ...params, CheckMacValue: "50A276E71DAE26343013958B405EEEA0" }, keys, "md5")).toBe(true);
    // The same message under SHA256 is a different value: the algorithm is part of the contract.
    expect(verifyCheckMacValue({ ...params, CheckMacValue: "50A276E71DAE26343013958B405EEEA0" }, keys)).toBe(false);
  });
});

describe("encoding and ordering rules", () => {
  // The ".NET 編碼(ecpay)" column of ECPay's URLEncode table (ecpay-aio §1.1), after lowercasing.
  const expectedEncoding = (c: string): string => {
    if (/[A-Za-z0-9]/.test(c)) return c.toLowerCase();
    if (c === " ") return "+";
    if ("-_.!*()".includes(c)) return c;
    return `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  };

  it("encodes every printable ASCII character as ECPay's URLEncode table says", () => {
    for (const c of PRINTABLE_ASCII) {
      const source = checkMacSource({ K: c }, { hashKey: "", hashIv: "" });
      expect(source, `character ${JSON.stringify(c)}`).toBe(`hashkey%3d%26k%3d${expectedEncoding(c)}%26hashiv%3d`);
    }
  });

  it("encodes ~ and ' the PHP way, where encodeURIComponent-based SDKs go wrong", () => {
    expect(phpUrlEncode("~'")).toBe("%7E%27");
    expect(checkMacSource({ A: "~'" }, { hashKey: "k", hashIv: "i" })).toContain("%7e%27");
  });

  it("encodes CJK as lowercase UTF-8 percent escapes and an astral character as its four bytes", () => {
    expect(checkMacSource({ A: "促𠮷" }, { hashKey: "k", hashIv: "i" })).toContain("a%3d%e4%bf%83%f0%a0%ae%b7");
  });

  it("does not throw on an unpaired surrogate and hashes it as U+FFFD, as it would travel", () => {
    expect(computeCheckMacValue({ A: "x\ud800y" }, STAGE_3002607)).toBe(computeCheckMacValue({ A: "x\ufffdy" }, STAGE_3002607));
  });

  it("sorts keys like PHP strcasecmp: lowercase, byte-wise, so - sorts before digits and _ after them", () => {
    expect(["ab", "a_b", "a1", "a-b"].sort(compareKeysCaseInsensitive)).toEqual(["a-b", "a1", "a_b", "ab"]);
    expect(["b", "A", "a_", "C"].sort(compareKeysCaseInsensitive)).toEqual(["A", "a_", "b", "C"]);
    const source = checkMacSource({ ab: "4", a_b: "3", a1: "2", "a-b": "1" }, { hashKey: "", hashIv: "" });
    expect(source).toBe("hashkey%3d%26a-b%3d1%26a1%3d2%26a_b%3d3%26ab%3d4%26hashiv%3d");
  });

  it("leaves the received CheckMacValue out of the hash and accepts it in lowercase hex", () => {
    const params = { MerchantID: "3002607", ItemName: "x" };
    const value = computeCheckMacValue(params, STAGE_3002607);
    expect(computeCheckMacValue({ ...params, CheckMacValue: "anything" }, STAGE_3002607)).toBe(value);
    expect(verifyCheckMacValue({ ...params, CheckMacValue: value.toLowerCase() }, STAGE_3002607)).toBe(true);
    expect(verifyCheckMacValue({ ...params, CheckMacValue: "" }, STAGE_3002607)).toBe(false);
    expect(verifyCheckMacValue(params, STAGE_3002607)).toBe(false);
  });

  it("depends on both HashKey and HashIV", () => {
    const signed = signParams({ MerchantID: "3002607", TradeAmt: "100" }, STAGE_3002607);
    expect(verifyCheckMacValue(signed, STAGE_3002607)).toBe(true);
    expect(verifyCheckMacValue(signed, { ...STAGE_3002607, hashKey: "pwFHCqoQZGmho4w7" })).toBe(false);
    expect(verifyCheckMacValue(signed, { ...STAGE_3002607, hashIv: "EkRm7iFT261dpevt" })).toBe(false);
  });

  it("treats a change of letter case as the same message, because ECPay lowercases before hashing", () => {
    // A property of ECPay's algorithm, pinned here so nobody relies on CheckMacValue for case.
    const signed = signParams({ MerchantTradeNo: "abc123", ItemName: "Tea" }, STAGE_3002607);
    expect(verifyCheckMacValue({ ...signed, MerchantTradeNo: "ABC123" }, STAGE_3002607)).toBe(true);
  });
});

const KEY_ALPHABET = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"];
const VALUE_ALPHABET = [...PRINTABLE_ASCII, ...CJK_SAMPLE];

function randomFields(rng: SeededRandom): Record<string, string> {
  const fields: Record<string, string> = {};
  const count = rng.int(1, 12);
  while (Object.keys(fields).length < count) {
    const key = rng.pick([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"]) + rng.string(KEY_ALPHABET, rng.int(0, 10));
    if (key === "CheckMacValue" || Object.keys(fields).some((k) => k.toLowerCase() === key.toLowerCase())) continue;
    fields[key] = rng.int(0, 4) === 0 ? "" : rng.string(VALUE_ALPHABET, rng.int(1, 30));
  }
  return fields;
}

/** Sends signed fields through a browser-style form post and back, as ECPay and our routes see them. */
function throughTheWire(fields: Record<string, string>): Record<string, string> {
  const parsed = parseFormBody(encodeFormBody(fields));
  if (parsed.isErr()) throw new Error(`round trip failed: ${JSON.stringify(parsed.error)}`);
  return parsed.value;
}

/** A different character that is not merely the same letter in another case (see the case test above). */
function differentCharacter(rng: SeededRandom, original: string, alphabet: readonly string[]): string {
  for (;;) {
    const candidate = rng.pick(alphabet);
    if (candidate.toLowerCase() !== original.toLowerCase()) return candidate;
  }
}

describe("CheckMacValue properties (seeded PRNG)", () => {
  it("gives the same value for any order of the same keys (seed 20240601, 300 cases)", () => {
    const rng = seededRandom(20240601);
    for (let i = 0; i < 300; i += 1) {
      const fields = randomFields(rng);
      const shuffled = Object.fromEntries(rng.shuffle(Object.entries(fields)));
      expect(computeCheckMacValue(shuffled, STAGE_3002607)).toBe(computeCheckMacValue(fields, STAGE_3002607));
    }
  });

  it("round-trips every printable ASCII and CJK character through sign, form post and verify", () => {
    for (const c of VALUE_ALPHABET) {
      const signed = signParams({ MerchantID: "3002607", ItemName: `a${c}b`, Edge: c, Empty: "" }, STAGE_3002607);
      const received = throughTheWire(signed);
      expect(received.ItemName).toBe(`a${c}b`);
      expect(verifyCheckMacValue(received, STAGE_3002607), `character ${JSON.stringify(c)}`).toBe(true);
    }
  });

  it("round-trips random multi-field messages through sign, form post and verify (seed 7, 300 cases)", () => {
    const rng = seededRandom(7);
    for (let i = 0; i < 300; i += 1) {
      const received = throughTheWire(signParams(randomFields(rng), STAGE_3002607));
      expect(verifyCheckMacValue(received, STAGE_3002607)).toBe(true);
    }
  });

  it("fails verification after any single-character substitution, insertion or deletion in any key or value (seed 99, 1000 cases)", () => {
    const rng = seededRandom(99);
    for (let i = 0; i < 1000; i += 1) {
      const signed = signParams(randomFields(rng), STAGE_3002607);
      const names = Object.keys(signed).filter((k) => k !== "CheckMacValue");
      const target = rng.pick(names);
      const inKey = rng.int(0, 1) === 0;
      const original = inKey ? target : (signed[target] ?? "");
      const chars = [...original];
      const edit = chars.length === 0 ? "insert" : rng.pick(["substitute", "insert", "delete"] as const);
      const at = rng.int(0, Math.max(0, chars.length - (edit === "insert" ? 0 : 1)));
      const alphabet = inKey ? KEY_ALPHABET : VALUE_ALPHABET;
      if (edit === "substitute") chars[at] = differentCharacter(rng, chars[at] ?? "", alphabet);
      if (edit === "insert") chars.splice(at, 0, rng.pick(alphabet));
      if (edit === "delete") chars.splice(at, 1);
      const changed = chars.join("");
      const tampered = { ...signed };
      if (inKey) {
        if (changed === "" || changed === "CheckMacValue" || names.some((k) => k.toLowerCase() === changed.toLowerCase())) continue;
        const value = tampered[target] ?? "";
        delete tampered[target];
        tampered[changed] = value;
      } else {
        tampered[target] = changed;
      }
      expect(verifyCheckMacValue(tampered, STAGE_3002607), `${edit} in ${inKey ? "key" : "value"} ${target}`).toBe(false);
    }
  });

  it("fails verification when one hex digit of the CheckMacValue itself changes (seed 3, 200 cases)", () => {
    const rng = seededRandom(3);
    for (let i = 0; i < 200; i += 1) {
      const signed = signParams(randomFields(rng), STAGE_3002607);
      const mac = [...(signed.CheckMacValue ?? "")];
      const at = rng.int(0, mac.length - 1);
      mac[at] = differentCharacter(rng, mac[at] ?? "", [..."0123456789ABCDEF"]);
      expect(verifyCheckMacValue({ ...signed, CheckMacValue: mac.join("") }, STAGE_3002607)).toBe(false);
    }
  });
});
