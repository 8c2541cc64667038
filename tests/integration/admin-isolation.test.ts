// The merchant admin over real HTTP against the built server: one shop's admin can never read or
// act on another shop's payments (its own apps' payments are one shop-wide list), exports only its
// own rows, and refuses bad input without saving anything.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { listShopTransactions } from "~/admin/transactions.server";
import type { MethodHandle } from "~/payments/methods";
import { adminClient } from "../support/admin-session";
import { startAppServer, type AppServer } from "../support/app-server";
import { cloneDatabase, type TestDatabase } from "../support/database";
import { prismaFor } from "../support/db-client";
import { runOps } from "../support/ops";
import { testAppEnv } from "../support/test-env";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";

const SHOP_A = "admin-shop-a.myshopify.com";
const SHOP_B = "admin-shop-b.myshopify.com";
/** Installed, never paid: the list's "no payments yet". */
const SHOP_C = "admin-shop-c.myshopify.com";
const KEYS = ["--merchant-id", "3002607", "--hash-key", "pwFHCqoQZGmho4w6", "--hash-iv", "EkRm7iFT261dpevs"];

let db: TestDatabase;
let prisma: PrismaClient;
let server: AppServer;
let env: Record<string, string>;
let shopify: ShopifySimulator;
const STORE_NAME_A = "阿明的茶行, \"Ming's Tea\"";
const token = (method: string, shop: string) => `shpat_${method}_${shop.slice(11, 17)}`;

function seed(method: string, shop: string) {
  const result = runOps(["seed-shop", "--method", method, "--shop", shop, "--access-token", token(method, shop), ...KEYS], env);
  expect(result.status, result.stderr).toBe(0);
}

interface PaymentExtra {
  test?: boolean;
  createdAt?: Date;
  paymentType?: string;
  amount?: number;
  kind?: "SALE" | "AUTHORIZATION";
  status?: "PAID" | "PARTIALLY_REFUNDED" | "AUTHORIZED";
  capturedAmount?: number;
  refundedAmount?: number;
  chargeFee?: string;
}

async function payment(shop: string, method: MethodHandle, id: string, extra: PaymentExtra = {}) {
  const amount = extra.amount ?? 4321;
  await prisma.paymentSession.create({
    data: {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      method,
      shop,
      group: `g-${id}`,
      amount,
      amountRaw: `${amount}.00`,
      currency: "TWD",
      kind: extra.kind ?? "SALE",
      test: extra.test ?? false,
      status: extra.status ?? "PAID",
      capturedAmount: extra.capturedAmount ?? 0,
      refundedAmount: extra.refundedAmount ?? 0,
      cancelUrl: `https://${shop}/checkouts/cn/tok${id}/processing`,
      proposedAt: new Date(),
      createdAt: extra.createdAt ?? new Date(),
      attempts: {
        create: { merchantTradeNo: `M${id}`.slice(0, 20), merchantId: "3002607", stage: false, status: "PAID", amount, tradeNo: `T${id}`.slice(0, 20), paymentType: extra.paymentType ?? null, chargeFee: extra.chargeFee ?? null },
      },
    },
  });
}

let get: ReturnType<typeof adminClient>["get"];
let post: ReturnType<typeof adminClient>["post"];

