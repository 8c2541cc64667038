// The transactions index and detail (manual §6, §7). Always scoped by shop; shop-wide across the
// shop's apps (the method is a column and a filter), or one app's. Keyset pagination over the
// (shop, createdAt, id) index, or (shop, method, createdAt) per chosen app, so page 2,000 costs
// what page 1 costs.
import { Prisma, type PrismaClient } from "@prisma/client";
import { z } from "zod";
import { clientIsPostgres } from "../lib/prisma-client.server";
import { METHOD_HANDLES, type MethodHandle } from "../payments/methods";
import { atmDeadline } from "../payments/settlement.server";
import { PAYMENT_TYPE_PATTERN, usedPaymentType } from "./payment-types";
import { isCalendarDate } from "./date-range";
import { checkoutReference, DISPLAY_STATUSES, displayStatus, paymentMoney, STATUS_FILTER, type DisplayStatus, type PaymentMoney } from "./status";

export const PAGE_SIZE = 50;

const dateOnly = z.string().refine(isCalendarDate);

export const transactionQuerySchema = z.object({
  q: z.string().trim().max(128).optional().catch(undefined),
  status: z.enum(DISPLAY_STATUSES).optional().catch(undefined),
  test: z.enum(["test", "live"]).optional().catch(undefined),
  /** ECPay's PaymentType of the attempt (Credit_CreditCard, ATM_TAISHIN, …). */
  paymentType: z.string().max(41).regex(PAYMENT_TYPE_PATTERN).optional().catch(undefined),
  from: dateOnly.optional().catch(undefined),
  to: dateOnly.optional().catch(undefined),
  after: z.string().max(200).optional().catch(undefined),
  before: z.string().max(200).optional().catch(undefined),
  /** Only these apps' payments (our methods); none chosen: every app of the shop. */
  apps: z.array(z.enum(METHOD_HANDLES)).optional().catch(undefined),
});

export type TransactionQuery = z.output<typeof transactionQuerySchema>;

/**
 * Query-string values → a query; anything malformed is left out rather than trusted. The page
 * reports bad dates on their fields (checkDateRange) and lists nothing until they are fixed.
 */
export function parseTransactionQuery(params: URLSearchParams): TransactionQuery {
  const raw: Record<string, unknown> = Object.fromEntries([...params.entries()].filter(([key, value]) => value !== "" && key !== "app" && key !== "app[]"));
  // Repeated (?app=credit&app=atm; Polaris' ChoiceList names its checkboxes app[]); unknown ones dropped.
  const apps = new Set([...params.getAll("app"), ...params.getAll("app[]")]);
  const chosen = METHOD_HANDLES.filter((m) => apps.has(m));
  if (chosen.length) raw.apps = chosen;
  return transactionQuerySchema.parse(raw);
}

interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, "utf8").toString("base64url");
}

export function decodeCursor(value: string | undefined): Cursor | null {
  if (!value) return null;
  const text = Buffer.from(value, "base64url").toString("utf8");
  const bar = text.indexOf("|");
  if (bar < 0) return null;
  const createdAt = new Date(text.slice(0, bar));
  const id = text.slice(bar + 1);
  return Number.isNaN(createdAt.getTime()) || id === "" ? null : { createdAt, id };
}

/** A calendar day in Taiwan time (the merchant's day) as an instant range. */
export function taiwanDayStart(date: string): Date {
  return new Date(`${date}T00:00:00+08:00`);
}

export function taiwanDayEnd(date: string): Date {
  return new Date(taiwanDayStart(date).getTime() + 24 * 3600_000);
}

/**
 * Whole ids → this shop's session ids, at any age, by their unique indexes: the Shopify payment id
 * (or its gid), MerchantTradeNo (we issue it in upper case, so a lower-case paste still finds it)
 * and ECPay's TradeNo (digits).
 */
