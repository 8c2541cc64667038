// The ECPay emulator: a real HTTP server with ECPay's AIO endpoints, buyer pages and a control API
// (/_emulator/*). Rules and their sources are in the modules it composes: checkout-validation.ts
// (AioCheckOut V5), card-trade.ts (DoAction / QueryTrade V2), trade-fields.ts (notification and
// query fields), notifier.ts (ReturnURL / PaymentInfoURL delivery with resends).
import { randomInt } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { verifyCheckMacValue } from "../../../app/ecpay/check-mac-value";
import { ApiFaults, apiHangSchema, merchantBalanceSchema } from "./api-faults";
import { applyDoAction, dailyClose, type DoActionKind, EMULATOR_RULE_ERROR, newCardTrade, queryTradeValue } from "./card-trade";
import {
  ATM_BANKS,
  ECPAY_CODES,
  EMULATOR_MERCHANT_ERROR,
  EMULATOR_PARAMETER_ERROR,
  STAGE_MERCHANT_IDS,
  type ValidCheckout,
  validateCheckout,
} from "./checkout-validation";
import { ecpayResponseBody, taiwanDate, taiwanDatePlusDays, taiwanDateTime, tradeNoPrefix } from "./format";
import { Notifier } from "./notifier";
import { atmPage, autoPostPage, cancelledPage, cardPage, errorPage, resultPage, walletPage } from "./pages";
import { atmInfoFields, emptyExtraPaidInfo, paidFields, paymentInfoRefusalFields, queryTradeInfoFields, unknownTradeFields } from "./trade-fields";
import type {
  EcpayEmulator,
  EcpayEmulatorOptions,
  EcpayEmulatorSnapshot,
  EcpayMerchant,
  EmulatorOrder,
  ApiRequestLogEntry,
  NotificationFaultRule,
  PayOptions,
  RateLimitRule,
  TradeSnapshot,
} from "./types";

/** ECPay's public AIO stage merchant (§5). */
export const STAGE_MERCHANT: EcpayMerchant = {
  merchantId: "3002607",
  hashKey: "pwFHCqoQZGmho4w6",
  hashIv: "EkRm7iFT261dpevs",
};

/** "只有此組卡號可測試交易成功流程" (§5). */
const TEST_CARD = { number: "4311952222222222", cvv: "222" };
/** TimeStamp is valid for 3 minutes (§4.2). */
const TIMESTAMP_TOLERANCE_S = 180;
const MAX_BODY_BYTES = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Outcome of a buyer's payment attempt; declines are business outcomes, not errors. */
type PayResult = { ok: true; order: EmulatorOrder } | { ok: false; message: string };

interface PaymentDetails {
  simulatePaid: boolean;
  installmentPeriod?: string;
  useRedeem: boolean;
  /** The buyer picked UnionPay where the page offered it. */
  unionPay: boolean;
}

const merchantSchema = z.object({
  merchantId: z.string().min(1).max(10),
  hashKey: z.string().min(1),
  hashIv: z.string().min(1),
  creditCheckCode: z.string().optional(),
  enabled: z.array(z.enum(["Credit", "ATM", "WebATM", "TWQR", "WeiXin"])).optional(),
  dailyAutoClose: z.boolean().optional(),
  consumerInstallments: z.boolean().optional(),
});
export const merchantsSchema = z.array(merchantSchema);
const payBodySchema = z.object({
  merchantTradeNo: z.string().min(1),
  merchantId: z.string().optional(),
  simulatePaid: z.boolean().optional(),
  installmentPeriod: z.string().optional(),
  useRedeem: z.boolean().optional(),
  unionPay: z.boolean().optional(),
});
const orderRefSchema = z.object({ merchantTradeNo: z.string().min(1), merchantId: z.string().optional() });
const faultSchema = z
  .object({ drop: z.number().int().min(0).optional(), duplicate: z.boolean().optional(), delayMs: z.number().int().min(0).optional() })
  .nullable();
const rateLimitSchema = z.object({ maxRequests: z.number().int().min(0), windowMs: z.number().int().positive() }).nullable();

function clone<T>(value: T): T {
  return structuredClone(value);
}

export class EcpayEmulatorServer {
  private readonly merchants = new Map<string, EcpayMerchant>();
  /** Keyed `${merchantId}:${merchantTradeNo}`. */
  private readonly ordersByKey = new Map<string, EmulatorOrder>();
  private readonly ordersByTradeNo = new Map<string, EmulatorOrder>();
  private readonly checkouts = new Map<string, ValidCheckout>();
  private readonly notifier: Notifier;
  private readonly now: () => Date;
  private rateLimit: RateLimitRule | null;
  private readonly apiFaults = new ApiFaults();
  private apiCalls: number[] = [];
  private readonly apiRequestLog: ApiRequestLogEntry[] = [];
  private gwsrCounter = 12_000_000 + randomInt(0, 1_000_000);
  private server: Server | null = null;
  origin = "";