beforeAll(async () => {
  db = await cloneDatabase(inject("templateDatabaseUrl"));
  prisma = prismaFor(db.url);
  // Shopify's Admin API answers the store's name (the CSV's 商店名稱); nothing else is asked of it here.
  shopify = await startShopifySimulator({ appOrigin: "http://127.0.0.1:9" });
  shopify.addShop(SHOP_A, { credit: token("credit", SHOP_A), atm: token("atm", SHOP_A), installments: token("installments", SHOP_A) }, { name: STORE_NAME_A });
  shopify.addShop(SHOP_B, { credit: token("credit", SHOP_B) }, { name: "Shop B's name" });
  env = testAppEnv({ DATABASE_URL: db.url, DISABLE_WORKERS: "1", SHOPIFY_PAYMENTS_API_ORIGIN: shopify.paymentsApiOrigin });
  server = await startAppServer(env);
  ({ get, post } = adminClient(server.origin, prisma));
  seed("credit", SHOP_A);
  seed("atm", SHOP_A);
  seed("installments", SHOP_A);
  seed("credit", SHOP_B);
  seed("webatm", SHOP_C);
  await payment(SHOP_A, "credit", "aPayment0000000001", { createdAt: new Date("2025-03-10T04:00:00Z"), paymentType: "Credit_CreditCard" });
  await payment(SHOP_A, "credit", "aPaymentTest000002", { test: true, createdAt: new Date("2025-03-11T04:00:00Z") });
  await payment(SHOP_A, "atm", "aAtmPayment0000003", { createdAt: new Date("2025-03-10T05:00:00Z"), paymentType: "ATM_TAISHIN" });
  await payment(SHOP_A, "atm", "aAtmPayment0000004", { createdAt: new Date("2025-03-10T05:30:00Z"), paymentType: "ATM_BOT" });
  await payment(SHOP_B, "credit", "bPayment0000000001", { createdAt: new Date("2025-03-10T06:00:00Z") });
  // Waiting for the buyer's transfer to the account ECPay issued.
  await prisma.paymentSession.create({
    data: {
      id: "aAtmPending00000005",
      gid: "gid://shopify/PaymentSession/aAtmPending00000005",
      method: "atm",
      shop: SHOP_A,
      group: "g-aAtmPending00000005",
      amount: 1200,
      amountRaw: "1200.00",
      currency: "TWD",
      kind: "SALE",
      test: false,
      status: "PENDING",
      cancelUrl: `https://${SHOP_A}/checkouts/cn/tokPending/processing`,
      proposedAt: new Date(),
      createdAt: new Date("2025-02-27T05:00:00Z"), // before the CSV tests' March
      attempts: {
        create: { merchantTradeNo: "MaAtmPending0000005", merchantId: "3002607", stage: false, status: "ISSUED", amount: 1200, tradeNo: "2503091300001234", paymentType: "ATM_TAISHIN", bankCode: "812", vAccount: "9103522175887271", expireDate: "2025/03/12" },
      },
    },
  });
  await prisma.outboxMessage.create({
    data: { id: "outbox-of-shop-a-atm", shop: SHOP_A, method: "atm", mutation: "paymentSessionResolve", subjectId: "aAtmPayment0000003", variables: "{}", status: "FAILED", nextAttemptAt: new Date("2030-01-01T00:00:00Z") },
  });
  // An authorization of NT$5,000, NT$3,000 captured, NT$1,000 of that refunded; ECPay's fee NT$75.
  await payment(SHOP_A, "installments", "aPartialCapRefund05", {
    createdAt: new Date("2025-03-12T02:00:00Z"),
    paymentType: "Credit_CreditCard",
    amount: 5000,
    kind: "AUTHORIZATION",
    status: "PARTIALLY_REFUNDED",
    capturedAmount: 3000,
    refundedAmount: 1000,
    chargeFee: "75",
  });
  await prisma.outboxMessage.create({
    data: { id: "outbox-of-shop-b", shop: SHOP_B, method: "credit", mutation: "paymentSessionResolve", subjectId: "bPayment0000000001", variables: "{}", status: "FAILED", nextAttemptAt: new Date("2030-01-01T00:00:00Z") },
  });
});

