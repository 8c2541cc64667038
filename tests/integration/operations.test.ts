// Refund, capture and void over real HTTP: the Shopify simulator sends the session requests to the
// built server, the background step calls the ECPay production emulator (a merchant with a
// 商家檢查碼), and the outbox tells the simulator. Paid and authorized payments are set up the way
// the payment flow leaves them: a paid trade in the emulator, the PaymentSession and PaymentAttempt
// rows, and the session resolved in the simulator.
//
// The background steps (processDueOperations, processPendingCloses, outbox delivery) run in the
// server's own worker loop; the tests poll for their effects.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { taiwanDate } from "~/admin/format";
import { SHOPIFY_STATUS_WORDS } from "~/admin/status";
import { PINNED_API_VERSION } from "~/config.server";
import { bilingual } from "~/i18n";
import { createSecretBox } from "~/lib/secrets.server";
import { seedShop } from "~/ops/seed-shop.server";
import { METHOD_HANDLES, type MethodHandle } from "~/payments/methods";
import { paidCardFacts } from "~/payments/settlement-rules";
import { PaymentsAppsClient } from "~/shopify/payments-apps-client";
import { startEcpayEmulator, type EcpayEmulator, type EmulatorOrder } from "../emulators/ecpay";
import { checkoutFields, createOrder, freshTradeNo, startReceiver, type Receiver } from "../emulators/ecpay/testing";
import { startShopifySimulator, type GraphqlCall, type ShopifySimulator } from "../simulators/shopify";
import { startAppServer, type AppServer } from "../support/app-server";
import { cloneDatabase, type TestDatabase } from "../support/database";
import { preparedPrismaFor } from "../support/db-client";
import { testAppEnv, TEST_ENCRYPTION_KEY } from "../support/test-env";
import { adminClient } from "../support/admin-session";

const SHOP = "operations-shop.myshopify.com";
const OTHER_SHOP = "other-shop.myshopify.com";
const MERCHANT = { merchantId: "3383101", hashKey: "OpsKey4Vb8Nq2Wx6", hashIv: "OpsIv7Hm3Kp9Tz5R", creditCheckCode: "51827364" };
const tokenFor = (method: MethodHandle) => `shpat_ops_${method}`;

let db: TestDatabase;
let prisma: PrismaClient;
let server: AppServer;
let ecpay: EcpayEmulator;
let ecpayProxy: FaultProxy;
let appProxy: Server;
let shopify: ShopifySimulator;
let receiver: Receiver;
let paymentsApi: PaymentsAppsClient;
let bindingCheckCode: string | null;

// ---------------------------------------------------------------------------------------------
// A proxy in front of ECPay that can fail on demand: refuse a call, or forward it and lose the answer.

type FaultMode = "pass" | "fail" | "lose-answer" | Gate;
/** Holds a call at the proxy until released: `reached` resolves when the call arrives. */
interface Gate {
  reached: Promise<void>;
  arrive(): void;
  opened: Promise<void>;
  release(): void;
}

function gate(): Gate {
  let arrive = () => {};
  let release = () => {};
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { reached, arrive, opened, release };
}

interface FaultProxy {
  origin: string;
  /** Per path: the next calls' fate (consumed in order), then "pass". */
  plan(path: string, modes: FaultMode[]): void;
  /** Every call that reached the emulator, by path and form fields. */
  forwarded: Array<{ path: string; fields: Record<string, string> }>;
  close(): Promise<void>;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forward(target: string, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url ?? "/", target);
    const headers = { ...req.headers, host: url.host };
    const out = httpRequest(url, { method: req.method, headers }, async (res) => {
      const data = await readAll(res);
      const plain: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) if (typeof value === "string") plain[name] = value;
      resolve({ status: res.statusCode ?? 502, headers: plain, body: data });
    });
    out.on("error", reject);
    out.end(body);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startFaultProxy(target: string): Promise<FaultProxy> {
  const plans = new Map<string, FaultMode[]>();
  const forwarded: FaultProxy["forwarded"] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const path = new URL(req.url ?? "/", "http://proxy.invalid").pathname;
      const mode = plans.get(path)?.shift() ?? "pass";
      if (mode === "fail") {
        res.writeHead(503, { "content-type": "text/html" }).end("<h1>503 Service Unavailable</h1>");
        return;
      }
      if (typeof mode === "object") {
        mode.arrive();
        await mode.opened;
      }
      forwarded.push({ path, fields: Object.fromEntries(new URLSearchParams(body.toString("utf8"))) });
      const answer = await forward(target, req, body);
      if (mode === "lose-answer") {
        res.writeHead(502, { "content-type": "text/html" }).end("<h1>502 Bad Gateway</h1>");
        return;
      }
      res.writeHead(answer.status, answer.headers).end(answer.body);
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  const origin = await listen(server);
  return {
    origin,
    forwarded,
    plan: (path, modes) => plans.set(path, [...modes]),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * What Shopify's session requests reach: the payment session itself is answered here (the
 * payment flow is tested elsewhere; these tests set paid payments up directly), everything else
 * goes to the server.
 */
async function startAppProxy(appOrigin: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      if (/^\/payments\/[a-z]+\/session$/.test(req.url ?? "")) {
        const { id } = JSON.parse(body.toString("utf8")) as { id: string };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ redirect_url: `${appOrigin()}/pay/x/${id}` }));
        return;
      }
      const answer = await forward(appOrigin(), req, body);
      res.writeHead(answer.status, answer.headers).end(answer.body);
    })().catch((error: unknown) => res.writeHead(502).end(String(error)));
  });
  return { server, origin: await listen(server) };
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  db = await cloneDatabase(inject("templateDatabaseUrl"));
  prisma = await preparedPrismaFor(db.url);
  receiver = await startReceiver();
  ecpay = await startEcpayEmulator({ environment: "production", merchants: [MERCHANT], notifyRetryIntervalMs: 100 });
  const stage = await startEcpayEmulator({ environment: "stage" });
  ecpayProxy = await startFaultProxy(ecpay.origin);
  let appOrigin = "";
  const proxy = await startAppProxy(() => appOrigin);
  appProxy = proxy.server;
  shopify = await startShopifySimulator({ appOrigin: proxy.origin, retryDelayMs: 50 });
  shopify.addShop(SHOP, Object.fromEntries(METHOD_HANDLES.map((m) => [m, tokenFor(m)])));
  shopify.addShop(OTHER_SHOP, { credit: "shpat_other_credit" });

  const box = createSecretBox({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
  for (const method of METHOD_HANDLES) {
    await seedShop(prisma, box, { method, shop: SHOP, accessToken: tokenFor(method), ...MERCHANT, ready: true });
  }
  await seedShop(prisma, box, { method: "credit", shop: OTHER_SHOP, accessToken: "shpat_other_credit", ...MERCHANT, ready: true });
  bindingCheckCode = (await prisma.ecpayBinding.findFirstOrThrow({ where: { shop: SHOP } })).creditCheckCodeEnc;

  const env = testAppEnv({
    DATABASE_URL: db.url,
    ECPAY_PRODUCTION_ORIGIN: ecpayProxy.origin,
    ECPAY_STAGE_ORIGIN: stage.origin,
    SHOPIFY_PAYMENTS_API_ORIGIN: shopify.paymentsApiOrigin,
    WORKER_TICK_MS: "100",
    RECONCILE_INTERVAL_MS: "3600000",
  });
  server = await startAppServer(env);
  appOrigin = server.origin;
  paymentsApi = PaymentsAppsClient.create({ apiVersion: PINNED_API_VERSION, originOverride: shopify.paymentsApiOrigin });
  afterAllClose.push(() => stage.close());
});