  constructor(private readonly options: EcpayEmulatorOptions) {
    this.now = options.now ?? (() => new Date());
    this.rateLimit = options.rateLimit ?? null;
    const given = options.merchants ?? [];
    if (options.environment === "stage" && !given.some((m) => m.merchantId === STAGE_MERCHANT.merchantId)) {
      this.merchants.set(STAGE_MERCHANT.merchantId, { ...STAGE_MERCHANT });
    }
    for (const merchant of given) this.addMerchant(merchant);
    this.notifier = new Notifier({
      retryIntervalMs: options.notifyRetryIntervalMs ?? 5 * 60 * 1000,
      maxAttempts: options.notifyMaxAttempts ?? 5,
      timeoutMs: options.notifyTimeoutMs ?? 10_000,
      now: this.now,
    });
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        const message = error instanceof Error ? error.message : String(error);
        if (!res.headersSent) {
          res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
        }
        res.end(JSON.stringify({ error: message }));
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    this.origin = `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    this.notifier.close();
    await this.notifier.settled();
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- public control API

  api(): EcpayEmulator {
    return {
      origin: this.origin,
      environment: this.options.environment,
      close: () => this.close(),
      pay: (merchantTradeNo, opts) => this.payByControl(merchantTradeNo, opts ?? {}),
      expireAtm: (merchantTradeNo, opts) => clone(this.expireAtm(this.findOrder(merchantTradeNo, opts?.merchantId))),
      runDailyClose: () => this.runDailyClose().map(clone),
      setNotificationFault: (rule: NotificationFaultRule | null) => this.notifier.setFault(rule),
      apiRequests: () => this.apiRequestLog.map((entry) => ({ ...entry })),
      setRateLimit: (rule: RateLimitRule | null) => {
        this.rateLimit = rule;
        this.apiCalls = [];
      },
      orders: () => [...this.ordersByKey.values()].map((order) => clone(this.refresh(order))),
      order: (merchantTradeNo, opts) => {
        const found = this.lookupOrders(merchantTradeNo, opts?.merchantId);
        const order = found[0];
        return order ? clone(this.refresh(order)) : undefined;
      },
      notificationLog: () => this.notifier.entries(),
      addMerchant: (merchant) => this.addMerchant(merchant),
      whenNotificationsSettled: () => this.notifier.settled(),
      setApiHang: (rule) => this.apiFaults.setHang(rule),
      setMerchantBalance: (merchantId, balance) => this.apiFaults.setMerchantBalance(merchantId, balance),
      snapshot: () => this.snapshot(),
      restore: (snapshot) => this.restore(snapshot),
    };
  }

  private snapshot(): EcpayEmulatorSnapshot {
    const trades = [...this.ordersByKey.values()].map((order): TradeSnapshot => {
      const { merchant: _merchant, ...checkout } = this.checkouts.get(order.tradeNo) as ValidCheckout;
      const card = order.card && { ...order.card, authorizedAt: order.card.authorizedAt.toISOString() };
      return { ...order, card, checkout };
    });
    return clone({
      version: 1,
      environment: this.options.environment,
      merchants: [...this.merchants.values()],
      trades,
      lastGwsr: this.gwsrCounter,
    });
  }

  /** Replaces the trades with a snapshot taken by snapshot() (possibly in an earlier process). */
  private restore(snapshot: EcpayEmulatorSnapshot): void {
    if (snapshot.version !== 1) throw new Error(`Unknown ECPay emulator snapshot version ${String(snapshot.version)}`);
    const environment = this.options.environment;
    if (snapshot.environment !== environment) {
      throw new Error(`An ECPay ${snapshot.environment} snapshot cannot be restored into the ${environment} emulator`);
    }
    const data = clone(snapshot);
    for (const merchant of data.merchants) if (!this.merchants.has(merchant.merchantId)) this.addMerchant(merchant);
    const unknown = data.trades.find((trade) => !this.merchants.has(trade.merchantId));
    if (unknown) throw new Error(`The snapshot's trade ${unknown.merchantTradeNo} names the unknown merchant ${unknown.merchantId}`);
    this.ordersByKey.clear();
    this.ordersByTradeNo.clear();
    this.checkouts.clear();
    for (const { checkout, card, ...fields } of data.trades) {
      const order: EmulatorOrder = { ...fields, card: card && { ...card, authorizedAt: new Date(card.authorizedAt) } };
      this.ordersByKey.set(`${order.merchantId}:${order.merchantTradeNo}`, order);
      this.ordersByTradeNo.set(order.tradeNo, order);
      this.checkouts.set(order.tradeNo, { ...checkout, merchant: this.merchantOf(order) });
    }
    this.gwsrCounter = Math.max(this.gwsrCounter, data.lastGwsr);
  }

  addMerchant(merchant: EcpayMerchant): void {
    this.merchants.set(merchant.merchantId, { ...merchant, ...(merchant.enabled && { enabled: [...merchant.enabled] }) });
  }

  private lookupOrders(merchantTradeNo: string, merchantId?: string): EmulatorOrder[] {
    if (merchantId !== undefined) {
      const order = this.ordersByKey.get(`${merchantId}:${merchantTradeNo}`);
      return order ? [order] : [];
    }
    return [...this.ordersByKey.values()].filter((order) => order.merchantTradeNo === merchantTradeNo);
  }

