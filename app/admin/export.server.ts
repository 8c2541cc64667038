// Reconciliation CSV (manual §7-2): the columns of ECPay's "匯出(Shopify專用)" export plus the
// money as it moved (authorized, captured, refunded, net), one row per payment of every chosen app
// of the shop, headers and words in the shop's language, UTF-8 with a BOM so Excel reads Chinese.
// Pages through the database by keyset, so a year of payments streams in constant memory.
import type { Prisma, PrismaClient } from "@prisma/client";
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import { checkDateRange } from "./date-range";
import { storeName } from "./shop-settings.server";
import { paymentTypeLabel, usedPaymentType } from "./payment-types";
import { displayStatus, paymentMoney, STATUS_LABELS } from "./status";
import { formatTaiwanDateTime } from "../lib/taiwan-time";
import { t, type Locale, type MessageKey } from "../i18n";
import type { ShopDomain } from "../payments/ids";
import type { Deps } from "../payments/ports";
import { shopApps } from "./transactions.server";
import { getMethod, isMethodHandle, METHOD_HANDLES, type MethodHandle } from "../payments/methods";

export const BOM = "\uFEFF";

/** The columns, in order; each header is in the shop's language (app/i18n/messages/admin-export.ts). */
export const EXPORT_COLUMNS = [
  "export.col.merchantId",
  // ECPay's export names the ECPay store; ours names the Shopify store it was paid in (Shopify's shop name).
  "export.col.storeName",
  "export.col.tradeNo",
  "export.col.merchantTradeNo",
  "export.col.paymentId",
  // Which of our apps took the payment, and what the buyer actually paid with (ECPay's PaymentType):
  // two columns, never one that mixes the two.
  "export.col.app",
  "export.col.paymentType",
  "export.col.amount",
  "export.col.fee",
  "export.col.createdAt",
  "export.col.paymentDate",
  "export.col.status",
  "export.col.test",
  // Ours, after ECPay's columns: the money as ECPay and Shopify have it, whole TWD as plain
  // integers (ECPay's exports, e.g. 信用卡交易明細's 授權金額/結帳金額, do the same; NT$2,380 would
  // be text to a spreadsheet and could not be summed).
  "export.col.authorized",
  "export.col.captured",
  "export.col.refunded",
  "export.col.net",
] as const satisfies readonly MessageKey[];

export function exportHeaders(locale: Locale): string[] {
  return EXPORT_COLUMNS.map((key) => t(locale, key));
}