const afterAllClose: Array<() => Promise<void>> = [];
afterAll(async () => {
  await server?.stop();
  await Promise.all([ecpay?.close(), ecpayProxy?.close(), shopify?.close(), receiver?.close(), ...afterAllClose.map((close) => close())]);
  appProxy?.closeAllConnections();
  appProxy?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

beforeEach(async () => {
  // Every test starts with the merchant's 商家檢查碼 bound (one test removes it).
  await write(() => prisma.ecpayBinding.updateMany({ where: { shop: SHOP }, data: { creditCheckCodeEnc: bindingCheckCode } }));
});

/**
 * SQLite: the server's worker writes to the same file, and a write that meets its transaction
 * fails with SQLITE_BUSY ("Operation has timed out") instead of waiting. Retry the test's own writes.
 */
async function write<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= 20 || !String(error).includes("Operation has timed out")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Setting up paid payments

const CARD_EXTRAS: Partial<Record<MethodHandle, Record<string, string>>> = {
  credit: {},
  installments: { CreditInstallment: "3,6" },
  redeem: { Redeem: "Y" },
  unionpay: { UnionPay: "1" },
};
/** A credit-app trade from before the app hid UnionPay (UnionPay=0 let the buyer choose it). */
const LEGACY_CREDIT_EXTRAS = { UnionPay: "0" };

interface Paid {
  paymentId: string;
  gid: string;
  orderId: string;
  merchantTradeNo: string;
  order: EmulatorOrder | null;
}

interface PayOptions {
  kind?: "sale" | "authorization";
  amount?: number;
  test?: boolean;
  /** The automatic close was refused with HTTP 403 (nothing happened at ECPay) and waits for its retry. */
  closeRetrying?: boolean;
  /** Through the credit app before UnionPay was hidden, the buyer chose UnionPay on ECPay's page. */
  unionPayTrade?: boolean;
}

async function pay(method: MethodHandle, options: PayOptions = {}): Promise<Paid> {
  const kind = options.kind ?? "sale";
  const amount = options.amount ?? 1000;
  const test = options.test ?? false;
  const started = await shopify.startPayment(SHOP, method, { kind, amount, test });
  expect(started.ok).toBe(true);
  const { id, gid } = started.session;

  const merchantTradeNo = freshTradeNo("OP");
  let order: EmulatorOrder | null = null;
  const unionPay = method === "unionpay" || options.unionPayTrade === true;
  const extras = options.unionPayTrade ? LEGACY_CREDIT_EXTRAS : CARD_EXTRAS[method];
  if (!test && extras) {
    const created = await createOrder(
      ecpay.origin,
      checkoutFields(MERCHANT, { MerchantTradeNo: merchantTradeNo, TotalAmount: String(amount), ReturnURL: `${receiver.origin}/return`, CustomField1: id, ...extras }),
    );
    expect(created.status, created.html).toBe(302);
    order = await ecpay.pay(merchantTradeNo, { ...(method === "installments" && { installmentPeriod: "3" }), useRedeem: true, unionPay: options.unionPayTrade === true });
    expect(order.card?.status).toBe(unionPay ? "已關帳" : "已授權");
  }
  const card = Boolean(extras);
  await write(() => prisma.paymentSession.create({
    data: {
      id,
      gid,
      method,
      shop: SHOP,
      group: started.session.group,
      amount,
      amountRaw: `${amount}.00`,
      currency: "TWD",
      kind: kind === "sale" ? "SALE" : "AUTHORIZATION",
      test,
      cancelUrl: started.session.cancelUrl,
      merchantLocale: "zh-TW",
      proposedAt: new Date(started.session.proposedAt),
      status: kind === "sale" ? "PAID" : "AUTHORIZED",
      capturedAmount: kind === "sale" ? amount : 0,
      authorizationExpiresAt: kind === "authorization" ? new Date(Date.now() + 7 * 86_400_000) : null,
      attempts: {
        create: {
          merchantTradeNo,
          merchantId: test ? "3002607" : MERCHANT.merchantId,
          stage: test,
          status: "PAID",
          amount,
          tradeAmt: amount,
          tradeNo: order?.tradeNo ?? (test ? "2403010000000001" : null),
          gwsr: order?.card?.gwsr ?? null,
          paymentType: card ? "Credit_CreditCard" : method.toUpperCase(),
          // As the notification handler leaves a paid card trade (UnionPay closes at authorization).
          cardState: card ? (unionPay ? "CLOSED" : "AUTHORIZED") : null,
          closePending: card && kind === "sale" && !unionPay,
          unionPay,
          ...paidCardFacts(order?.extraPaidInfo ?? {}),
          closeError: options.closeRetrying ? "rate-limited: DoAction C: ECPay refused with HTTP 403 (too many requests)" : null,
        },
      },
    },
  }));
  const resolved = await paymentsApi.mutate(SHOP, tokenFor(method), "paymentSessionResolve", { id: gid });
  expect(resolved.isOk(), JSON.stringify(resolved)).toBe(true);
  const shopOrder = shopify.orderForPayment(id);
  if (!shopOrder) throw new Error("the simulator created no order");
  return { paymentId: id, gid, orderId: shopOrder.id, merchantTradeNo, order };
}

/** Poll until the server's worker made `done` hold. */
async function settle<T>(done: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await done();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the background step");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Let the worker run a few more ticks (to show that nothing else happens). */
const quiet = () => new Promise((resolve) => setTimeout(resolve, 600));

/** The accepted (200, no user errors) mutation calls the simulator received for a session gid. */
function acceptedCalls(gid: string): GraphqlCall[] {
  return shopify.callsFor(gid).filter((call) => call.status === 200 && call.applied);
}

function finalMutation(gid: string): Promise<GraphqlCall> {
  return settle(async () => acceptedCalls(gid)[0]);
}

function doActions(merchantTradeNo: string): Array<[string, number]> {
  return ecpayProxy.forwarded
    .filter((call) => call.path === "/CreditDetail/DoAction" && call.fields.MerchantTradeNo === merchantTradeNo)
    .map((call) => [call.fields.Action as string, Number(call.fields.TotalAmount)]);
}

const card = (merchantTradeNo: string) => ecpay.order(merchantTradeNo, { merchantId: MERCHANT.merchantId })?.card;

async function closeSale(paid: Paid) {
  const attempt = await settle(async () => {
    const row = await prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: paid.merchantTradeNo } });
    return row.cardState === "CLOSE_REQUESTED" ? row : null;
  });
  expect(attempt).toMatchObject({ closePending: false, closeError: null });
  expect(card(paid.merchantTradeNo)?.status).toBe("要關帳");
  expect(doActions(paid.merchantTradeNo)).toEqual([["C", paid.order!.totalAmount]]);
}