  private findOrder(merchantTradeNo: string, merchantId?: string): EmulatorOrder {
    const found = this.lookupOrders(merchantTradeNo, merchantId);
    if (found.length === 0) throw new HttpError(404, `no order ${merchantTradeNo}`);
    if (found.length > 1) throw new HttpError(409, `${merchantTradeNo} exists for several merchants: pass merchantId`);
    return this.refresh(found[0] as EmulatorOrder);
  }

  private merchantOf(order: EmulatorOrder): EcpayMerchant {
    const merchant = this.merchants.get(order.merchantId);
    if (!merchant) throw new Error(`merchant ${order.merchantId} vanished`);
    return merchant;
  }

  /** ATM accounts lapse after their Taiwan-date deadline (lazy, so `now` can be moved by tests). */
  private refresh(order: EmulatorOrder): EmulatorOrder {
    const atm = order.atm;
    if (atm && order.status === "created" && !atm.expired && taiwanDate(this.now()) > atm.expireDate) {
      this.lapseAtm(order);
    }
    return order;
  }

  private lapseAtm(order: EmulatorOrder): void {
    if (order.atm) order.atm.expired = true;
    order.status = "failed";
    order.failureReason = "ATM 繳費期限已過 (the virtual account expired unpaid)";
  }

  private expireAtm(order: EmulatorOrder): EmulatorOrder {
    if (!order.atm) throw new HttpError(409, `${order.merchantTradeNo} is not an ATM order`);
    if (order.status !== "created") throw new HttpError(409, `${order.merchantTradeNo} is ${order.status}`);
    this.lapseAtm(order);
    return order;
  }

  private runDailyClose(): EmulatorOrder[] {
    const changed: EmulatorOrder[] = [];
    for (const order of this.ordersByKey.values()) {
      if (!order.card) continue;
      const merchant = this.merchantOf(order);
      if (dailyClose(order.card, { now: this.now(), dailyAutoClose: merchant.dailyAutoClose ?? false })) changed.push(order);
    }
    return changed;
  }

  private async payByControl(merchantTradeNo: string, opts: PayOptions): Promise<EmulatorOrder> {
    const order = this.findOrder(merchantTradeNo, opts.merchantId);
    const result = await this.payOrder(order, {
      simulatePaid: opts.simulatePaid ?? false,
      ...(opts.installmentPeriod !== undefined && { installmentPeriod: opts.installmentPeriod }),
      useRedeem: opts.useRedeem ?? true,
      unionPay: opts.unionPay ?? false,
    });
    if (!result.ok) throw new HttpError(409, result.message);
    return clone(result.order);
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const path = url.pathname;
    const method = req.method ?? "GET";

    if (path.startsWith("/_emulator/")) return this.handleControl(method, path, url, req, res);
    if (path === "/favicon.ico") {
      // Browsers ask for it on every buyer page; a 404 would be a console error in Playwright runs.
      res.writeHead(204, { "Cache-Control": "max-age=86400" });
      res.end();
      return;
    }

    if (path === "/Cashier/AioCheckOut/V5") {
      // "需透過前端網頁導轉(Submit)": only a form POST creates an order.
      if (method !== "POST") return sendHtml(res, errorPage(EMULATOR_PARAMETER_ERROR, "請以 POST 表單送出 (submit a form POST)."));
      return this.handleCheckout(await readForm(req), res);
    }
    const page = /^\/Emulator\/Payment\/(\d{16})(?:\/(pay|cancel|transfer))?$/.exec(path);
    if (page) {
      const order = this.ordersByTradeNo.get(page[1] as string);
      if (!order) return sendHtml(res, errorPage(EMULATOR_PARAMETER_ERROR, "查無此筆交易 (no such trade)."), 404);
      this.refresh(order);
      const action = page[2];
      if (!action && method === "GET") return this.renderOrderPage(order, res);
      if (action && method === "POST") return this.handleBuyerAction(order, action, await readForm(req), res);
      return sendText(res, 405, "Method Not Allowed");
    }

    const apis: Record<string, (fields: Record<string, string>, res: ServerResponse) => void> = {
      "/Cashier/QueryTradeInfo/V5": (f, r) => this.handleQueryTradeInfo(f, r),
      "/Cashier/QueryPaymentInfo": (f, r) => this.handleQueryPaymentInfo(f, r),
      "/CreditDetail/DoAction": (f, r) => this.handleDoAction(f, r),
      "/CreditDetail/QueryTrade/V2": (f, r) => this.handleQueryTradeV2(f, r),
    };
    const api = apis[path];
    if (api && method === "POST") {
      const hang = this.apiFaults.hangFor(path);
      if (hang === "before") return this.apiFaults.withhold(res);
      if (hang === "after") this.apiFaults.withhold(res);
      if (this.rateLimited()) return sendHtml(res, "<!DOCTYPE html><title>403 Forbidden</title><h1>403 Forbidden</h1>", 403);
      const form = await readForm(req);
      this.apiRequestLog.push({ path, merchantTradeNo: form.MerchantTradeNo ?? "" });
      return api(form, res);
    }
    return sendText(res, 404, "Not Found");
  }