const dateOnly = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2025-01-31")
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00+08:00`)), "is not a real date");

export const exportArgs = z
  .object({
    shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be a permanent shop domain like example.myshopify.com"),
    /** The apps whose payments go in the file (one file for the shop). */
    methods: z
      .array(z.enum(METHOD_HANDLES))
      .min(1, "choose at least one method")
      .transform((methods) => METHOD_HANDLES.filter((m) => methods.includes(m))),
    from: dateOnly,
    to: dateOnly,
    locale: z.enum(["zh-TW", "en"]).default("zh-TW"),
    /** Shopify's name for the store; the domain when Shopify could not tell. */
    storeName: z.string().nullish(),
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

function exportRow(session: ExportSource, args: ParsedExportArgs): string {
  const { locale } = args;
  // The attempt that took the money, else the latest one ECPay knows of, else the latest.
  const attempt =
    session.attempts.find((a) => a.status === "PAID") ??
    [...session.attempts].reverse().find((a) => a.tradeNo) ??
    session.attempts[session.attempts.length - 1];
  const status = displayStatus(session.status, session.attempts.map((a) => a.status), session);
  // The fee only where ECPay took money: a voided or never-captured authorization has none.
  const money = paymentMoney(session, attempt?.chargeFee);
  // What the buyer actually paid with (ECPay's PaymentType, as in the admin's list); empty until ECPay says.
  const paymentType = paymentTypeLabel(locale, usedPaymentType(session.attempts));
  const app = isMethodHandle(session.method) ? getMethod(session.method).serviceName[locale] : session.method;
  return csvLine([
    attempt?.merchantId ?? "",
    args.storeName || session.shop,
    attempt?.tradeNo ?? "",
    attempt?.merchantTradeNo ?? "",
    session.id,
    app,
    paymentType,
    session.amount ?? session.amountRaw,
    money.fee ?? "",
    formatTaiwanDateTime(session.createdAt),
    attempt?.paymentDate ?? "",
    t(locale, STATUS_LABELS[status]),
    t(locale, session.test ? "export.yes" : "export.no"),
    money.authorized ?? session.amountRaw,
    money.captured,
    money.refunded,
    money.net,
  ]);
}

type Cursor = { createdAt: Date; id: string };

const before = (a: Cursor, b: Cursor) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** One app's payments in (createdAt, id) order, a keyset page at a time on @@index([shop, method, createdAt]). */
async function* methodRows(db: PrismaClient, args: ParsedExportArgs, method: MethodHandle, range: { from: Date; to: Date }, pageSize: number): AsyncGenerator<ExportSource> {
  let cursor: Cursor | null = null;
  for (;;) {
    const page: ExportSource[] = await db.paymentSession.findMany({
      where: {
        shop: args.shop,
        method,
        createdAt: { gte: range.from, lt: range.to },
        ...(cursor && { AND: [{ createdAt: { gte: cursor.createdAt } }, { NOT: { createdAt: cursor.createdAt, id: { lte: cursor.id } } }] }),
      },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: pageSize,
      select: exportSelect,
    });
    yield* page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    cursor = { createdAt: last.createdAt, id: last.id };
  }
}

/**
 * The CSV as chunks: BOM + header, then up to pageSize rows per chunk. One file for the shop: each
 * chosen app's rows are read by its own index and merged in time order, so memory stays at one page
 * per app however long the range.
 */
export async function* exportCsvChunks(db: PrismaClient, input: ExportArgs, pageSize = 500): AsyncGenerator<string> {
  const args: ParsedExportArgs = exportArgs.parse(input);
  const range = { from: new Date(`${args.from}T00:00:00+08:00`), to: new Date(new Date(`${args.to}T00:00:00+08:00`).getTime() + 24 * 3600_000) };
  yield BOM + csvLine(exportHeaders(args.locale));
  const sources = args.methods.map((method) => methodRows(db, args, method, range, pageSize));
  const heads = await Promise.all(sources.map((source) => source.next()));
  try {
    let chunk: string[] = [];
    for (;;) {
      let pick = -1;
      heads.forEach((head, i) => {
        if (!head.done && (pick < 0 || before(head.value, (heads[pick] as IteratorYieldResult<ExportSource>).value) < 0)) pick = i;
      });
      if (pick < 0) break;
      chunk.push(exportRow((heads[pick] as IteratorYieldResult<ExportSource>).value, args));
      if (chunk.length >= pageSize) {
        yield chunk.join("");
        chunk = [];
      }
      heads[pick] = await sources[pick]!.next();
    }
    if (chunk.length > 0) yield chunk.join("");
  } finally {
    await Promise.all(sources.map((source) => source.return(undefined)));
  }
}

export interface ShopExport {
  args: ParsedExportArgs;
  fileName: string;
}

/**
 * The one CSV of a shop, as the admin and the operator ask for it: the range (Taiwan days), the
 * chosen apps (none chosen: every app the shop installed), the store's name from Shopify. Err: one
 * line per problem, "<field>=<value>: <what is wrong>", in the merchant's language.
 */
export async function prepareShopExport(
  deps: Pick<Deps, "db" | "tokens" | "shopAdmin" | "now">,
  input: { shop: ShopDomain; locale: Locale; methods: readonly string[]; from: string; to: string },
): Promise<Result<ShopExport, string[]>> {
  const installed = await shopApps(deps.db, input.shop);
  const problems: string[] = [];
  const errors = checkDateRange(input.from, input.to, { required: true });
  for (const field of ["from", "to"] as const) {
    const key = errors[field];
    if (key) problems.push(`${field}=${input[field]}: ${t(input.locale, key)}`);
  }
  for (const method of input.methods) {
    if (!installed.includes(method as MethodHandle)) problems.push(`method=${method}: ${t(input.locale, "export.unknownMethod", { method })}`);
  }
  const methods = input.methods.length > 0 ? input.methods : installed;
  if (methods.length === 0) problems.push(`method=: ${t(input.locale, "export.noMethod")}`);
  if (problems.length > 0) return err(problems);
  const storeNameOf = await storeName(deps, input.shop, installed);
  const args = exportArgs.parse({ shop: input.shop, methods, from: input.from.trim(), to: input.to.trim(), locale: input.locale, storeName: storeNameOf });
  return ok({ args, fileName: exportFileName(args, installed) });
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

/** ecpay-<shop>-<from>_<to>.csv for every app of the shop; with the apps' handles when only some were chosen. */
export function exportFileName(args: Pick<ParsedExportArgs, "shop" | "methods" | "from" | "to">, installed: readonly MethodHandle[]): string {
  const handle = args.shop.replace(/\.myshopify\.com$/, "");
  const all = installed.every((m) => args.methods.includes(m));
  return `ecpay-${handle}${all ? "" : `-${args.methods.join("+")}`}-${args.from}_${args.to}.csv`;
}