// ---------------------------------------------------------------------------------------------

describe("capture and void of card authorizations", () => {
  it("captures an authorization with DoAction C and tells Shopify it was captured", async () => {
    const paid = await pay("credit", { kind: "authorization", amount: 1500 });
    const capture = await shopify.capture(paid.orderId);
    expect(capture.ok).toBe(true);
    expect(capture.request.attempts.at(-1)?.status).toBe(201);

    const call = await finalMutation(capture.session.gid);
    expect(call.mutations).toEqual(["captureSessionResolve"]);
    expect(call.variables).toEqual({ id: capture.session.gid });
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 1500]]);
    expect(card(paid.merchantTradeNo)).toMatchObject({ status: "要關帳", closedAmount: 1500 });
    expect(shopify.order(paid.orderId)?.financialStatus).toBe("paid");
    expect(await prisma.paymentSession.findUniqueOrThrow({ where: { id: paid.paymentId } })).toMatchObject({ status: "PAID", capturedAmount: 1500 });
    const op = await prisma.operationSession.findUniqueOrThrow({ where: { id: capture.session.id } });
    expect(op).toMatchObject({ status: "SUCCEEDED", simulated: false, type: "CAPTURE", amount: 1500 });
    expect(JSON.parse(op.ecpayLog ?? "[]")).toEqual(
      expect.arrayContaining([expect.objectContaining({ call: "DoAction", action: "C", amount: 1500, outcome: "ok", rtnCode: "1" })]),
    );
  });

  it("voids an authorization with DoAction N and tells Shopify it was voided", async () => {
    const paid = await pay("redeem", { kind: "authorization", amount: 800 });
    const voided = await shopify.void(paid.orderId);
    expect(voided.ok).toBe(true);
    const call = await finalMutation(voided.session.gid);
    expect(call.mutations).toEqual(["voidSessionResolve"]);
    expect(doActions(paid.merchantTradeNo)).toEqual([["N", 800]]);
    expect(card(paid.merchantTradeNo)?.status).toBe("已取消");
    expect(shopify.order(paid.orderId)?.financialStatus).toBe("voided");
    expect((await prisma.paymentSession.findUniqueOrThrow({ where: { id: paid.paymentId } })).status).toBe("VOIDED");
  });

  it("refuses to capture or void a UnionPay trade taken through the credit app: ECPay captured it at authorization", async () => {
    const paid = await pay("credit", { kind: "authorization", amount: 900, unionPayTrade: true });
    const message = { code: "PROCESSING_ERROR", merchantMessage: bilingual("operation.unionPayClosed") };
    const capture = await shopify.capture(paid.orderId);
    const captured = await finalMutation(capture.session.gid);
    expect(captured.mutations).toEqual(["captureSessionReject"]);
    expect(captured.variables).toEqual({ id: capture.session.gid, reason: message });
    const voided = await shopify.void(paid.orderId);
    const voidCall = await finalMutation(voided.session.gid);
    expect(voidCall.mutations).toEqual(["voidSessionReject"]);
    expect(voidCall.variables).toEqual({ id: voided.session.gid, reason: message });
    expect(doActions(paid.merchantTradeNo)).toEqual([]);
    expect(card(paid.merchantTradeNo)).toMatchObject({ status: "已關帳", unionPay: true });
  });

  it("shows the merchant a partial capture and refund as ECPay and Shopify have them (list, detail, CSV), and no fee for a void", async () => {
    const paid = await pay("credit", { kind: "authorization", amount: 2380 });
    // ECPay's notification states a fee for the authorization; it applies only once money is taken.
    await prisma.paymentAttempt.update({ where: { merchantTradeNo: paid.merchantTradeNo }, data: { chargeFee: "48" } });
    const capture = await shopify.capture(paid.orderId, 1000);
    expect((await finalMutation(capture.session.gid)).mutations).toEqual(["captureSessionResolve"]);
    expect(shopify.order(paid.orderId)?.financialStatus).toBe("partially_paid");
    const admin = adminClient(server.origin, prisma);
    // The status badge in the list's row (status-<id>) or the detail's title (status), not the filter's options.
    const statusShown = (html: string, id: string, word: string) => expect(html).toMatch(new RegExp(`id="${id}"[^>]*>(?:(?!</td>|id=").){0,600}?>${word}<`, "s"));
    const page = async (path: string) => {
      const response = await admin.get(path, "credit", SHOP);
      expect(response.status).toBe(200);
      return response.text();
    };
    const listed = await page(`/apps/credit/transactions?q=${paid.paymentId}`);
    statusShown(listed, `status-${paid.paymentId}`, SHOPIFY_STATUS_WORDS.partiallyPaid["zh-TW"]);
    expect(await page(`/apps/credit/transactions?status=partiallyPaid&q=${paid.paymentId}`)).toContain(`id="status-${paid.paymentId}"`);
    expect(await page(`/apps/credit/transactions?status=paid&q=${paid.paymentId}`)).not.toContain(`id="status-${paid.paymentId}"`);
    expect(listed).toMatch(/id="money-[^"]+">已請款 NT\$1,000</);

    const refund = await shopify.refund(paid.orderId, 300);
    expect((await finalMutation(refund.session.gid)).mutations).toEqual(["refundSessionResolve"]);
    // The simulator counts in minor units (cents).
    expect(shopify.order(paid.orderId)).toMatchObject({ financialStatus: "partially_refunded", captured: 100_000, refunded: 30_000 });

    const list = await page(`/apps/credit/transactions?q=${paid.paymentId}`);
    expect(list).toMatch(/id="amount-[^"]+">NT\$2,380</);
    expect(list).toMatch(/id="money-[^"]+">已請款 NT\$1,000 · 已退款 NT\$300 · 淨額 NT\$700</);
    statusShown(list, `status-${paid.paymentId}`, "部分金額已退款");
    const detail = await page(`/apps/credit/transactions/${paid.paymentId}`);
    for (const [id, text] of [["authorized", "NT$2,380"], ["captured", "NT$1,000"], ["refunded", "NT$300"], ["net", "NT$700"], ["fee", "NT$48"]]) {
      expect(detail).toContain(`id="money-${id}">${text}<`);
    }
    statusShown(detail, "status", "部分金額已退款");
    const english = await page(`/apps/credit/transactions/${paid.paymentId}?locale=en`);
    statusShown(english, "status", "Partially refunded");
    expect(english).toContain(`id="money-net">NT$700<`);

    const voidedPayment = await pay("credit", { kind: "authorization", amount: 500 });
    await prisma.paymentAttempt.update({ where: { merchantTradeNo: voidedPayment.merchantTradeNo }, data: { chargeFee: "12" } });
    expect((await finalMutation((await shopify.void(voidedPayment.orderId)).session.gid)).mutations).toEqual(["voidSessionResolve"]);

    const today = taiwanDate(new Date());
    const csv = (await page(`/apps/credit/export?from=${today}&to=${today}`)).slice(1).trimEnd().split("\r\n");
    const header = csv[0]!.split(",");
    const rowOf = (id: string) => {
      const cells = csv.find((line) => line.split(",")[4] === id)!.split(",");
      return Object.fromEntries(header.map((name, i) => [name, cells[i]]));
    };
    expect(rowOf(paid.paymentId)).toMatchObject({ 交易金額: "2380", 手續費: "48", 交易狀態: "部分金額已退款", 授權金額: "2380", 請款金額: "1000", 退款金額: "300", 淨額: "700" });
    expect(rowOf(voidedPayment.paymentId)).toMatchObject({ 交易金額: "500", 手續費: "", 交易狀態: "已作廢", 授權金額: "500", 請款金額: "0", 退款金額: "0", 淨額: "0" });
  });

  it("rejects a capture of installments for less than the authorization without calling ECPay", async () => {
    const paid = await pay("installments", { kind: "authorization", amount: 1200 });
    const capture = await shopify.capture(paid.orderId, 500);
    const call = await finalMutation(capture.session.gid);
    expect(call.mutations).toEqual(["captureSessionReject"]);
    expect(call.variables).toEqual({
      id: capture.session.gid,
      reason: { code: "PROCESSING_ERROR", merchantMessage: bilingual("capture.fullOnly", { authorized: "NT$1,200" }) },
    });
    expect(doActions(paid.merchantTradeNo)).toEqual([]);
    expect(card(paid.merchantTradeNo)?.status).toBe("已授權");
  });
});

