import { describe, expect, it } from "vitest";
import { buildTimeline, rawFields, type TimelineSource } from "~/admin/timeline";
import { csvCell, csvLine, EXPORT_COLUMNS, exportHeaders } from "~/admin/export.server";
import { formatAmount } from "~/admin/format";
import { describeEvent } from "~/admin/timeline-words";
import type { Translate } from "~/admin/use-admin";
import { t } from "~/i18n";

describe("CSV cells", () => {
  it("quotes commas, quotes and line breaks", () => {
    expect(csvLine(["a,b", 'say "hi"', "x\ny", 12, null])).toBe('"a,b","say ""hi""","x\ny",12,\r\n');
  });

  it("neutralises cells a spreadsheet would run as a formula", () => {
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell("+886")).toBe("'+886");
    expect(csvCell("@sum")).toBe("'@sum");
    expect(csvCell("綠界科技 - 信用卡一次付清")).toBe("綠界科技 - 信用卡一次付清");
  });
});

describe("the timeline", () => {
  it("shows notification fields exactly as received, or the body when it is not a form", () => {
    expect(rawFields("RtnCode=1&RtnMsg=%E4%BA%A4%E6%98%93%E6%88%90%E5%8A%9F&SimulatePaid=1")).toEqual([
      ["RtnCode", "1"],
      ["RtnMsg", "交易成功"],
      ["SimulatePaid", "1"],
    ]);
    expect(rawFields('{"status":"已授權","amount":100}')).toEqual([
      ["status", "已授權"],
      ["amount", "100"],
    ]);
    expect(rawFields("")).toEqual([["body", ""]]);
  });

  it("puts every record newest first, labels simulated payments and replays the card's state at each moment", () => {
    const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
    const source = {
      session: {
        id: "p1", method: "credit", amount: 50, createdAt: t(0), amountRaw: "50.00", currency: "TWD", kind: "SALE", test: true,
        attempts: [{ merchantTradeNo: "M1", createdAt: t(1), merchantId: "3002607", stage: true, status: "PAID", tradeNo: "T1", paymentType: "Credit_CreditCard", rtnCode: "1", rtnMsg: "ok", simulatePaid: true, chargeFee: null, cardState: "ABANDONED", unionPay: false, closeError: null, bankCode: null, vAccount: null, expireDate: null }],
        operations: [{ type: "REFUND", createdAt: t(5), amount: 50, amountRaw: "50.00", status: "SUCCEEDED", simulated: true, merchantMessage: null, ecpayLog: null }],
      },
      notifications: [{ channel: "RETURN", receivedAt: t(2), merchantTradeNo: "M1", signatureValid: true, outcome: "ACCEPTED", rawBody: "RtnCode=1&SimulatePaid=1" }],
      outbox: [{ id: "o1", createdAt: t(2), mutation: "paymentSessionResolve", status: "DELIVERED", attempts: 1, lastError: null, variables: "{}", log: [{ at: t(3), ok: true, httpStatus: null, error: null, response: "{}" }] }],
    } as unknown as TimelineSource;
    const events = buildTimeline(source);
    expect(events.map((e) => e.type)).toEqual(["operation", "outbox", "notification", "attempt", "session"]);
    expect(events[2]).toMatchObject({ type: "notification", simulatePaid: true, signatureValid: true, meaning: { kind: "paid" }, card: "AUTHORIZED" });
    // A full simulated refund of an authorized (not yet closed) card trade cancels the authorization.
    expect(events[0]).toMatchObject({ type: "operation", simulated: true, card: "ABANDONED" });
    // The order's row shows the card as it was when the order was created, not its state now.
    expect(events[3]).toMatchObject({ type: "attempt", card: "none", cardStateNow: "ABANDONED" });
    expect(events[1]).toMatchObject({ type: "outbox", log: [{ ok: true }], retryingSince: null });
  });
});

describe("the same words and numbers as the rest of the admin", () => {
  const zh: Translate = (key, vars) => t("zh-TW", key, vars);
  const en: Translate = (key, vars) => t("en", key, vars);
  const session = (kind: string, amount: number | null, amountRaw: string) =>
    ({ type: "session", at: "2025-01-01T00:00:00.000Z", amount, amountRaw, currency: "TWD", kind, test: false }) as const;

  it("names an authorization by how it is captured, not as 'only authorized' (it may well be captured since)", () => {
    expect(describeEvent(session("AUTHORIZATION", 2380, "2380.00"), zh, "zh-TW").text).toBe("Shopify 請求付款 NT$2,380（先授權後請款）");
    expect(describeEvent(session("AUTHORIZATION", 2380, "2380.00"), en, "en").text).toBe("Shopify asked for NT$2,380 (Authorize, capture later)");
    expect(JSON.stringify(describeEvent(session("AUTHORIZATION", 2380, "2380.00"), zh, "zh-TW"))).not.toContain("僅授權");
  });

  it("writes money as the list does (formatAmount): NT$2,380, and a non-whole amount as Shopify sent it", () => {
    const operation = (amount: number | null, amountRaw: string | null) =>
      ({ type: "operation", at: "2025-01-01T00:00:00.000Z", operation: "REFUND", amount, amountRaw, status: "SUCCEEDED", simulated: false, card: null, merchantMessage: null, ecpayLog: null }) as const;
    expect(describeEvent(operation(12380, "12380.00"), zh, "zh-TW").text).toBe("已退款 NT$12,380");
    expect(describeEvent(operation(null, "99.50"), en, "en").text).toBe(`Refunded ${formatAmount(null, "99.50", "TWD")}`);
    expect(describeEvent(session("SALE", null, "99.50"), en, "en").text).toBe(`Shopify asked for ${formatAmount(null, "99.50", "TWD")} (Sale)`);
  });

  it("flags a late or duplicate payment for review without the word Shopify uses for a pending payment", () => {
    for (const key of ["admin.timeline.latePayment", "admin.timeline.duplicatePayment"] as const) expect(zh(key)).not.toMatch(/待處理/);
  });

  it("heads the CSV in the shop's language, one header per column", () => {
    expect(exportHeaders("zh-TW")).toHaveLength(EXPORT_COLUMNS.length);
    expect(exportHeaders("zh-TW").slice(5, 7)).toEqual(["收款應用程式", "付款方式"]);
    expect(exportHeaders("en").slice(13)).toEqual(["Authorized", "Captured", "Refunded", "Net"]);
  });
});