afterAll(async () => {
  await server?.stop();
  await shopify?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

describe("one shop's admin and another shop's payments", () => {
  it("answers 404 for the detail URL of another shop's payment id, without any of its data", async () => {
    const response = await get("/apps/credit/transactions/bPayment0000000001", "credit", SHOP_A);
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).not.toContain("TbPayment0000000001");
    expect(html).not.toContain("MbPayment0000000001");
    expect(html).not.toContain(SHOP_B);
  });

  it("shows the payment to the shop that owns it", async () => {
    const response = await get("/apps/credit/transactions/bPayment0000000001", "credit", SHOP_B);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("TbPayment0000000001");
  });

  it("opens the shop's own payment from another of its apps, saying which app took it", async () => {
    const fromAtm = await get("/apps/atm/transactions/aPayment0000000001", "atm", SHOP_A);
    expect(fromAtm.status).toBe(200);
    const html = await fromAtm.text();
    expect(html).toContain("TaPayment0000000001");
    expect(html).toMatch(/id="other-app"[^>]*data-method="credit"/);
    const fromCredit = await get("/apps/credit/transactions/aAtmPayment0000003", "credit", SHOP_A);
    expect(fromCredit.status).toBe(200);
    expect(await fromCredit.text()).toMatch(/id="detail-app" data-method="atm"/);
    // Its own app's page has no such note.
    expect(await (await get("/apps/credit/transactions/aPayment0000000001", "credit", SHOP_A)).text()).not.toContain('id="other-app"');
  });

  it("answers 404 for another shop's payment from every app of the shop, and acts on none of it", async () => {
    for (const method of ["credit", "atm", "installments"]) {
      const response = await get("/apps/" + method + "/transactions/bPayment0000000001", method, SHOP_A);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain("TbPayment0000000001");
      expect((await post("/apps/" + method + "/transactions/bPayment0000000001", method, SHOP_A, { intent: "query" })).status).toBe(404);
    }
  });

  it("never lists or finds another shop's payment, whichever id is searched", async () => {
    const list = await (await get("/apps/credit/transactions", "credit", SHOP_A)).text();
    expect(list).toContain("aPayment0000000001");
    expect(list).not.toContain("bPayment0000000001");
    for (const q of ["bPayment0000000001", "MbPayment0000000001", "TbPayment0000000001"]) {
      // The query itself is echoed in the search field: look for the row, not the string.
      const found = await (await get(`/apps/credit/transactions?q=${q}`, "credit", SHOP_A)).text();
      expect(found).toContain("沒有符合條件的交易");
      expect(found).not.toContain("/transactions/bPayment0000000001");
    }
    const own = await (await get("/apps/credit/transactions?q=TaPayment0000000001", "credit", SHOP_A)).text();
    expect(own).toContain("/transactions/aPayment0000000001");
    expect(own).not.toContain("/transactions/aPaymentTest000002");
  });

  it("filters by the ECPay payment method actually used and shows it on each row", async () => {
    const taishin = await (await get("/apps/atm/transactions?paymentType=ATM_TAISHIN", "atm", SHOP_A)).text();
    expect(taishin).toContain("/transactions/aAtmPayment0000003");
    expect(taishin).not.toContain("/transactions/aAtmPayment0000004");
    expect(taishin).toContain("ATM虛擬帳號（台新銀行）");
    const all = await (await get("/apps/atm/transactions", "atm", SHOP_A)).text();
    expect(all).toContain("ATM虛擬帳號（臺灣銀行）");
    expect(all).toContain("/transactions/aAtmPayment0000004");
  });

  it("shows a bad or reversed filter date on its field and lists nothing instead of dropping it", async () => {
    for (const [query, field, message] of [
      ["from=2025-03-31&to=2025-03-01", "filter-to", "結束日期不可早於開始日期"],
      ["from=2025-02-30", "filter-from", "請輸入有效的日期"],
    ] as const) {
      const html = await (await get(`/apps/credit/transactions?${query}`, "credit", SHOP_A)).text();
      expect(html).toContain("篩選條件有誤");
      expect(html).toMatch(new RegExp(`id="${field}Error"(?:(?!Polaris-Labelled__LabelWrapper).){0,2000}${message}`, "s"));
      expect(html).not.toContain("/transactions/aPayment0000000001");
    }
    const ok = await (await get("/apps/credit/transactions?from=2025-03-10&to=2025-03-10", "credit", SHOP_A)).text();
    expect(ok).toContain("/transactions/aPayment0000000001");
    expect(ok).not.toContain("/transactions/aPaymentTest000002");
  });

  it("cannot retry another shop's Shopify delivery through its own payment page", async () => {
    const response = await post("/apps/credit/transactions/bPayment0000000001", "credit", SHOP_A, { intent: "retry", messageId: "outbox-of-shop-b" });
    expect(response.status).toBe(404);
    const message = await prisma.outboxMessage.findUniqueOrThrow({ where: { id: "outbox-of-shop-b" } });
    expect(message.status).toBe("FAILED");
    expect(message.nextAttemptAt.toISOString()).toBe("2030-01-01T00:00:00.000Z");
  });

  it("retries the Shopify delivery of another of the shop's apps as that app", async () => {
    const response = await post("/apps/credit/transactions/aAtmPayment0000003", "credit", SHOP_A, { intent: "retry", messageId: "outbox-of-shop-a-atm" });
    expect(response.status).toBe(200);
    const message = await prisma.outboxMessage.findUniqueOrThrow({ where: { id: "outbox-of-shop-a-atm" } });
    expect(message.status).toBe("PENDING");
    expect(message.nextAttemptAt.getTime()).toBeLessThan(Date.parse("2030-01-01T00:00:00Z"));
  });

  it("cannot reuse another shop's ECPay binding", async () => {
    const other = await prisma.ecpayBinding.findFirstOrThrow({ where: { shop: SHOP_B } });
    const before = await prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "atm", shop: SHOP_A } } });
    await post("/apps/atm/bind", "atm", SHOP_A, { intent: "reuse-confirm", bindingId: other.id });
    const after = await prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "atm", shop: SHOP_A } } });
    expect(after.bindingId).toBe(before.bindingId);
    expect(after.bindingId).not.toBe(other.id);
  });
});

