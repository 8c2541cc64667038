import { describe, expect, it } from "vitest";
import { isMerchantTradeNo, newMerchantTradeNo } from "~/ecpay/merchant-trade-no";
import { seededRandom } from "./seeded-random";

describe("newMerchantTradeNo", () => {
  it("is exactly 20 characters of [0-9A-Z], which ECPay accepts", () => {
    const value = newMerchantTradeNo();
    expect(value).toMatch(/^[0-9A-Z]{20}$/);
    expect(isMerchantTradeNo(value)).toBe(true);
  });

  it("starts with the Taiwan date and time to the second, whatever the host's time zone", () => {
    // 2024-12-31 16:26:09 UTC is 2025-01-01 00:26:09 in Taipei: the date rolls over.
    expect(newMerchantTradeNo(new Date("2024-12-31T16:26:09Z")).slice(0, 12)).toBe("250101002609");
  });

  it("draws its last 8 characters from the random source, skipping bytes that would bias the alphabet", () => {
    const bytes = Buffer.from([255, 252, 0, 1, 35, 36, 71, 251, 10, 253, 11]);
    const value = newMerchantTradeNo(new Date("2024-01-02T03:04:05Z"), () => bytes);
    // 0→0 1→1 35→Z 36→0 71→Z 251→Z(251 % 36 = 35) 10→A 11→B; 252, 253 and 255 are skipped.
    expect(value).toBe("240102110405" + "01Z0ZZAB");
  });

  it("asks the random source again when one call does not give enough usable bytes", () => {
    let calls = 0;
    const value = newMerchantTradeNo(new Date("2024-01-02T03:04:05Z"), () => {
      calls += 1;
      return Buffer.from([calls, 254]);
    });
    expect(value.slice(12)).toBe("12345678");
    expect(calls).toBe(8);
  });

  it("refuses to issue a number from a random source that yields nothing usable", () => {
    expect(() => newMerchantTradeNo(new Date(), () => Buffer.from([255, 254, 253]))).toThrow(/random source/);
  });

  it("does not repeat across 20 000 numbers issued in the same second", () => {
    const now = new Date("2025-06-01T00:00:00Z");
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i += 1) seen.add(newMerchantTradeNo(now));
    expect(seen.size).toBe(20_000);
  });

  it("spreads random characters evenly over the 36-character alphabet (seeded source)", () => {
    const rng = seededRandom(42);
    const source = (): Buffer => Buffer.from(Array.from({ length: 16 }, () => rng.int(0, 255)));
    const counts = new Map<string, number>();
    for (let i = 0; i < 4500; i += 1) {
      for (const c of newMerchantTradeNo(new Date(), source).slice(12)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.size).toBe(36);
    // 36 000 draws: 1000 expected per character; a biased mapping would skew the first four by ~1.6%.
    for (const count of counts.values()) expect(count).toBeGreaterThan(850);
    for (const count of counts.values()) expect(count).toBeLessThan(1150);
  });
});

describe("isMerchantTradeNo", () => {
  it("accepts 1-20 letters or digits and nothing else", () => {
    expect(isMerchantTradeNo("a")).toBe(true);
    expect(isMerchantTradeNo("ecpay20230312153023")).toBe(true);
    expect(isMerchantTradeNo("A".repeat(21))).toBe(false);
    expect(isMerchantTradeNo("")).toBe(false);
    expect(isMerchantTradeNo("ABC-123")).toBe(false);
    expect(isMerchantTradeNo("ABC_123")).toBe(false);
    expect(isMerchantTradeNo("訂單123")).toBe(false);
  });
});