async function sessionIdsFor(db: PrismaClient, shop: string, q: string): Promise<string[]> {
  const id = q.replace(/^gid:\/\/shopify\/PaymentSession\//i, "");
  const tradeNos = [...new Set([q, q.toUpperCase()])];
  const [byTradeNo, byMerchantTradeNo] = await Promise.all([
    db.paymentAttempt.findMany({ where: { tradeNo: q }, select: { paymentSessionId: true }, take: 20 }),
    db.paymentAttempt.findMany({ where: { merchantTradeNo: { in: tradeNos } }, select: { paymentSessionId: true } }),
  ]);
  const ids = new Set<string>([id, ...byTradeNo.map((a) => a.paymentSessionId), ...byMerchantTradeNo.map((a) => a.paymentSessionId)]);
  // The shop (and app) filter is applied again by the caller: ids alone never grant access.
  const owned = await db.paymentSession.findMany({ where: { id: { in: [...ids] }, shop }, select: { id: true } });
  return owned.map((s) => s.id);
}

/**
 * How many of the shop's newest payments (within the other filters, e.g. the chosen dates) a
 * partial search reads. A substring of an id cannot be looked up in a B-tree index on SQLite or
 * PostgreSQL (a trigram index is PostgreSQL-only, and a table of every id's substrings would
 * weigh more than the payments), so partial matches are looked for among at most this many rows,
 * walked on the (shop, createdAt, id) index (or (shop, method, createdAt) for one app): the cost is the same at 100k rows as at 10k. A
 * whole id still finds a payment of any age (sessionIdsFor), and choosing dates moves the window.
 */
export const SEARCH_WINDOW = 10_000;

/**
 * Partial matches need this many characters (fewer would match most rows and say nothing), and
 * only the ids' letters, digits and "-": Prisma passes `contains` to LIKE unescaped, so "%" and
 * "_" would be wildcards. A query with them is looked up whole only.
 */
const PARTIAL_QUERY = /^[A-Za-z0-9-]{3,}$/;

/**
 * Case-insensitive "contains": SQLite's LIKE already ignores ASCII case (our ids are ASCII);
 * PostgreSQL's needs `mode: "insensitive"` (ILIKE), which the SQLite client refuses. One install
 * serves both (lib/prisma-client.server.ts), so the client in hand says which database it talks to.
 */
function containsInsensitive(db: PrismaClient, q: string): Prisma.StringFilter {
  return (clientIsPostgres(db) ? { contains: q, mode: "insensitive" } : { contains: q }) as Prisma.StringFilter;
}

/** Payments whose Payment ID, checkout id (in the cancel URL), MerchantTradeNo or TradeNo contain q. */
function partialMatch(db: PrismaClient, q: string): Prisma.PaymentSessionWhereInput {
  const contains = containsInsensitive(db, q);
  return {
    OR: [
      { id: contains },
      // The checkout token is only stored inside Shopify's cancel URL (status.ts checkoutReference).
      { cancelUrl: contains },
      { attempts: { some: { OR: [{ merchantTradeNo: contains }, { tradeNo: contains }] } } },
    ],
  };
}

/**
 * The search's conditions: a whole id anywhere, or a partial one among the newest SEARCH_WINDOW
 * payments that pass the filters, as separate branches (each one query on its own index; joined
 * by OR, PostgreSQL walked every row of the shop to find an old whole id). Also says where the
 * window begins, when it does not reach the oldest payment, so the page can tell the merchant.
 */
async function searchWhere(
  db: PrismaClient,
  shop: string,
  q: string,
  filters: Prisma.PaymentSessionWhereInput,
): Promise<{ branches: Prisma.PaymentSessionWhereInput[]; searchedSince: string | null }> {
  const exact: Prisma.PaymentSessionWhereInput = { id: { in: await sessionIdsFor(db, shop, q) } };
  if (!PARTIAL_QUERY.test(q)) return { branches: [exact], searchedSince: null };
  const edge = await db.paymentSession.findFirst({
    where: filters,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: SEARCH_WINDOW - 1,
    select: { createdAt: true, id: true },
  });
  // At or after the window's oldest row, in the list's (createdAt, id) order.
  const window: Prisma.PaymentSessionWhereInput = edge
    ? { createdAt: { gte: edge.createdAt }, NOT: { createdAt: edge.createdAt, id: { lt: edge.id } } }
    : {};
  return { branches: [exact, { AND: [window, partialMatch(db, q)] }], searchedSince: edge ? edge.createdAt.toISOString() : null };
}

/** The virtual account of a pending ATM payment: what the buyer was told to transfer to, and by when. */
export interface PendingAccount {
  bankCode: string;
  vAccount: string;
  /** ECPay's ExpireDate as sent (yyyy/MM/dd, Taiwan). */
  expireDate: string | null;
  /** The end of that day in Taiwan, as an instant (settlement's atmDeadline). */
  deadline: string | null;
}

export interface TransactionRow {
  id: string;
  /** The app (our payment method) the payment was made in. */
  method: MethodHandle;
  checkoutRef: string | null;
  merchantTradeNos: string[];
  tradeNo: string | null;
  /** ECPay's PaymentType of the attempt that paid (else the latest reported), e.g. ATM_TAISHIN. */
  paymentType: string | null;
  amount: number | null;
  amountRaw: string;
  currency: string;
  /** Authorized, captured, refunded, net and ECPay's fee, as ECPay and Shopify have them. */
  money: PaymentMoney;
  kind: "SALE" | "AUTHORIZATION";
  status: DisplayStatus;
  test: boolean;
  simulatePaid: boolean;
  flag: string | null;
  createdAt: string;
  /** Set while the payment waits for the buyer's transfer to an issued ATM account. */
  pendingAccount: PendingAccount | null;
}

export interface TransactionPage {
  rows: TransactionRow[];
  next: string | null;
  previous: string | null;
  /** A partial search read only the payments created since this instant (SEARCH_WINDOW). */
  searchedSince?: string | null;
  /** How many payments pass the filters, counted up to COUNT_LIMIT + 1 (then shown as "10,000+"). */
  count?: number;
}

/** Counting stops here: the count is for reading ("10,000+"), not worth a walk over 100k rows. */
export const COUNT_LIMIT = 10_000;

const rowSelect = {
  id: true,
  method: true,
  cancelUrl: true,
  amount: true,
  amountRaw: true,
  currency: true,
  kind: true,
  status: true,
  capturedAmount: true,
  refundedAmount: true,
  test: true,
  flag: true,
  createdAt: true,
  attempts: {
    select: {
      merchantTradeNo: true,
      tradeNo: true,
      paymentType: true,
      status: true,
      simulatePaid: true,
      chargeFee: true,
      bankCode: true,
      vAccount: true,
      expireDate: true,
      createdAt: true,
    },
    orderBy: { createdAt: "asc" },
  },
} satisfies Prisma.PaymentSessionSelect;

type RowSource = Prisma.PaymentSessionGetPayload<{ select: typeof rowSelect }>;

function pendingAccountOf(session: RowSource): PendingAccount | null {
  if (session.status !== "PENDING") return null;
  const issued = [...session.attempts].reverse().find((a) => a.status === "ISSUED" && a.bankCode && a.vAccount);
  if (!issued?.bankCode || !issued.vAccount) return null;
  const deadline = issued.expireDate ? atmDeadline(issued.expireDate) : null;
  return { bankCode: issued.bankCode, vAccount: issued.vAccount, expireDate: issued.expireDate, deadline: deadline?.toISOString() ?? null };
}

export function toRow(session: RowSource): TransactionRow {
  const paid = session.attempts.find((a) => a.status === "PAID") ?? [...session.attempts].reverse().find((a) => a.tradeNo);
  return {
    id: session.id,
    method: session.method,
    checkoutRef: checkoutReference(session.cancelUrl),
    merchantTradeNos: session.attempts.map((a) => a.merchantTradeNo),
    tradeNo: paid?.tradeNo ?? null,
    paymentType: usedPaymentType(session.attempts),
    amount: session.amount,
    amountRaw: session.amountRaw,
    currency: session.currency,
    money: paymentMoney(session, paid?.chargeFee),
    kind: session.kind,
    status: displayStatus(session.status, session.attempts.map((a) => a.status), session),
    test: session.test,
    simulatePaid: session.attempts.some((a) => a.simulatePaid),
    flag: session.flag,
    createdAt: session.createdAt.toISOString(),
    pendingAccount: pendingAccountOf(session),
  };
}

/** The columns a filter compares with each other (PrismaClient.paymentSession.fields). */
type SessionFields = PrismaClient["paymentSession"]["fields"];

export function filterWhere(shop: string, query: TransactionQuery, fields: SessionFields): Prisma.PaymentSessionWhereInput {
  const where: Prisma.PaymentSessionWhereInput = { shop };
  if (query.apps?.length) where.method = query.apps.length === 1 ? query.apps[0] : { in: query.apps };
  const attempts: Prisma.PaymentSessionWhereInput[] = [];
  if (query.status) {
    where.status = { in: [...STATUS_FILTER[query.status]] };
    // An authorization captured in part (displayStatus): less captured than authorized.
    const partial: Prisma.PaymentSessionWhereInput = { kind: "AUTHORIZATION", capturedAmount: { gt: 0, lt: fields.amount } };
    if (query.status === "partiallyPaid") attempts.push(partial);
    if (query.status === "paid") attempts.push({ NOT: partial });
    if (query.status === "expired") attempts.push({ attempts: { some: { status: "EXPIRED" } } });
    if (query.status === "failed") attempts.push({ attempts: { none: { status: "EXPIRED" } } });
  }
  if (query.paymentType) attempts.push({ attempts: { some: { paymentType: query.paymentType } } });
  if (attempts.length) where.AND = attempts;
  if (query.test) where.test = query.test === "test";
  if (query.from || query.to) {
    where.createdAt = {
      ...(query.from && { gte: taiwanDayStart(query.from) }),
      ...(query.to && { lt: taiwanDayEnd(query.to) }),
    };
  }
  return where;
}

/**
 * The conditions one query each walks on an index, newest first: the shop's payments on
 * (shop, createdAt, id); with apps chosen, one branch per app on (shop, method, createdAt), as
 * "method IN (…)" ordered by date would read every row of those apps and sort them. A search
 * brings its own branches (searchWhere), each already within the chosen apps.
 */
function appBranches(query: TransactionQuery): Prisma.PaymentSessionWhereInput[] | null {
  if (!query.apps || query.apps.length < 2) return null;
  return query.apps.map((method) => ({ method }));
}

/** How many payments pass the filters, up to COUNT_LIMIT + 1; branches are disjoint or their ids are merged. */
async function boundedCount(db: PrismaClient, where: Prisma.PaymentSessionWhereInput, branches: Prisma.PaymentSessionWhereInput[] | null, disjoint: boolean): Promise<number> {
  const take = COUNT_LIMIT + 1;
  if (!branches) return db.paymentSession.count({ where, take });
  if (disjoint) {
    const counts = await Promise.all(branches.map((branch) => db.paymentSession.count({ where: { AND: [where, branch] }, take })));
    return Math.min(take, counts.reduce((sum, n) => sum + n, 0));
  }
  const ids = await Promise.all(branches.map((branch) => db.paymentSession.findMany({ where: { AND: [where, branch] }, select: { id: true }, take })));
  return Math.min(take, new Set(ids.flat().map((row) => row.id)).size);
}

/**
 * One page of the shop's payments, newest first, across its apps or the chosen ones
 * (query.apps). `after` continues to older rows, `before` goes back to newer ones.
 */
export async function listShopTransactions(db: PrismaClient, shop: string, query: TransactionQuery, pageSize = PAGE_SIZE): Promise<TransactionPage> {
  const where = filterWhere(shop, query, db.paymentSession.fields);
  const and: Prisma.PaymentSessionWhereInput[] = [where];
  const search = query.q ? await searchWhere(db, shop, query.q, where) : null;
  const branches = search?.branches ?? appBranches(query);

  const after = decodeCursor(query.after);
  const before = after ? null : decodeCursor(query.before);
  // "createdAt <= c AND NOT (createdAt = c AND id >= id_c)": a range the index can seek to.
  const cursor: Prisma.PaymentSessionWhereInput[] = [];
  if (after) cursor.push({ createdAt: { lte: after.createdAt }, NOT: { createdAt: after.createdAt, id: { gte: after.id } } });
  if (before) cursor.push({ createdAt: { gte: before.createdAt }, NOT: { createdAt: before.createdAt, id: { lte: before.id } } });
  and.push(...cursor);

  const direction = before ? "asc" : "desc";
  const orderBy = [{ createdAt: direction }, { id: direction }] satisfies Prisma.PaymentSessionOrderByWithRelationInput[];
  let ids: string[] | null = null;
  if (branches) {
    // Each branch is paged alike; the first pageSize + 1 of their union are among the first
    // pageSize + 1 of each, and the database orders those few (its collation decides ties).
    const found = await Promise.all(
      branches.map((branch) => db.paymentSession.findMany({ where: { AND: [...and, branch] }, orderBy, take: pageSize + 1, select: { id: true } })),
    );
    ids = [...new Set(found.flat().map((row) => row.id))];
  }
  const found = await db.paymentSession.findMany({
    where: ids ? { id: { in: ids }, AND: and } : { AND: and },
    orderBy,
    take: pageSize + 1,
    select: rowSelect,
  });
  const more = found.length > pageSize;
  // A first page that is not full holds every match (no branch was cut either): nothing to count.
  const count = !after && !before && !more ? found.length : await boundedCount(db, where, branches ?? null, !search);
  const page = found.slice(0, pageSize);
  if (before) page.reverse();
  const rows = page.map(toRow);
  const first = page[0];
  const last = page[page.length - 1];
  const hasOlder = before ? true : more;
  const hasNewer = before ? more : Boolean(after);
  return {
    rows,
    next: hasOlder && last ? encodeCursor(last) : null,
    previous: hasNewer && first ? encodeCursor(first) : null,
    searchedSince: search?.searchedSince ?? null,
    count,
  };
}

/** One app's payments (its test-mode page, the chaos checks): the shop-wide list narrowed to it. */
export async function listTransactions(db: PrismaClient, shop: string, method: MethodHandle, query: TransactionQuery, pageSize = PAGE_SIZE): Promise<TransactionPage> {
  return listShopTransactions(db, shop, { ...query, apps: [method] }, pageSize);
}

/** The apps of this shop (ShopInstallation rows, installed or not: their payments stay), in the registry's order. */
export async function shopApps(db: Pick<PrismaClient, "shopInstallation">, shop: string): Promise<MethodHandle[]> {
  const rows = await db.shopInstallation.findMany({ where: { shop }, select: { method: true } });
  const methods = new Set<string>(rows.map((row) => row.method));
  return METHOD_HANDLES.filter((m) => methods.has(m));
}

// ---------------------------------------------------------------- detail

/** Messages per timeline page: a flood of ECPay messages must not make the page load them all. */
export const MESSAGE_PAGE_SIZE = 50;

export interface MessageCursor {
  /** Continue to older messages. */
  after?: string;
  /** Go back to newer messages. */
  before?: string;
}

/** One page of a payment's ECPay messages, newest first, by (receivedAt, id). */
async function messagePage(db: PrismaClient, method: MethodHandle, tradeNos: string[], cursor: MessageCursor, pageSize: number) {
  if (!tradeNos.length) return { notifications: [], older: null, newer: null };
  const after = decodeCursor(cursor.after);
  const before = after ? null : decodeCursor(cursor.before);
  const and: Prisma.EcpayNotificationWhereInput[] = [{ merchantTradeNo: { in: tradeNos }, method }];
  if (after) and.push({ receivedAt: { lte: after.createdAt }, NOT: { receivedAt: after.createdAt, id: { gte: after.id } } });
  if (before) and.push({ receivedAt: { gte: before.createdAt }, NOT: { receivedAt: before.createdAt, id: { lte: before.id } } });
  const direction = before ? "asc" : "desc";
  const found = await db.ecpayNotification.findMany({
    where: { AND: and },
    orderBy: [{ receivedAt: direction }, { id: direction }],
    take: pageSize + 1,
  });
  const more = found.length > pageSize;
  const page = found.slice(0, pageSize);
  if (before) page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  const hasOlder = before ? true : more;
  const hasNewer = before ? more : Boolean(after);
  return {
    notifications: page,
    older: hasOlder && last ? encodeCursor({ createdAt: last.receivedAt, id: last.id }) : null,
    newer: hasNewer && first ? encodeCursor({ createdAt: first.receivedAt, id: first.id }) : null,
  };
}

/**
 * The app a payment of this shop was made in, or null when the shop has no such payment: any of
 * the shop's apps opens it (the shop-wide list links to it), and acts on it as its own app.
 */
export async function paymentMethodOf(db: PrismaClient, shop: string, paymentId: string): Promise<MethodHandle | null> {
  const session = await db.paymentSession.findFirst({ where: { id: paymentId, shop }, select: { method: true } });
  return session?.method ?? null;
}

/** One payment of the shop, in whichever of its apps it was made; another shop's is null. */
export async function transactionDetail(db: PrismaClient, shop: string, paymentId: string, messages: MessageCursor = {}, messagePageSize = MESSAGE_PAGE_SIZE) {
  const session = await db.paymentSession.findFirst({
    where: { id: paymentId, shop },
    include: { attempts: { orderBy: { createdAt: "asc" } }, operations: { orderBy: { createdAt: "asc" } } },
  });
  if (!session) return null;
  // The payment's own app: its ECPay messages and Shopify calls are filed under it.
  const method = session.method;
  const tradeNos = session.attempts.map((a) => a.merchantTradeNo);
  const subjects = [session.id, ...session.operations.map((o) => o.id)];
  const [page, outbox] = await Promise.all([
    messagePage(db, method, tradeNos, messages, messagePageSize),
    db.outboxMessage.findMany({
      where: { subjectId: { in: subjects }, shop, method },
      include: { log: { orderBy: { at: "asc" } } },
      orderBy: { createdAt: "asc" },
    }),
  ]);
  return { session, notifications: page.notifications, messagePages: { older: page.older, newer: page.newer }, outbox };
}

export type TransactionDetail = NonNullable<Awaited<ReturnType<typeof transactionDetail>>>;