describe("the shop-wide transactions list", () => {
  /** The payment ids of the list's rows, in their order (data-testid="transaction-row"). */
  const rowsOf = (html: string) => [...html.matchAll(/data-testid="transaction-row" data-payment-id="([^"]+)" data-method="([^"]+)"/g)].map((m) => `${m[2]}:${m[1]}`);
  const countOf = (html: string) => /data-testid="result-count" data-count="([^"]+)"/.exec(html)?.[1];

  it("lists every app's payments of the shop, newest first, with the app on each row, from any of its apps", async () => {
    const expected = ["installments:aPartialCapRefund05", "credit:aPaymentTest000002", "atm:aAtmPayment0000004", "atm:aAtmPayment0000003", "credit:aPayment0000000001", "atm:aAtmPending00000005"];
    for (const method of ["credit", "atm", "installments"]) {
      const html = await (await get(`/apps/${method}/transactions`, method, SHOP_A)).text();
      expect(rowsOf(html)).toEqual(expected);
      expect(countOf(html)).toBe("6");
      expect(html).toContain("共 6 筆");
      expect(html).not.toContain("bPayment0000000001");
      // Each row links to the detail page under the app the merchant is in.
      expect(html).toContain(`href="/apps/${method}/transactions/aAtmPayment0000003"`);
    }
  });

  it("filters by one or more apps, with the count of what is left", async () => {
    const atm = await (await get("/apps/credit/transactions?app=atm", "credit", SHOP_A)).text();
    expect(rowsOf(atm)).toEqual(["atm:aAtmPayment0000004", "atm:aAtmPayment0000003", "atm:aAtmPending00000005"]);
    expect(countOf(atm)).toBe("3");
    const both = await (await get("/apps/credit/transactions?app=atm&app=credit&status=paid", "credit", SHOP_A)).text();
    expect(rowsOf(both)).toEqual(["credit:aPaymentTest000002", "atm:aAtmPayment0000004", "atm:aAtmPayment0000003", "credit:aPayment0000000001"]);
    expect(countOf(both)).toBe("4");
    // Polaris' ChoiceList spelling, and an app that is not ours, which is dropped.
    const credit = await (await get("/apps/atm/transactions?app[]=credit&app=paypal", "atm", SHOP_A)).text();
    expect(rowsOf(credit)).toEqual(["credit:aPaymentTest000002", "credit:aPayment0000000001"]);
    // The filter offers the shop's installed apps, and keeps what was ticked.
    expect(credit).toMatch(/id="app-filter-credit"[^>]*value="credit"[^>]*checked=""|id="app-filter-credit"[^>]*checked=""[^>]*value="credit"/);
    for (const app of ["credit", "atm", "installments"]) expect(credit).toContain(`id="app-filter-${app}"`);
    expect(credit).not.toContain('id="app-filter-webatm"');
  });

  it("pages the list of two apps by keyset, every row once, forwards and backwards", async () => {
    const expected = ["aPaymentTest000002", "aAtmPayment0000004", "aAtmPayment0000003", "aPayment0000000001", "aAtmPending00000005"];
    const query = { apps: ["credit", "atm"] as MethodHandle[] };
    let page = await listShopTransactions(prisma, SHOP_A, query, 2);
    const forward = [...page.rows.map((r) => r.id)];
    expect(page.count).toBe(5);
    while (page.next) {
      page = await listShopTransactions(prisma, SHOP_A, { ...query, after: page.next }, 2);
      forward.push(...page.rows.map((r) => r.id));
    }
    expect(forward).toEqual(expected);
    const backward = [...page.rows.map((r) => r.id)];
    while (page.previous) {
      page = await listShopTransactions(prisma, SHOP_A, { ...query, before: page.previous }, 2);
      backward.unshift(...page.rows.map((r) => r.id));
    }
    expect(backward).toEqual(expected);
  });

  it("combines the app filter with the search", async () => {
    let html = await (await get("/apps/credit/transactions?app=atm&q=atmpayment000000", "credit", SHOP_A)).text();
    expect(rowsOf(html)).toEqual(["atm:aAtmPayment0000004", "atm:aAtmPayment0000003"]);
    expect(countOf(html)).toBe("2");
    html = await (await get("/apps/credit/transactions?app=credit&q=aAtmPayment0000003", "credit", SHOP_A)).text();
    expect(rowsOf(html)).toEqual([]);
    expect(html).toContain('data-empty="no-results"');
  });

  it("shows a pending ATM payment's virtual account and its deadline in Taiwan time", async () => {
    const html = await (await get("/apps/credit/transactions?app=atm&status=pending", "credit", SHOP_A)).text();
    expect(rowsOf(html)).toEqual(["atm:aAtmPending00000005"]);
    expect(html).toMatch(/id="atm-aAtmPending00000005" data-testid="pending-atm" data-bank="812" data-account="9103522175887271"/);
    expect(html).toContain("轉帳帳號 812-9103522175887271");
    expect(html).toContain("繳費期限 2025/03/12 23:59:59");
    const detail = await (await get("/apps/credit/transactions/aAtmPending00000005", "credit", SHOP_A)).text();
    expect(detail).toContain("轉帳帳號 812-9103522175887271 · 繳費期限 2025/03/12 23:59:59");
  });

  it("says there are no payments yet, or none for these filters, in an empty state", async () => {
    const none = await (await get("/apps/webatm/transactions", "webatm", SHOP_C)).text();
    expect(none).toContain('data-empty="no-payments"');
    expect(none).toContain("尚無交易");
    expect(none).not.toContain('data-testid="result-count"');
    const filtered = await (await get("/apps/webatm/transactions?status=paid", "webatm", SHOP_C)).text();
    expect(filtered).toContain('data-empty="no-results"');
    expect(filtered).toContain("沒有符合條件的交易");
    // A shop with one app has nothing to choose between.
    expect(none).not.toContain('id="app-filter"');
  });
});