  /** The optional 403 throttle (§6: "too-frequent API calls give HTTP 403", UNCONFIRMED details). */
  private rateLimited(): boolean {
    const rule = this.rateLimit;
    if (!rule) return false;
    const nowMs = Date.now();
    this.apiCalls = this.apiCalls.filter((t) => nowMs - t < rule.windowMs);
    if (this.apiCalls.length >= rule.maxRequests) return true;
    this.apiCalls.push(nowMs);
    return false;
  }

  // ---------------------------------------------------------------- AioCheckOut

  private async handleCheckout(fields: Record<string, string>, res: ServerResponse): Promise<void> {
    const outcome = validateCheckout(fields, {
      environment: this.options.environment,
      findMerchant: (id) => this.merchants.get(id),
      isDuplicate: (id, no) => this.ordersByKey.has(`${id}:${no}`),
    });
    if (!outcome.ok) return sendHtml(res, errorPage(outcome.error.code, outcome.error.message));
    const checkout = outcome.value;
    const now = this.now();
    const tradeNo = this.newTradeNo(now);
    const order: EmulatorOrder = {
      merchantId: checkout.merchant.merchantId,
      merchantTradeNo: fields.MerchantTradeNo as string,
      tradeNo,
      request: { ...fields },
      choosePayment: checkout.choosePayment,
      totalAmount: checkout.totalAmount,
      tradeDate: taiwanDateTime(now),
      status: "created",
      failureReason: null,
      paymentType: paymentTypeOf(checkout),
      paymentDate: null,
      simulatePaid: false,
      chargeFee: 0,
      extraPaidInfo: emptyExtraPaidInfo(),
      atm: null,
      card: null,
      declinedAttempts: 0,
    };
    this.ordersByKey.set(`${order.merchantId}:${order.merchantTradeNo}`, order);
    this.ordersByTradeNo.set(tradeNo, order);
    this.checkouts.set(tradeNo, checkout);

    if (checkout.choosePayment === "ATM") {
      // The account is issued at once and PaymentInfoURL is POSTed on creation, not payment (§2.3).
      order.atm = {
        bankCode: (ATM_BANKS[checkout.bank] ?? { code: "812" }).code,
        vAccount: this.newVirtualAccount(),
        expireDate: taiwanDatePlusDays(now, checkout.atmExpireDays),
        expired: false,
      };
      const infoUrl = fields.PaymentInfoURL ?? "";
      if (infoUrl !== "") {
        const merchant = checkout.merchant;
        const delivery = this.notifier.deliver("payment-info", infoUrl, order.merchantTradeNo, () => atmInfoFields(order, merchant));
        await delivery.firstAttempt;
      }
      const redirect = fields.ClientRedirectURL ?? "";
      if (redirect !== "") return sendHtml(res, autoPostPage(redirect, atmInfoFields(order, checkout.merchant)));
    }
    return redirect(res, `/Emulator/Payment/${tradeNo}`);
  }

  private newTradeNo(now: Date): string {
    for (;;) {
      const candidate = tradeNoPrefix(now) + String(randomInt(0, 10_000)).padStart(4, "0");
      if (!this.ordersByTradeNo.has(candidate)) return candidate;
    }
  }

  private newVirtualAccount(): string {
    for (;;) {
      const candidate = `9103${String(randomInt(0, 10_000_000_000)).padStart(10, "0")}`;
      if (![...this.ordersByKey.values()].some((o) => o.atm?.vAccount === candidate)) return candidate;
    }
  }

  // ---------------------------------------------------------------- buyer pages

  private renderOrderPage(order: EmulatorOrder, res: ServerResponse, error?: string): void {
    const checkout = this.checkouts.get(order.tradeNo) as ValidCheckout;
    const clientBack = order.request.ClientBackURL ?? "";
    if (order.choosePayment === "ATM") return sendHtml(res, atmPage(order, clientBack, error));
    if (order.status === "paid") return sendHtml(res, resultPage(order, clientBack));
    if (order.status === "failed") return sendHtml(res, cancelledPage(order, clientBack));
    if (order.choosePayment === "Credit") {
      return sendHtml(
        res,
        cardPage(order, {
          ...(error !== undefined && { error }),
          ...installmentChoices(order, checkout),
          redeem: checkout.redeem,
          unionPay: checkout.unionPayOnly,
          unionPayChoice: checkout.unionPayChoice === true,
          stage: this.options.environment === "stage",
        }),
      );
    }
    return sendHtml(res, walletPage(order, error));
  }