describe("refunds of card sales", () => {
  it("closes a paid sale automatically, then refunds part of it (R) and later the rest (R)", async () => {
    const paid = await pay("credit", { amount: 1000 });
    await closeSale(paid);

    const partial = await shopify.refund(paid.orderId, 300);
    expect((await finalMutation(partial.session.gid)).mutations).toEqual(["refundSessionResolve"]);
    expect(shopify.order(paid.orderId)?.financialStatus).toBe("partially_refunded");
    expect(card(paid.merchantTradeNo)).toMatchObject({ status: "要關帳", closedAmount: 700 });

    ecpay.runDailyClose();
    expect(card(paid.merchantTradeNo)?.status).toBe("已關帳");
    const rest = await shopify.refund(paid.orderId);
    expect((await finalMutation(rest.session.gid)).mutations).toEqual(["refundSessionResolve"]);
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 1000], ["R", 300], ["R", 700]]);
    expect(card(paid.merchantTradeNo)).toMatchObject({ status: "已關帳", closedAmount: 700, refundedAmount: 700 });
    expect(shopify.order(paid.orderId)?.financialStatus).toBe("refunded");
    expect(await prisma.paymentSession.findUniqueOrThrow({ where: { id: paid.paymentId } })).toMatchObject({
      status: "REFUNDED",
      capturedAmount: 1000,
      refundedAmount: 1000,
    });
  });

  it("refunds a whole sale that is not settled yet by cancelling the close and abandoning it (E, N)", async () => {
    const paid = await pay("credit", { amount: 640 });
    await closeSale(paid);
    const refund = await shopify.refund(paid.orderId);
    expect((await finalMutation(refund.session.gid)).mutations).toEqual(["refundSessionResolve"]);
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 640], ["E", 640], ["N", 640]]);
    expect(card(paid.merchantTradeNo)?.status).toBe("已取消");
    expect((await prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: paid.merchantTradeNo } })).cardState).toBe("ABANDONED");
  });

  it("refunds a captured authorization after the bank settled it", async () => {
    const paid = await pay("credit", { kind: "authorization", amount: 900 });
    const capture = await shopify.capture(paid.orderId);
    await finalMutation(capture.session.gid);
    ecpay.runDailyClose();
    const refund = await shopify.refund(paid.orderId, 200);
    expect((await finalMutation(refund.session.gid)).mutations).toEqual(["refundSessionResolve"]);
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 900], ["R", 200]]);
    expect(card(paid.merchantTradeNo)).toMatchObject({ status: "已關帳", refundedAmount: 200 });
  });

  it.each(["installments", "redeem"] as const)("rejects a partial %s refund with the full-refund message and accepts the full one", async (method) => {
    const paid = await pay(method, { amount: 1200 });
    await closeSale(paid);
    ecpay.runDailyClose();

    const partial = await shopify.refund(paid.orderId, 200);
    const rejected = await finalMutation(partial.session.gid);
    expect(rejected.mutations).toEqual(["refundSessionReject"]);
    expect(rejected.variables).toEqual({ id: partial.session.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: bilingual("refund.fullOnly") } });
    expect(shopify.financialSession(partial.session.id)?.reject?.merchantMessage).toContain("全額");

    const full = await shopify.refund(paid.orderId);
    expect((await finalMutation(full.session.gid)).mutations).toEqual(["refundSessionResolve"]);
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 1200], ["R", 1200]]);
    expect(card(paid.merchantTradeNo)).toMatchObject({ status: "已關帳", refundedAmount: 1200 });
  });

  it("refunds UnionPay with R straight away: it closes at authorization", async () => {
    const paid = await pay("unionpay", { amount: 500 });
    const refund = await shopify.refund(paid.orderId, 150);
    expect((await finalMutation(refund.session.gid)).mutations).toEqual(["refundSessionResolve"]);
    expect(doActions(paid.merchantTradeNo)).toEqual([["R", 150]]);
  });

  it("takes over a pending automatic close when a refund arrives first, so the trade is never closed behind it", async () => {
    const paid = await pay("credit", { amount: 450, closeRetrying: true });
    const refund = await shopify.refund(paid.orderId);
    expect((await finalMutation(refund.session.gid)).mutations).toEqual(["refundSessionResolve"]);
    await quiet();
    expect(doActions(paid.merchantTradeNo)).toEqual([["N", 450]]);
    expect(card(paid.merchantTradeNo)?.status).toBe("已取消");
    expect(await prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: paid.merchantTradeNo } })).toMatchObject({
      closePending: false,
      cardState: "ABANDONED",
    });
  });
});