/** RFC 4180 rows (quoted cells may hold commas and doubled quotes), after the BOM. */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.replace(/^\uFEFF/, "").trimEnd().split("\r\n")) {
    const cells: string[] = [];
    for (const match of line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)) cells.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!);
    rows.push(cells);
  }
  return rows;
}

const column = (rows: string[][], name: string) => rows.slice(1).map((row) => row[rows[0]!.indexOf(name)]);

describe("the CSV export", () => {
  const MARCH = "from=2025-03-01&to=2025-03-31";

  it("is one file for the shop: every app's rows in time order, only this shop's, UTF-8 with a BOM", async () => {
    const response = await get(`/apps/credit/export?${MARCH}`, "credit", SHOP_A);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toMatch(/attachment; filename="ecpay-admin-shop-a-2025-03-01_2025-03-31\.csv"/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString("utf8");
    const rows = csvRows(text);
    expect(rows[0]).toEqual(["商店代號", "商店名稱", "綠界訂單編號", "廠商訂單編號", "PaymentID", "收款應用程式", "付款方式", "交易金額", "手續費", "訂單成立時間", "付款時間", "交易狀態", "測試", "授權金額", "請款金額", "退款金額", "淨額"]);
    // The credit admin's file holds the ATM and installment apps' payments too, never shop B's.
    expect(column(rows, "PaymentID")).toEqual(["aPayment0000000001", "aAtmPayment0000003", "aAtmPayment0000004", "aPaymentTest000002", "aPartialCapRefund05"]);
    expect(text).not.toContain("bPayment");
    // The store's name as Shopify has it, quoted because it holds a comma and quotes.
    expect(text.split("\r\n")[1]).toBe(`3002607,"阿明的茶行, ""Ming's Tea""",TaPayment0000000001,MaPayment0000000001,aPayment0000000001,綠界科技 - 信用卡一次付清,信用卡,4321,,2025/03/10 12:00:00,,已付款,否,4321,4321,0,4321`);
    // The app and ECPay's PaymentType are separate columns; no PaymentType from ECPay leaves it empty.
    expect(column(rows, "收款應用程式")).toEqual(["綠界科技 - 信用卡一次付清", "綠界科技 - ATM虛擬帳號", "綠界科技 - ATM虛擬帳號", "綠界科技 - 信用卡一次付清", "綠界科技 - 信用卡分期"]);
    expect(column(rows, "付款方式")).toEqual(["信用卡", "ATM虛擬帳號（台新銀行）", "ATM虛擬帳號（臺灣銀行）", "", "信用卡"]);
    expect(column(rows, "測試")).toEqual(["否", "否", "否", "是", "否"]);
  });

  it("shows a partially captured, partially refunded payment's money: authorized, captured, refunded, net and fee", async () => {
    const rows = csvRows(await (await get(`/apps/atm/export?${MARCH}`, "atm", SHOP_A)).text());
    const row = rows.find((r) => r[4] === "aPartialCapRefund05")!;
    const cell = (name: string) => row[rows[0]!.indexOf(name)];
    expect([cell("交易金額"), cell("授權金額"), cell("請款金額"), cell("退款金額"), cell("淨額"), cell("手續費")]).toEqual(["5000", "5000", "3000", "1000", "2000", "75"]);
    expect(cell("交易狀態")).toBe("部分金額已退款");
  });

  it("keeps only the chosen apps, and refuses an app the shop never installed", async () => {
    const response = await get(`/apps/credit/export?${MARCH}&method=atm`, "credit", SHOP_A);
    expect(response.headers.get("content-disposition")).toMatch(/filename="ecpay-admin-shop-a-atm-2025-03-01_2025-03-31\.csv"/);
    expect(column(csvRows(await response.text()), "PaymentID")).toEqual(["aAtmPayment0000003", "aAtmPayment0000004"]);
    const two = csvRows(await (await get(`/apps/credit/export?${MARCH}&method=installments&method=credit`, "credit", SHOP_A)).text());
    expect(column(two, "PaymentID")).toEqual(["aPayment0000000001", "aPaymentTest000002", "aPartialCapRefund05"]);
    for (const method of ["webatm", "paypal"]) {
      const refused = await get(`/apps/credit/export?${MARCH}&method=${method}`, "credit", SHOP_A);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain(`method=${method}: 此商店沒有安裝這個收款應用程式：${method}`);
    }
  });

  it("is written in the shop's language: English headers and words once the merchant chose English in any app", async () => {
    expect((await post("/apps/atm/locale", "atm", SHOP_A, { locale: "en" })).status).toBe(200);
    try {
      const rows = csvRows(await (await get(`/apps/credit/export?${MARCH}`, "credit", SHOP_A)).text());
      expect(rows[0]).toEqual(["MerchantID", "Store name", "ECPay TradeNo", "MerchantTradeNo", "Payment ID", "App", "Payment type", "Amount", "Fee", "Created (Taiwan time)", "Paid (Taiwan time)", "Status", "Test", "Authorized", "Captured", "Refunded", "Net"]);
      expect(rows[2]!.slice(5, 7)).toEqual(["ECPay - ATM virtual account", "ATM virtual account (Taishin Bank)"]);
      expect(rows[5]!.slice(11, 13)).toEqual(["Partially refunded", "No"]);
    } finally {
      await prisma.shopSettings.update({ where: { shop: SHOP_A }, data: { locale: null } });
    }
  });

  it("asks Shopify for the store's name once, and falls back to the domain when Shopify cannot tell", async () => {
    const asked = shopify.adminCalls().filter((call) => call.shop === SHOP_A);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.query).toMatch(/shop\s*\{\s*name\s*\}/);
    expect((await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP_A } })).name).toBe(STORE_NAME_A);
    // Shop B's app lost its token: no name from Shopify, so the file names the domain.
    shopify.revokeToken(SHOP_B, "credit");
    const rows = csvRows(await (await get(`/apps/credit/export?${MARCH}`, "credit", SHOP_B)).text());
    expect(column(rows, "PaymentID")).toEqual(["bPayment0000000001"]);
    expect(column(rows, "商店名稱")).toEqual([SHOP_B]);
  });

  it("gives the same payment the same words and numbers on its page as in the file", async () => {
    const html = await (await get("/apps/installments/transactions/aPartialCapRefund05", "installments", SHOP_A)).text();
    // Captured since: the kind says how it is captured, never "only authorized".
    expect(html).toContain("先授權後請款");
    expect(html).not.toContain("僅授權");
    for (const amount of ["NT$5,000", "NT$3,000", "NT$1,000", "NT$2,000"]) expect(html).toContain(amount);
    expect(html).toContain("部分金額已退款");
    // Shopify's raw amount ("5000.00 TWD") only behind the developer details, as sent.
    const words = html.replace(/<details class="developer-details">[\s\S]*?<\/details>/g, "");
    expect(html).toContain("5000.00 TWD");
    expect(words).not.toMatch(/5000\.00 TWD|>5000</);
  });

  it("uses Taiwan days for the range", async () => {
    // 2025-03-11 04:00Z is 12:00 on the 11th in Taiwan: outside a range ending on the 10th.
    const text = await (await get("/apps/credit/export?from=2025-03-10&to=2025-03-10", "credit", SHOP_A)).text();
    expect(text).toContain("aPayment0000000001");
    expect(text).not.toContain("aPaymentTest000002");
  });

  it("shows a malformed or reversed range from the export form on its fields, and downloads nothing", async () => {
    for (const [from, to, field, message] of [
      ["2025-13-01", "2025-03-31", "export-from", "請輸入有效的日期"],
      ["2025-02-30", "2025-03-31", "export-from", "請輸入有效的日期"],
      ["2025-03-31", "2025-03-01", "export-to", "結束日期不可早於開始日期"],
      ["2025-03-01", "", "export-to", "請選擇日期"],
    ] as const) {
      const response = await get(`/apps/credit/transactions?intent=export&exportFrom=${from}&exportTo=${to}`, "credit", SHOP_A);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toContain("未下載任何檔案");
      // Polaris ties the message to its field: <id>Error.
      expect(html).toMatch(new RegExp(`id="${field}Error"(?:(?!Polaris-Labelled__LabelWrapper).){0,2000}${message}`, "s"));
      expect(html).toContain(`value="${from}"`);
    }
  });

  it("offers the shop's apps on the export form, all ticked, and sends the chosen ones on to the CSV", async () => {
    const html = await (await get("/apps/credit/transactions", "credit", SHOP_A)).text();
    for (const method of ["credit", "installments", "atm"]) expect(html).toMatch(new RegExp(`id="export-method-${method}"[^>]*checked`));
    expect(html).not.toContain('id="export-method-webatm"');
    const all = await get("/apps/credit/transactions?intent=export&exportFrom=2025-03-01&exportTo=2025-03-31", "credit", SHOP_A);
    expect(all.status).toBe(302);
    expect(all.headers.get("location")).toBe("/apps/credit/export?from=2025-03-01&to=2025-03-31");
    const some = await get("/apps/credit/transactions?intent=export&exportChoice=1&exportFrom=2025-03-01&exportTo=2025-03-31&exportMethod%5B%5D=atm&exportMethod%5B%5D=credit", "credit", SHOP_A);
    expect(some.status).toBe(302);
    expect(some.headers.get("location")).toBe("/apps/credit/export?from=2025-03-01&to=2025-03-31&method=credit&method=atm");
    const none = await get("/apps/credit/transactions?intent=export&exportChoice=1&exportFrom=2025-03-01&exportTo=2025-03-31", "credit", SHOP_A);
    expect(none.status).toBe(200);
    expect(await none.text()).toContain("請至少選擇一個收款應用程式。");
  });

  it("answers a bad range sent straight to the CSV URL with a 400 that says what is wrong", async () => {
    const malformed = await get("/apps/credit/export?from=2025-13-01&to=2025-03-31", "credit", SHOP_A);
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toBe("匯出日期區間無效\nfrom=2025-13-01: 請輸入有效的日期（年-月-日，例如 2025-01-31）\n");
    const reversed = await get("/apps/credit/export?from=2025-03-31&to=2025-03-01", "credit", SHOP_A);
    expect(reversed.status).toBe(400);
    expect(await reversed.text()).toContain("to=2025-03-01: 結束日期不可早於開始日期");
  });

  it("is the same CSV from the operator command line, for the whole shop or the chosen apps", async () => {
    const result = runOps(["export", "--shop", SHOP_A, "--from", "2025-03-01", "--to", "2025-03-31"], env);
    expect(result.status, result.stderr).toBe(0);
    const web = Buffer.from(await (await get(`/apps/credit/export?${MARCH}`, "credit", SHOP_A)).arrayBuffer()).toString("utf8");
    expect(result.stdout).toBe(web);
    const atm = runOps(["export", "--shop", SHOP_A, "--method", "atm", "--method", "installments", "--from", "2025-03-01", "--to", "2025-03-31"], env);
    expect(atm.status, atm.stderr).toBe(0);
    expect(atm.stdout).toBe(Buffer.from(await (await get(`/apps/atm/export?${MARCH}&method=atm&method=installments`, "atm", SHOP_A)).arrayBuffer()).toString("utf8"));
    const english = runOps(["export", "--shop", SHOP_A, "--locale", "en", "--from", "2025-03-01", "--to", "2025-03-31"], env);
    expect(english.stdout.split("\r\n")[0]).toMatch(/^\uFEFFMerchantID,Store name,/);
    const bad = runOps(["export", "--shop", SHOP_A, "--method", "paypal", "--from", "2025-03-01", "--to", "2025-03-31"], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--method paypal");
  });
});