  private async handleBuyerAction(order: EmulatorOrder, action: string, form: Record<string, string>, res: ServerResponse): Promise<void> {
    const clientBack = order.request.ClientBackURL ?? "";
    if (order.status !== "created") return this.renderOrderPage(order, res);

    if (action === "cancel") {
      if (order.choosePayment === "ATM") return this.renderOrderPage(order, res);
      // The buyer gave up: no ReturnURL; QueryTradeInfo reports 10200095 from now on.
      order.status = "failed";
      order.failureReason = "消費者取消付款 (cancelled by the buyer)";
      if (clientBack !== "") return redirect(res, clientBack);
      return sendHtml(res, cancelledPage(order, clientBack));
    }
    if (action === "transfer" && order.choosePayment !== "ATM") return sendText(res, 404, "Not Found");
    if (action === "pay" && order.choosePayment === "ATM") return sendText(res, 404, "Not Found");

    if (order.choosePayment === "Credit") {
      const decline = cardDecline(form.cardNumber ?? "", form.cardExpiry ?? "", form.cardCvv ?? "", this.now());
      if (decline) {
        // A declined authorization does not end the order: ECPay shows the failure and lets the
        // buyer try again on the same page, and no ReturnURL is sent (RtnCode 1 is the only result
        // ReturnURL reports for a card; §3.1 "RtnCode 1 = paid"). The order stays unpaid
        // (TradeStatus 0) until paid, cancelled or abandoned.
        order.declinedAttempts += 1;
        return this.renderOrderPage(order, res, decline);
      }
    }
    const result = await this.payOrder(order, {
      simulatePaid: false,
      ...(form.installmentPeriod !== undefined && { installmentPeriod: form.installmentPeriod }),
      useRedeem: form.useRedeem === "Y",
      unionPay: form.cardType === "unionpay",
    });
    if (!result.ok) return this.renderOrderPage(order, res, result.message);
    return this.sendBrowserBack(order, res);
  }

  /** After payment: auto-POST OrderResultURL when supported, else ECPay's result page (§2.4, §3.4). */
  private sendBrowserBack(order: EmulatorOrder, res: ServerResponse): void {
    const checkout = this.checkouts.get(order.tradeNo) as ValidCheckout;
    const orderResultUrl = order.request.OrderResultURL ?? "";
    const unionPay = checkout.unionPayOnly || order.card?.unionPay === true;
    const supported = !unionPay && order.choosePayment !== "ATM";
    if (orderResultUrl !== "" && supported) {
      return sendHtml(res, autoPostPage(orderResultUrl, paidFields(order, checkout.merchant, "Succeeded")));
    }
    return sendHtml(res, resultPage(order, order.request.ClientBackURL ?? ""));
  }

  // ---------------------------------------------------------------- payment

  private async payOrder(order: EmulatorOrder, details: PaymentDetails): Promise<PayResult> {
    this.refresh(order);
    if (order.status === "paid") return { ok: false, message: `${order.merchantTradeNo} is already paid` };
    if (order.status === "failed") return { ok: false, message: `${order.merchantTradeNo} is closed: ${order.failureReason ?? ""}` };
    const checkout = this.checkouts.get(order.tradeNo) as ValidCheckout;
    const merchant = checkout.merchant;
    const now = this.now();
    const paymentDate = taiwanDateTime(now);
    const extras = emptyExtraPaidInfo();
    const amount = order.totalAmount;

    switch (order.choosePayment) {
      case "Credit": {
        if (details.unionPay && !checkout.unionPayChoice) {
          return { ok: false, message: "此訂單不提供銀聯卡 (UnionPay is not offered for this order)" };
        }
        const unionPay = checkout.unionPayOnly || details.unionPay;
        const { installmentsOffered: offered, oneTimeAllowed } = installmentChoices(order, checkout);
        let installments = 0;
        const wanted = details.installmentPeriod ?? (oneTimeAllowed ? "" : offered[0]);
        if (offered.length > 0 && !(wanted === "" && oneTimeAllowed)) {
          if (wanted === undefined || !offered.includes(wanted)) {
            return { ok: false, message: `分期期數 ${wanted ?? ""} 不在可選範圍 (period not offered)` };
          }
          // UnionPay has no installments (§2.3).
          if (unionPay) return { ok: false, message: "銀聯卡不支援分期 (UnionPay has no installments)" };
          installments = Number(wanted.replace("N", ""));
        }
        const redeemed = checkout.redeem && details.useRedeem;
        const gwsr = String((this.gwsrCounter += 1));
        // Any remainder of an installment split goes to the first period (§2.3: 1733/6 → 293 + 288×5).
        const staed = installments > 0 ? Math.floor(amount / installments) : 0;
        const stast = installments > 0 ? amount - staed * (installments - 1) : 0;
        const redeemAmount = redeemed ? Math.max(1, Math.min(100, Math.floor(amount / 10))) : 0;
        Object.assign(extras, {
          gwsr,
          process_date: paymentDate,
          auth_code: "777777",
          amount: String(amount),
          stage: String(installments),
          stast: String(stast),
          staed: String(staed),
          eci: "0",
          // "card4no, card6no (not returned for UnionPay)" (§3.2).
          card4no: unionPay ? "" : "2222",
          card6no: unionPay ? "" : "431195",
          red_dan: String(redeemAmount),
          red_de_amt: String(redeemAmount),
          red_ok_amt: String(amount - redeemAmount),
          red_yet: redeemed ? "500" : "0",
        });
        if (!details.simulatePaid) {
          order.card = newCardTrade({ gwsr, amount, installments, redeemed, unionPay, now });
        }
        order.chargeFee = Math.max(1, Math.round(amount * 0.02));
        break;
      }
      case "ATM": {
        Object.assign(extras, { ATMAccBank: "822", ATMAccNo: String(randomInt(10_000, 100_000)) });
        order.chargeFee = 10;
        break;
      }
      case "WebATM": {
        Object.assign(extras, { WebATMAccBank: "822", WebATMAccNo: String(randomInt(10_000, 100_000)), WebATMBankName: "中國信託" });
        order.chargeFee = 10;
        break;
      }
      case "TWQR": {
        extras.TWQRTradeNo = `TWQR${tradeNoPrefix(now)}${String(randomInt(0, 1_000_000)).padStart(6, "0")}`;
        order.chargeFee = Math.max(1, Math.round(amount * 0.02));
        break;
      }
      case "WeiXin": {
        order.chargeFee = Math.max(1, Math.round(amount * 0.025));
        break;
      }
    }
    order.status = "paid";
    order.paymentDate = paymentDate;
    order.simulatePaid = details.simulatePaid;
    order.extraPaidInfo = extras;

    // ReturnURL first (server POST, resent with RtnMsg=paid until 1|OK), then the browser (§2.4).
    const delivery = this.notifier.deliver("return", order.request.ReturnURL as string, order.merchantTradeNo, (attempt) =>
      paidFields(order, merchant, attempt === 1 ? "交易成功" : "paid"),
    );
    await delivery.firstAttempt;
    return { ok: true, order };
  }