describe("methods ECPay cannot refund online", () => {
  it.each([
    ["atm", "refund.contactBuyer"],
    ["webatm", "refund.contactBuyer"],
    ["twqr", "refund.opayBackOffice"],
    ["wechatpay", "refund.opayBackOffice"],
  ] as const)("rejects a %s refund telling the merchant what to do", async (method, key) => {
    const paid = await pay(method, { amount: 700 });
    const refund = await shopify.refund(paid.orderId);
    expect(refund.ok).toBe(true);
    const call = await finalMutation(refund.session.gid);
    expect(call.mutations).toEqual(["refundSessionReject"]);
    expect(call.variables).toEqual({ id: refund.session.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: bilingual(key) } });
    expect(doActions(paid.merchantTradeNo)).toEqual([]);
    expect(shopify.order(paid.orderId)?.financialStatus).toBe("paid");
    expect((await prisma.paymentSession.findUniqueOrThrow({ where: { id: paid.paymentId } })).refundedAmount).toBe(0);
  });

  it("words the rejection in both languages when the merchant's locale is unknown", async () => {
    const paid = await pay("atm", { amount: 300 });
    await write(() => prisma.paymentSession.update({ where: { id: paid.paymentId }, data: { merchantLocale: null } }));
    const refund = await shopify.refund(paid.orderId);
    const call = await finalMutation(refund.session.gid);
    expect(call.variables).toEqual({ id: refund.session.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: bilingual("refund.contactBuyer") } });
  });
});