describe("forms refuse bad input and save nothing", () => {
  it("does not store a binding when the fields are invalid", async () => {
    const before = await prisma.ecpayBinding.count();
    const response = await post("/apps/atm/bind", "atm", SHOP_A, { intent: "verify", merchantId: "not-digits", hashKey: "a b", hashIv: "" });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("商店代號應為 1 至 10 位數字");
    expect(await prisma.ecpayBinding.count()).toBe(before);
  });

  it("does not store installment settings without a period, or with one ECPay does not offer", async () => {
    for (const periods of [[], ["3", "7"]]) {
      const response = await post("/apps/installments/settings", "installments", SHOP_A, { itemName: "好物", periods });
      expect(response.status).toBe(200);
    }
    const installation = await prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "installments", shop: SHOP_A } } });
    expect(installation.settings).toBe("{}");
    await post("/apps/installments/settings", "installments", SHOP_A, { itemName: "好物", periods: ["6", "12"] });
    const saved = await prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "installments", shop: SHOP_A } } });
    expect(JSON.parse(saved.settings)).toEqual({ itemName: "好物", periods: ["6", "12"] });
  });

  it("refuses an ATM deadline outside 1 to 2 days", async () => {
    await post("/apps/atm/settings", "atm", SHOP_A, { expireDays: "3" });
    const installation = await prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "atm", shop: SHOP_A } } });
    expect(installation.settings).toBe("{}");
  });
});