  // ---------------------------------------------------------------- server-to-server APIs

  /** The request checks QueryTradeInfo and QueryPaymentInfo share ("same request shape", §4.4). */
  private checkQueryRequest(
    fields: Record<string, string>,
  ): { ok: true; merchant: EcpayMerchant; merchantTradeNo: string } | { ok: false; code: string; message: string } {
    const merchant = this.merchants.get(fields.MerchantID ?? "");
    if (!merchant) {
      if (this.options.environment === "production" && STAGE_MERCHANT_IDS.has(fields.MerchantID ?? "")) {
        return { ok: false, code: ECPAY_CODES.stageMerchantInProduction, message: "請檢查是否於正式環境誤用測試環境之MerchantID" };
      }
      return { ok: false, code: EMULATOR_MERCHANT_ERROR, message: "MerchantID Error." };
    }
    if (!verifyCheckMacValue(fields, merchant, "sha256")) {
      return { ok: false, code: ECPAY_CODES.checkMacValueError, message: "CheckMacValue verify fail" };
    }
    const merchantTradeNo = fields.MerchantTradeNo ?? "";
    if (merchantTradeNo === "") return { ok: false, code: EMULATOR_PARAMETER_ERROR, message: "MerchantTradeNo Error." };
    const timestamp = fields.TimeStamp ?? "";
    const nowS = Math.floor(this.now().getTime() / 1000);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowS - Number(timestamp)) > TIMESTAMP_TOLERANCE_S) {
      return { ok: false, code: EMULATOR_PARAMETER_ERROR, message: "TimeStamp Error. (綠界驗證時間區間為 3 分鐘內有效)" };
    }
    if ((fields.PlatformID ?? "") !== "") return { ok: false, code: EMULATOR_PARAMETER_ERROR, message: "PlatformID Error." };
    return { ok: true, merchant, merchantTradeNo };
  }

  private handleQueryTradeInfo(fields: Record<string, string>, res: ServerResponse): void {
    const reply = (body: Record<string, string>) => sendText(res, 200, ecpayResponseBody(body), "text/html; charset=utf-8");
    const checked = this.checkQueryRequest(fields);
    if (!checked.ok) return reply({ TradeStatus: checked.code, RtnMsg: checked.message });
    const { merchant, merchantTradeNo } = checked;
    const order = this.ordersByKey.get(`${merchant.merchantId}:${merchantTradeNo}`);
    if (!order) return reply(unknownTradeFields(merchant.merchantId, merchantTradeNo, merchant));
    return reply(queryTradeInfoFields(this.refresh(order), merchant));
  }

  /**
   * QueryPaymentInfo (§4.4): the PaymentInfoURL fields of an issued ATM account again, signed.
   * "Unavailable once paid": a paid (or non-ATM) order answers a signed refusal instead.
   */
  private handleQueryPaymentInfo(fields: Record<string, string>, res: ServerResponse): void {
    const reply = (body: Record<string, string>) => sendText(res, 200, ecpayResponseBody(body), "text/html; charset=utf-8");
    const checked = this.checkQueryRequest(fields);
    if (!checked.ok) return reply({ RtnCode: checked.code, RtnMsg: checked.message });
    const { merchant, merchantTradeNo } = checked;
    const order = this.ordersByKey.get(`${merchant.merchantId}:${merchantTradeNo}`);
    if (!order) return reply(paymentInfoRefusalFields(merchant, merchantTradeNo, "10200047", "查無此筆交易 (no such trade)"));
    this.refresh(order);
    if (!order.atm) return reply(paymentInfoRefusalFields(merchant, merchantTradeNo, EMULATOR_PARAMETER_ERROR, "非 ATM 取號交易 (not an ATM trade)"));
    if (order.status === "paid") {
      return reply(paymentInfoRefusalFields(merchant, merchantTradeNo, EMULATOR_PARAMETER_ERROR, "訂單已付款，無法查詢取號資訊 (unavailable once paid)"));
    }
    return reply(atmInfoFields(order, merchant));
  }

  private handleDoAction(fields: Record<string, string>, res: ServerResponse): void {
    const head = {
      MerchantID: fields.MerchantID ?? "",
      MerchantTradeNo: fields.MerchantTradeNo ?? "",
      TradeNo: fields.TradeNo ?? "",
    };
    const reply = (rtnCode: string, rtnMsg: string) =>
      sendText(res, 200, ecpayResponseBody({ ...head, RtnCode: rtnCode, RtnMsg: rtnMsg }), "text/html; charset=utf-8");
    if (this.options.environment === "stage") {
      // "測試環境：因無法提供實際授權，故無法使用此 API" (§4.1).
      return reply("0", "測試環境無法使用此 API (DoAction is not available on stage)");
    }
    const merchant = this.merchants.get(head.MerchantID);
    if (!merchant) {
      return STAGE_MERCHANT_IDS.has(head.MerchantID)
        ? reply(ECPAY_CODES.stageMerchantInProduction, "請檢查是否於正式環境誤用測試環境之MerchantID")
        : reply(EMULATOR_MERCHANT_ERROR, "MerchantID Error.");
    }
    if (!verifyCheckMacValue(fields, merchant, "sha256")) return reply(ECPAY_CODES.checkMacValueError, "CheckMacValue Error.");
    for (const name of ["MerchantTradeNo", "TradeNo", "Action", "TotalAmount"]) {
      if ((fields[name] ?? "") === "") return reply(EMULATOR_PARAMETER_ERROR, `${name} Error. (${name} is required)`);
    }
    const action = fields.Action as string;
    if (!["C", "R", "E", "N"].includes(action)) return reply(EMULATOR_PARAMETER_ERROR, "Action Error. (C, R, E or N)");
    const amountText = fields.TotalAmount as string;
    if (!/^[1-9][0-9]*$/.test(amountText)) return reply(EMULATOR_PARAMETER_ERROR, "TotalAmount Error. (a positive whole number)");
    if ((fields.PlatformID ?? "") !== "") return reply(EMULATOR_PARAMETER_ERROR, "PlatformID Error.");
    const order = this.ordersByKey.get(`${merchant.merchantId}:${head.MerchantTradeNo}`);
    if (!order || order.tradeNo !== head.TradeNo) return reply("10200047", "查無此筆交易 (trade not found for this MerchantTradeNo and TradeNo)");
    if (!order.card) {
      return reply(EMULATOR_RULE_ERROR, order.choosePayment === "Credit" ? "查無信用卡授權 (no card authorization: unpaid or simulated)" : "非信用卡交易不支援此 API (not a credit card trade)");
    }
    const declined = this.apiFaults.refundRefusal(merchant.merchantId, action, Number(amountText));
    if (declined) return reply(declined.code, declined.message);
    const merchantSettings = { now: this.now(), dailyAutoClose: merchant.dailyAutoClose ?? false };
    const outcome = applyDoAction(order.card, action as DoActionKind, Number(amountText), merchantSettings);
    if (!outcome.ok) return reply(outcome.code, outcome.message);
    this.apiFaults.refunded(merchant.merchantId, action, Number(amountText));
    return reply("1", "成功");
  }

  private handleQueryTradeV2(fields: Record<string, string>, res: ServerResponse): void {
    const reply = (body: unknown) => sendText(res, 200, JSON.stringify(body), "application/json; charset=utf-8");
    if (this.options.environment === "stage") {
      return reply({ RtnMsg: "測試環境無法使用此 API (QueryTrade/V2 is not available on stage)", RtnValue: null });
    }
    const merchant = this.merchants.get(fields.MerchantID ?? "");
    if (!merchant) return reply({ RtnMsg: "MerchantID Error.", RtnValue: null });
    if (!verifyCheckMacValue(fields, merchant, "sha256")) return reply({ RtnMsg: "CheckMacValue Error.", RtnValue: null });
    if (merchant.creditCheckCode === undefined || fields.CreditCheckCode !== merchant.creditCheckCode) {
      return reply({ RtnMsg: "CreditCheckCode Error.", RtnValue: null });
    }
    const gwsr = fields.CreditRefundId ?? "";
    const order = [...this.ordersByKey.values()].find((o) => o.merchantId === merchant.merchantId && o.card?.gwsr === gwsr);
    if (!order?.card || fields.CreditAmount !== String(order.card.amount)) return reply({ RtnMsg: "error_nopay", RtnValue: null });
    return reply({ RtnMsg: "", RtnValue: queryTradeValue(order.card) });
  }

  // ---------------------------------------------------------------- control over HTTP

  private async handleControl(method: string, path: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const control = this.api();
    const json = (body: unknown, status = 200) => sendText(res, status, JSON.stringify(body), "application/json; charset=utf-8");
    const body = async <T>(schema: z.ZodType<T>): Promise<T> => {
      const raw = await readBody(req);
      const parsed = schema.safeParse(raw.length === 0 ? null : JSON.parse(raw));
      if (!parsed.success) throw new HttpError(400, z.prettifyError(parsed.error));
      return parsed.data;
    };
    const merchantId = url.searchParams.get("merchantId") ?? undefined;
    const orderMatch = /^\/_emulator\/orders\/([A-Za-z0-9]+)$/.exec(path);

    if (method === "GET" && path === "/_emulator/health") return json({ environment: this.options.environment, origin: this.origin });
    if (method === "GET" && path === "/_emulator/orders") return json(control.orders());
    if (method === "GET" && orderMatch) {
      const order = control.order(orderMatch[1] as string, merchantId === undefined ? {} : { merchantId });
      return order ? json(order) : json({ error: "not found" }, 404);
    }
    if (method === "GET" && path === "/_emulator/notifications") return json(control.notificationLog());
    if (method === "POST") {
      switch (path) {
        case "/_emulator/pay": {
          const { merchantTradeNo, ...opts } = await body(payBodySchema);
          return json(await control.pay(merchantTradeNo, dropUndefined(opts)));
        }
        case "/_emulator/expire-atm": {
          const ref = await body(orderRefSchema);
          return json(control.expireAtm(ref.merchantTradeNo, dropUndefined({ merchantId: ref.merchantId })));
        }
        case "/_emulator/daily-close":
          return json(control.runDailyClose());
        case "/_emulator/notification-fault":
          control.setNotificationFault(dropUndefined((await body(faultSchema)) ?? {}));
          return json({ ok: true });
        case "/_emulator/rate-limit":
          control.setRateLimit(await body(rateLimitSchema));
          return json({ ok: true });
        case "/_emulator/merchants":
          control.addMerchant(dropUndefined(await body(merchantSchema)));
          return json({ ok: true });
        case "/_emulator/api-hang": {
          const rule = await body(apiHangSchema);
          control.setApiHang(rule === null ? null : dropUndefined(rule));
          return json({ ok: true });
        }
        case "/_emulator/merchant-balance": {
          const { merchantId: id, balance } = await body(merchantBalanceSchema);
          control.setMerchantBalance(id, balance);
          return json({ ok: true });
        }
        case "/_emulator/notifications/settled":
          await control.whenNotificationsSettled();
          return json({ ok: true });
      }
    }
    return json({ error: `unknown control ${method} ${path}` }, 404);
  }
}

