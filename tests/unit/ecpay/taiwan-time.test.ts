import { describe, expect, it } from "vitest";
import { formatTaiwanDateTime, parseTaiwanDateTime } from "~/lib/taiwan-time";

describe("Taiwan time", () => {
  it("formats an instant as yyyy/MM/dd HH:mm:ss at UTC+8", () => {
    expect(formatTaiwanDateTime(new Date("2023-03-12T07:30:23Z"))).toBe("2023/03/12 15:30:23");
    expect(formatTaiwanDateTime(new Date("2024-02-28T16:00:00Z"))).toBe("2024/02/29 00:00:00");
    expect(formatTaiwanDateTime(new Date("0999-12-31T23:59:59Z"))).toBe("1000/01/01 07:59:59");
  });

  it("returns null for an invalid Date instead of a garbage string", () => {
    expect(formatTaiwanDateTime(new Date("not a date"))).toBeNull();
  });

  it("parses ECPay's dates back to the same instant and rejects impossible ones", () => {
    expect(parseTaiwanDateTime("2019/05/09 00:01:21")?.toISOString()).toBe("2019-05-08T16:01:21.000Z");
    expect(parseTaiwanDateTime("2024/02/30 00:00:00")).toBeNull();
    expect(parseTaiwanDateTime("2024-02-01 00:00:00")).toBeNull();
  });
});