describe("test sessions", () => {
  it("captures, refunds and voids test payments without calling ECPay, marked simulated", async () => {
    const before = ecpayProxy.forwarded.length;
    const authorized = await pay("credit", { kind: "authorization", amount: 990, test: true });
    const capture = await shopify.capture(authorized.orderId);
    expect((await finalMutation(capture.session.gid)).mutations).toEqual(["captureSessionResolve"]);
    const refund = await shopify.refund(authorized.orderId, 90);
    expect((await finalMutation(refund.session.gid)).mutations).toEqual(["refundSessionResolve"]);

    const other = await pay("installments", { kind: "authorization", amount: 1200, test: true });
    const voided = await shopify.void(other.orderId);
    expect((await finalMutation(voided.session.gid)).mutations).toEqual(["voidSessionResolve"]);

    expect(ecpayProxy.forwarded.length).toBe(before);
    const ops = await prisma.operationSession.findMany({ where: { id: { in: [capture.session.id, refund.session.id, voided.session.id] } } });
    expect(ops.map((op) => [op.type, op.status, op.simulated])).toEqual(
      expect.arrayContaining([
        ["CAPTURE", "SUCCEEDED", true],
        ["REFUND", "SUCCEEDED", true],
        ["VOID", "SUCCEEDED", true],
      ]),
    );
    expect(shopify.order(authorized.orderId)?.financialStatus).toBe("partially_refunded");
    expect(shopify.order(other.orderId)?.financialStatus).toBe("voided");
  });

  it("still applies the method's rules to test payments", async () => {
    const paid = await pay("twqr", { amount: 100, test: true });
    const refund = await shopify.refund(paid.orderId);
    const call = await finalMutation(refund.session.gid);
    expect(call.mutations).toEqual(["refundSessionReject"]);
    expect((await prisma.operationSession.findUniqueOrThrow({ where: { id: refund.session.id } })).simulated).toBe(false);
  });
});

describe("the session endpoints", () => {
  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${server.origin}${path}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Shopify-Shop-Domain": SHOP,
        "Shopify-Request-Id": "req-ops-1",
        "Shopify-Api-Version": PINNED_API_VERSION,
        ...headers,
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  const refundBody = (paymentId: string, id = `rf${Math.random().toString(36).slice(2, 12)}`) => ({
    id,
    gid: `gid://shopify/RefundSession/${id}`,
    payment_id: paymentId,
    amount: "100.00",
    currency: "TWD",
    test: false,
    merchant_locale: "zh-TW",
    proposed_at: new Date().toISOString(),
  });

  it("answers a retried refund request with 201 again and refunds once", async () => {
    const paid = await pay("credit", { amount: 1000 });
    await closeSale(paid);
    const refund = await shopify.refund(paid.orderId, 250);
    const body = refund.request.body;
    // Shopify delivers the same request again, twice at once.
    const again = await Promise.all([post("/payments/credit/refund", body), post("/payments/credit/refund", body)]);
    expect(again.map((r) => r.status)).toEqual([201, 201]);
    expect(await again[0]!.text()).toBe("");
    expect(await prisma.operationSession.count({ where: { paymentSessionId: paid.paymentId } })).toBe(1);

    expect((await finalMutation(refund.session.gid)).mutations).toEqual(["refundSessionResolve"]);
    await quiet();
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 1000], ["R", 250]]);
    expect(card(paid.merchantTradeNo)?.closeData.filter((r) => r.status === "退刷")).toHaveLength(1);
  });

  it("accepts a fractional amount and rejects it with a message instead of rounding", async () => {
    const paid = await pay("credit", { amount: 1000 });
    const body = { ...refundBody(paid.paymentId), amount: "99.50" };
    const response = await post("/payments/credit/refund", body);
    expect(response.status).toBe(201);
    await settle(async () => (await prisma.operationSession.findUniqueOrThrow({ where: { id: body.id } })).status === "FAILED");
    const op = await prisma.operationSession.findUniqueOrThrow({ where: { id: body.id } });
    expect(op).toMatchObject({ amount: null, amountRaw: "99.50", rejectCode: "PROCESSING_ERROR", merchantMessage: bilingual("operation.amountNotWhole", { amount: "99.50" }) });
    const queued = await prisma.outboxMessage.findUniqueOrThrow({ where: { mutation_subjectId: { mutation: "refundSessionReject", subjectId: body.id } } });
    expect(JSON.parse(queued.variables)).toEqual({ id: body.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: op.merchantMessage } });
  });

  it("accepts a capture on a method without authorization and rejects it with a message", async () => {
    const paid = await pay("unionpay", { amount: 500 });
    const id = `cp${Date.now()}`;
    const response = await post("/payments/unionpay/capture", { ...refundBody(paid.paymentId, id), gid: `gid://shopify/CaptureSession/${id}` });
    expect(response.status).toBe(201);
    await settle(async () => (await prisma.operationSession.findUniqueOrThrow({ where: { id } })).status === "FAILED");
    expect((await prisma.operationSession.findUniqueOrThrow({ where: { id } })).merchantMessage).toBe(bilingual("capture.notSupported"));
  });

  it("refuses unknown shops, other shops' payments, other methods' payments and malformed requests with a reason", async () => {
    const paid = await pay("credit", { amount: 300 });
    const unknownShop = await post("/payments/credit/refund", refundBody(paid.paymentId), { "Shopify-Shop-Domain": "nobody.myshopify.com" });
    expect(unknownShop.status).toBe(404);
    expect(await unknownShop.text()).toContain("not installed");

    const unknownPayment = await post("/payments/credit/refund", refundBody("no-such-payment"));
    expect(unknownPayment.status).toBe(404);
    expect(await unknownPayment.text()).toContain("unknown");

    const otherShop = await post("/payments/credit/refund", refundBody(paid.paymentId), { "Shopify-Shop-Domain": OTHER_SHOP });
    expect(otherShop.status).toBe(422);
    expect(await otherShop.text()).toContain("another shop");

    const otherMethod = await post("/payments/atm/refund", refundBody(paid.paymentId));
    expect(otherMethod.status).toBe(422);
    expect(await otherMethod.text()).toContain("credit");

    const noHeader = await post("/payments/credit/refund", refundBody(paid.paymentId), { "Shopify-Request-Id": "" });
    expect(noHeader.status).toBe(400);
    expect(await noHeader.text()).toContain("Shopify-Request-Id");

    const badAmount = await post("/payments/credit/refund", { ...refundBody(paid.paymentId), amount: 100 });
    expect(badAmount.status).toBe(400);
    expect(await badAmount.text()).toContain("amount");

    expect((await post("/payments/credit/refund", "{not json")).status).toBe(400);
    expect((await fetch(`${server.origin}/payments/credit/refund`)).status).toBe(405);
    expect(await prisma.operationSession.count({ where: { paymentSessionId: paid.paymentId } })).toBe(0);
  });
});