describe("unbinding", () => {
  it("detaches the account, keeps its record, asks Shopify for ready=false and explains deactivating first", async () => {
    const before = await prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "atm", shop: SHOP_A } } });
    expect(before.bindingId).not.toBeNull();
    const response = await post("/apps/atm/bind", "atm", SHOP_A, { intent: "unbind" });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("需先停用後才能解除安裝");
    const after = await prisma.shopInstallation.findUniqueOrThrow({ where: { method_shop: { method: "atm", shop: SHOP_A } } });
    expect(after.bindingId).toBeNull();
    expect(await prisma.ecpayBinding.count({ where: { id: before.bindingId! } })).toBe(1);
    const queued = await prisma.outboxMessage.findMany({ where: { shop: SHOP_A, method: "atm", mutation: "paymentsAppConfigure" } });
    expect(queued.map((m) => [m.status, JSON.parse(m.variables)])).toEqual([["PENDING", { externalHandle: null, ready: false }]]);
  });

  it("retrying the configuration supersedes the undelivered call instead of racing it", async () => {
    const response = await post("/apps/atm/bind", "atm", SHOP_A, { intent: "retry-configure" });
    expect(response.status).toBe(302);
    // Both rows may share a millisecond, and enums sort differently per database: sort here.
    const queued = (await prisma.outboxMessage.findMany({ where: { shop: SHOP_A, method: "atm", mutation: "paymentsAppConfigure" } })).sort((a, b) =>
      a.status.localeCompare(b.status),
    );
    expect(queued.map((m) => [m.status, m.lastError])).toEqual([
      ["FAILED", "superseded by a newer configuration"],
      ["PENDING", null],
    ]);
    expect(JSON.parse(queued[1]!.variables)).toEqual({ externalHandle: null, ready: false });
  });
});