/** Drops keys whose value is undefined (zod reports absent optionals that way). */
function dropUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

function paymentTypeOf(checkout: ValidCheckout): string {
  switch (checkout.choosePayment) {
    case "Credit":
      return "Credit_CreditCard";
    case "ATM":
      return `ATM_${checkout.bank}`;
    case "WebATM":
      return `WebATM_${checkout.bank}`;
    case "TWQR":
      return "TWQR_OPAY";
    case "WeiXin":
      return "WeiXin_OPAY";
  }
}

/** Returns why the card is declined, or null when it is the approved test card (§5). */
/** 自費分期 on one-time card orders from 1,000 TWD (ECPay's installment pages, as cited in issue 13; not in ecpay-aio). */
const CONSUMER_INSTALLMENT_PERIODS = ["3", "6", "12"];
const CONSUMER_INSTALLMENT_MIN = 1000;

/** The periods the card page offers: the merchant's CreditInstallment, else 自費分期 where the merchant has it. */
function installmentChoices(order: EmulatorOrder, checkout: ValidCheckout): { installmentsOffered: string[]; oneTimeAllowed: boolean } {
  if (checkout.installmentsOffered.length > 0) return { installmentsOffered: checkout.installmentsOffered, oneTimeAllowed: false };
  const consumer =
    checkout.merchant.consumerInstallments === true && !checkout.redeem && !checkout.unionPayOnly && order.totalAmount >= CONSUMER_INSTALLMENT_MIN;
  return consumer ? { installmentsOffered: CONSUMER_INSTALLMENT_PERIODS, oneTimeAllowed: true } : { installmentsOffered: [], oneTimeAllowed: false };
}

