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

const SHOP_A = "admin-shop-a.myshopify.com";
const SHOP_B = "admin-shop-b.myshopify.com";
/** Installed, never paid: the list's "no payments yet". */
const SHOP_C = "admin-shop-c.myshopify.com";
const KEYS = ["--merchant-id", "3002607", "--hash-key", "pwFHCqoQZGmho4w6", "--hash-iv", "EkRm7iFT261dpevs"];

let db: TestDatabase;
let prisma: PrismaClient;
let server: AppServer;
let env: Record<string, string>;

function seed(method: string, shop: string) {
  const result = runOps(["seed-shop", "--method", method, "--shop", shop, "--access-token", `shpat_${method}_${shop.slice(11, 17)}`, ...KEYS], env);
  expect(result.status, result.stderr).toBe(0);
}

async function payment(shop: string, method: MethodHandle, id: string, extra: { test?: boolean; createdAt?: Date; paymentType?: string } = {}) {
  await prisma.paymentSession.create({
    data: {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      method,
      shop,
      group: `g-${id}`,
      amount: 4321,
      amountRaw: "4321.00",
      currency: "TWD",
      kind: "SALE",
      test: extra.test ?? false,
      status: "PAID",
      cancelUrl: `https://${shop}/checkouts/cn/tok${id}/processing`,
      proposedAt: new Date(),
      createdAt: extra.createdAt ?? new Date(),
      attempts: { create: { merchantTradeNo: `M${id}`.slice(0, 20), merchantId: "3002607", stage: false, status: "PAID", amount: 4321, tradeNo: `T${id}`.slice(0, 20), paymentType: extra.paymentType ?? null } },
    },
  });
}

let get: ReturnType<typeof adminClient>["get"];
let post: ReturnType<typeof adminClient>["post"];

beforeAll(async () => {
  db = await cloneDatabase(inject("templateDatabaseUrl"));
  prisma = prismaFor(db.url);
  env = testAppEnv({ DATABASE_URL: db.url, DISABLE_WORKERS: "1" });
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
      createdAt: new Date("2025-03-09T05:00:00Z"),
      attempts: {
        create: { merchantTradeNo: "MaAtmPending0000005", merchantId: "3002607", stage: false, status: "ISSUED", amount: 1200, tradeNo: "2503091300001234", paymentType: "ATM_TAISHIN", bankCode: "812", vAccount: "9103522175887271", expireDate: "2025/03/12" },
      },
    },
  });
  await prisma.outboxMessage.create({
    data: { id: "outbox-of-shop-a-atm", shop: SHOP_A, method: "atm", mutation: "paymentSessionResolve", subjectId: "aAtmPayment0000003", variables: "{}", status: "FAILED", nextAttemptAt: new Date("2030-01-01T00:00:00Z") },
  });
  await prisma.outboxMessage.create({
    data: { id: "outbox-of-shop-b", shop: SHOP_B, method: "credit", mutation: "paymentSessionResolve", subjectId: "bPayment0000000001", variables: "{}", status: "FAILED", nextAttemptAt: new Date("2030-01-01T00:00:00Z") },
  });
});

afterAll(async () => {
  await server?.stop();
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
    const expected = ["credit:aPaymentTest000002", "atm:aAtmPayment0000004", "atm:aAtmPayment0000003", "credit:aPayment0000000001", "atm:aAtmPending00000005"];
    for (const method of ["credit", "atm", "installments"]) {
      const html = await (await get(`/apps/${method}/transactions`, method, SHOP_A)).text();
      expect(rowsOf(html)).toEqual(expected);
      expect(countOf(html)).toBe("5");
      expect(html).toContain("共 5 筆");
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

describe("the CSV export", () => {
  it("streams only this shop's and this app's rows, UTF-8 with a BOM", async () => {
    const response = await get("/apps/credit/export?from=2025-03-01&to=2025-03-31", "credit", SHOP_A);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toMatch(/attachment; filename="ecpay-credit-admin-shop-a-2025-03-01_2025-03-31\.csv"/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").slice(1).trimEnd().split("\r\n");
    expect(lines[0]!.split(",")).toEqual(["商店代號", "商店名稱", "綠界訂單編號", "廠商訂單編號", "PaymentID", "付款方式", "交易金額", "手續費", "訂單成立時間", "付款時間", "交易狀態", "測試", "授權金額", "請款金額", "退款金額", "淨額"]);
    expect(lines.slice(1).map((l) => l.split(",")[4])).toEqual(["aPayment0000000001", "aPaymentTest000002"]);
    expect(lines[1]).toBe(`3002607,${SHOP_A},TaPayment0000000001,MaPayment0000000001,aPayment0000000001,信用卡,4321,,2025/03/10 12:00:00,,已付款,N,4321,4321,0,4321`);
    // Without a PaymentType from ECPay the column names the app.
    expect(lines[2]!.split(",")[5]).toBe("綠界科技 - 信用卡一次付清");
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

  it("sends a good range from the export form on to the CSV", async () => {
    const response = await get("/apps/credit/transactions?intent=export&exportFrom=2025-03-01&exportTo=2025-03-31", "credit", SHOP_A);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/apps/credit/export?from=2025-03-01&to=2025-03-31");
  });

  it("answers a bad range sent straight to the CSV URL with a 400 that says what is wrong", async () => {
    const malformed = await get("/apps/credit/export?from=2025-13-01&to=2025-03-31", "credit", SHOP_A);
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toBe("匯出日期區間無效\nfrom=2025-13-01: 請輸入有效的日期（年-月-日，例如 2025-01-31）\n");
    const reversed = await get("/apps/credit/export?from=2025-03-31&to=2025-03-01", "credit", SHOP_A);
    expect(reversed.status).toBe(400);
    expect(await reversed.text()).toContain("to=2025-03-01: 結束日期不可早於開始日期");
  });

  it("is the same CSV from the operator command line", async () => {
    const result = runOps(["export", "--shop", SHOP_A, "--method", "credit", "--from", "2025-03-01", "--to", "2025-03-31"], env);
    expect(result.status, result.stderr).toBe(0);
    const web = Buffer.from(await (await get("/apps/credit/export?from=2025-03-01&to=2025-03-31", "credit", SHOP_A)).arrayBuffer()).toString("utf8");
    expect(result.stdout).toBe(web);
    const bad = runOps(["export", "--shop", SHOP_A, "--method", "paypal", "--from", "2025-03-01", "--to", "2025-03-31"], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--method");
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
