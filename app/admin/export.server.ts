// Reconciliation CSV (manual §7-2): the columns of ECPay's "匯出(Shopify專用)" export, one row per
// payment, UTF-8 with a BOM so Excel reads the Chinese headers. Pages through the database by
// keyset, so a year of payments streams in constant memory.
import type { Prisma, PrismaClient } from "@prisma/client";
import { z } from "zod";
import { paymentTypeLabel, usedPaymentType } from "./payment-types";
import { displayStatus, paymentMoney, STATUS_LABELS } from "./status";
import { formatTaiwanDateTime } from "../lib/taiwan-time";
import { t, type Locale } from "../i18n";
import { getMethod, METHOD_HANDLES, type MethodHandle } from "../payments/methods";

export const BOM = "\uFEFF";

export const EXPORT_COLUMNS = [
  "商店代號",
  // ECPay's export names the ECPay store; ours names the Shopify store it was paid in.
  "商店名稱",
  "綠界訂單編號",
  "廠商訂單編號",
  "PaymentID",
  "付款方式",
  "交易金額",
  "手續費",
  "訂單成立時間",
  "付款時間",
  "交易狀態",
  "測試",
  // Ours, after ECPay's columns so their positions stay: the money as ECPay and Shopify have it,
  // whole TWD as plain integers (ECPay's exports, e.g. 信用卡交易明細's 授權金額/結帳金額, do the same).
  "授權金額",
  "請款金額",
  "退款金額",
  "淨額",
] as const;

const dateOnly = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2025-01-31")
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00+08:00`)), "is not a real date");

export const exportArgs = z
  .object({
    shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be a permanent shop domain like example.myshopify.com"),
    method: z.enum(METHOD_HANDLES),
    from: dateOnly,
    to: dateOnly,
    locale: z.enum(["zh-TW", "en"]).default("zh-TW"),
  })
  .refine((args) => args.from <= args.to, { path: ["to"], message: "must not be before --from" });

export type ExportArgs = z.input<typeof exportArgs>;
type ParsedExportArgs = z.output<typeof exportArgs>;


/** RFC 4180 quoting; a leading = + - @ is neutralised so a spreadsheet never runs a cell as a formula. */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: ReadonlyArray<string | number | null | undefined>): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

const exportSelect = {
  id: true,
  shop: true,
  method: true,
  amount: true,
  amountRaw: true,
  kind: true,
  capturedAmount: true,
  refundedAmount: true,
  status: true,
  test: true,
  createdAt: true,
  attempts: {
    select: { merchantId: true, merchantTradeNo: true, tradeNo: true, paymentType: true, status: true, chargeFee: true, paymentDate: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  },
} satisfies Prisma.PaymentSessionSelect;

type ExportSource = Prisma.PaymentSessionGetPayload<{ select: typeof exportSelect }>;

function exportRow(session: ExportSource, locale: Locale): string {
  // The attempt that took the money, else the latest one ECPay knows of, else the latest.
  const attempt =
    session.attempts.find((a) => a.status === "PAID") ??
    [...session.attempts].reverse().find((a) => a.tradeNo) ??
    session.attempts[session.attempts.length - 1];
  const status = displayStatus(session.status, session.attempts.map((a) => a.status), session);
  // The fee only where ECPay took money: a voided or never-captured authorization has none.
  const money = paymentMoney(session, attempt?.chargeFee);
  // What the buyer actually paid with (ECPay's PaymentType, as in the admin's list), else the app.
  const paymentType = usedPaymentType(session.attempts);
  const app = (METHOD_HANDLES as readonly string[]).includes(session.method) ? getMethod(session.method as MethodHandle).serviceName[locale] : session.method;
  const method = paymentType ? paymentTypeLabel(locale, paymentType) : app;
  return csvLine([
    attempt?.merchantId ?? "",
    session.shop,
    attempt?.tradeNo ?? "",
    attempt?.merchantTradeNo ?? "",
    session.id,
    method,
    session.amount ?? session.amountRaw,
    money.fee ?? "",
    formatTaiwanDateTime(session.createdAt),
    attempt?.paymentDate ?? "",
    t(locale, STATUS_LABELS[status]),
    session.test ? "Y" : "N",
    money.authorized ?? session.amountRaw,
    money.captured,
    money.refunded,
    money.net,
  ]);
}

/** The CSV as chunks: BOM + header, then one chunk per page of rows. */
export async function* exportCsvChunks(db: PrismaClient, input: ExportArgs, pageSize = 500): AsyncGenerator<string> {
  const args: ParsedExportArgs = exportArgs.parse(input);
  const from = new Date(`${args.from}T00:00:00+08:00`);
  const to = new Date(new Date(`${args.to}T00:00:00+08:00`).getTime() + 24 * 3600_000);
  yield BOM + csvLine(EXPORT_COLUMNS);
  let cursor: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const page: ExportSource[] = await db.paymentSession.findMany({
      where: {
        shop: args.shop,
        method: args.method,
        createdAt: { gte: from, lt: to },
        ...(cursor && { AND: [{ createdAt: { gte: cursor.createdAt } }, { NOT: { createdAt: cursor.createdAt, id: { lte: cursor.id } } }] }),
      },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: pageSize,
      select: exportSelect,
    });
    if (page.length === 0) return;
    yield page.map((session) => exportRow(session, args.locale)).join("");
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    cursor = { createdAt: last.createdAt, id: last.id };
  }
}

/** A byte stream for an HTTP response; pulls the next page only when the client reads on. */
export function exportCsvStream(db: PrismaClient, input: ExportArgs): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const chunks = exportCsvChunks(db, input);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

export function exportFileName(args: Pick<ExportArgs, "shop" | "method" | "from" | "to">): string {
  return `ecpay-${args.method}-${args.shop.replace(/\.myshopify\.com$/, "")}-${args.from}_${args.to}.csv`;
}