function cardDecline(numberText: string, expiryText: string, cvv: string, now: Date): string | null {
  const number = numberText.replace(/[\s-]/g, "");
  if (!/^\d{13,19}$/.test(number)) return "卡號格式錯誤 (invalid card number)";
  const expiry = /^(0[1-9]|1[0-2])\s*\/\s*(\d{2}|\d{4})$/.exec(expiryText.trim());
  if (!expiry) return "有效期限格式錯誤 (expiry must be MM/YY)";
  if (!/^\d{3,4}$/.test(cvv.trim())) return "安全碼格式錯誤 (invalid CVV)";
  const month = Number(expiry[1]);
  const yearText = expiry[2] as string;
  const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  const [nowYear, nowMonth] = taiwanDate(now).split("/").map(Number) as [number, number];
  if (year < nowYear || (year === nowYear && month < nowMonth)) return "卡片已過期，授權失敗 (card expired: authorization declined)";
  if (number !== TEST_CARD.number || cvv.trim() !== TEST_CARD.cvv) {
    return "授權失敗，請改用其他卡片 (authorization declined: only the test card 4311-9522-2222-2222 / 222 is approved)";
  }
  return null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** application/x-www-form-urlencoded → fields (the first value of a repeated name wins). */
async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const raw = await readBody(req);
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (!(key in fields)) fields[key] = value;
  }
  return fields;
}

function sendHtml(res: ServerResponse, html: string, status = 200): void {
  sendText(res, status, html, "text/html; charset=utf-8");
}

function sendText(res: ServerResponse, status: number, body: string, contentType = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, "content-length": 0 });
  res.end();
}