describe("when ECPay is down or an answer is lost", () => {
  // Earlier tests' sales must not consume the faults planned here.
  beforeEach(async () => {
    await settle(async () => (await prisma.paymentAttempt.count({ where: { closePending: true } })) === 0);
  });

  it("keeps the refund waiting while ECPay is unreachable and refunds once it is back", async () => {
    const paid = await pay("credit", { amount: 800 });
    await closeSale(paid);
    ecpay.runDailyClose();
    ecpayProxy.plan("/CreditDetail/QueryTrade/V2", ["fail", "fail"]);
    const refund = await shopify.refund(paid.orderId, 300);

    await settle(async () => (await prisma.operationSession.findUniqueOrThrow({ where: { id: refund.session.id } })).attempts >= 1);
    const waiting = await prisma.operationSession.findUniqueOrThrow({ where: { id: refund.session.id } });
    expect(waiting.status).toBe("RECEIVED");
    expect(waiting.nextAttemptAt.getTime()).toBeGreaterThan(waiting.createdAt.getTime() + 500);
    expect(acceptedCalls(refund.session.gid)).toEqual([]);

    expect((await finalMutation(refund.session.gid)).mutations).toEqual(["refundSessionResolve"]);
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 800], ["R", 300]]);
    expect(card(paid.merchantTradeNo)?.refundedAmount).toBe(300);
  });

  it("does not refund twice when ECPay refunded but its answer was lost: ECPay's closed amount fell by the refund", async () => {
    const paid = await pay("credit", { amount: 800 });
    await closeSale(paid);
    ecpay.runDailyClose();
    ecpayProxy.plan("/CreditDetail/DoAction", ["lose-answer"]);
    const refund = await shopify.refund(paid.orderId, 300);

    expect((await finalMutation(refund.session.gid)).mutations).toEqual(["refundSessionResolve"]);
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 800], ["R", 300]]);
    expect(card(paid.merchantTradeNo)).toMatchObject({ refundedAmount: 300 });
    const op = await prisma.operationSession.findUniqueOrThrow({ where: { id: refund.session.id } });
    const log = JSON.parse(op.ecpayLog ?? "[]") as Array<{ call: string; outcome: string }>;
    expect(log.map((entry) => `${entry.call}:${entry.outcome}`)).toEqual(["QueryTrade/V2:ok", "DoAction:indeterminate", "QueryTrade/V2:ok"]);
    expect(await prisma.paymentSession.findUniqueOrThrow({ where: { id: paid.paymentId } })).toMatchObject({ refundedAmount: 300, status: "PARTIALLY_REFUNDED" });
  });

  it("never sends an R again when its answer was lost and the documented fields cannot show it done: rejected as unknown and flagged", async () => {
    // The refund takes the sale's pending close over, so it closes (C) and refunds (R) in one run:
    // the closed amount before the R is not one ECPay showed us, so nothing documented proves the R.
    const paid = await pay("credit", { amount: 760, closeRetrying: true });
    ecpayProxy.plan("/CreditDetail/DoAction", ["pass", "lose-answer"]);
    const refund = await shopify.refund(paid.orderId, 260);

    const call = await finalMutation(refund.session.gid);
    expect(call.mutations).toEqual(["refundSessionReject"]);
    expect(call.variables).toEqual({ id: refund.session.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: bilingual("operation.unknownOutcome") } });
    await quiet();
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 760], ["R", 260]]);
    expect(card(paid.merchantTradeNo)).toMatchObject({ status: "要關帳", closedAmount: 500 });
    expect(await prisma.paymentSession.findUniqueOrThrow({ where: { id: paid.paymentId } })).toMatchObject({ refundedAmount: 0, flag: "REFUND_UNCONFIRMED" });
  });

  it("never sends an R again when it may not have reached ECPay: the unchanged closed amount proves nothing, so it is rejected and flagged", async () => {
    const paid = await pay("credit", { amount: 820 });
    await closeSale(paid);
    ecpay.runDailyClose();
    // 503 from in front of ECPay: the R never arrived, which we cannot tell from a lost answer.
    ecpayProxy.plan("/CreditDetail/DoAction", ["fail"]);
    const refund = await shopify.refund(paid.orderId, 120);

    const call = await finalMutation(refund.session.gid);
    expect(call.mutations).toEqual(["refundSessionReject"]);
    expect(call.variables).toMatchObject({ reason: { merchantMessage: bilingual("operation.unknownOutcome") } });
    await quiet();
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 820]]);
    expect(card(paid.merchantTradeNo)?.refundedAmount).toBe(0);
    expect((await prisma.paymentSession.findUniqueOrThrow({ where: { id: paid.paymentId } })).flag).toBe("REFUND_UNCONFIRMED");
  });

  it("stops a run that lost its lease to another instance: no further DoAction, and the instance that holds it finishes the refund once", async () => {
    const paid = await pay("credit", { amount: 640 });
    await closeSale(paid);
    const held = gate();
    ecpayProxy.plan("/CreditDetail/DoAction", [held]);
    const refund = await shopify.refund(paid.orderId);
    const row = () => prisma.operationSession.findUniqueOrThrow({ where: { id: refund.session.id } });

    // The run logged its E as sent and renewed its lease for one call, not for the whole run.
    await held.reached;
    const running = await row();
    expect(JSON.parse(running.ecpayLog ?? "[]")).toContainEqual(expect.objectContaining({ call: "DoAction", action: "E", outcome: "sent" }));
    expect(running.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 15_000);
    expect(running.lockedUntil!.getTime()).toBeLessThanOrEqual(Date.now() + 30_000);

    // The run stalls past its lease and another instance takes the operation over.
    const takenOver = new Date(Date.now() + 60_000);
    await write(() => prisma.operationSession.update({ where: { id: refund.session.id }, data: { lockedUntil: takenOver } }));
    held.release();
    await quiet();
    const after = await row();
    expect(after).toMatchObject({ status: "RECEIVED", lockedUntil: takenOver });
    expect(JSON.parse(after.ecpayLog ?? "[]").at(-1)).toMatchObject({ call: "DoAction", action: "E", outcome: "sent" });
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 640], ["E", 640]]);
    expect(acceptedCalls(refund.session.gid)).toEqual([]);

    // That instance crashed too: once its lease runs out the worker reads the card state and goes on.
    await write(() => prisma.operationSession.update({ where: { id: refund.session.id }, data: { lockedUntil: new Date(Date.now() - 1000) } }));
    expect((await finalMutation(refund.session.gid)).mutations).toEqual(["refundSessionResolve"]);
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 640], ["E", 640], ["N", 640]]);
    expect(card(paid.merchantTradeNo)?.status).toBe("已取消");
  });

  it("without a 商家檢查碼, rejects a refund whose answer was lost and sends the merchant to ECPay's back office", async () => {
    await write(() => prisma.ecpayBinding.updateMany({ where: { shop: SHOP }, data: { creditCheckCodeEnc: null } }));
    const paid = await pay("credit", { amount: 800 });
    await closeSale(paid);
    ecpay.runDailyClose();
    ecpayProxy.plan("/CreditDetail/DoAction", ["lose-answer"]);
    const refund = await shopify.refund(paid.orderId, 300);

    const call = await finalMutation(refund.session.gid);
    expect(call.mutations).toEqual(["refundSessionReject"]);
    expect(call.variables).toEqual({ id: refund.session.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: bilingual("operation.unknownOutcome") } });
    await quiet();
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 800], ["R", 300]]);
    expect(card(paid.merchantTradeNo)?.refundedAmount).toBe(300);
    expect((await prisma.paymentSession.findUniqueOrThrow({ where: { id: paid.paymentId } })).flag).toBe("REFUND_UNCONFIRMED");
  });

  it("retries an automatic close ECPay did not answer, and finds it done instead of closing twice", async () => {
    ecpayProxy.plan("/CreditDetail/DoAction", ["lose-answer"]);
    const paid = await pay("credit", { amount: 420 });
    const attempt = () => prisma.paymentAttempt.findUniqueOrThrow({ where: { merchantTradeNo: paid.merchantTradeNo } });
    const after = await settle(async () => {
      const row = await attempt();
      return row.closeError?.startsWith("indeterminate") && row.cardState === "AUTHORIZED" ? row : null;
    });
    expect(after.closePending).toBe(true);
    expect(card(paid.merchantTradeNo)?.status).toBe("要關帳");

    // The retry waits out its delay: move the row's clock back instead of sleeping a minute.
    await write(() => prisma.paymentAttempt.update({ where: { merchantTradeNo: paid.merchantTradeNo }, data: { updatedAt: new Date(Date.now() - 120_000) } }));
    await settle(async () => (await attempt()).cardState === "CLOSE_REQUESTED");
    expect(await attempt()).toMatchObject({ closePending: false, closeError: null });
    expect(doActions(paid.merchantTradeNo)).toEqual([["C", 420]]);
  });
});
