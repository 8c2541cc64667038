// A Shopify simulator on a real HTTP server, for integration tests, Playwright and the sandbox:
// the Payments Apps GraphQL API (payments-graphql.ts), the session requests Shopify sends to the
// app (app-requests.ts), and a small store with checkout, order status and merchant admin (pages.ts).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isMethodHandle, type MethodHandle, type ShopifyPaymentKind } from "../../../app/payments/methods";
import { AppRequestSender, type AppRequestRecord } from "./app-requests";
import {
  checkoutPage,
  errorPage,
  indexPage,
  orderPage,
  ordersPage,
  settingsPage,
  storefrontPage,
  thankYouPage,
} from "./pages";
import { handleAdminGraphql } from "./admin-graphql";
import { PaymentsGraphqlEndpoint, type FaultInjector, type GraphqlCall, type ThrottlingModel } from "./payments-graphql";
import {
  DEFAULT_CART,
  SimulatorState,
  formatAmount,
  parseAmount,
  shopifyId,
  type CartLine,
  type Checkout,
  type Customer,
  type FinancialSessionKind,
  type FinancialSessionRecord,
  type OrderView,
  type PaymentSessionRecord,
  type ShopSettings,
  type SimulatedShop,
  type StateSnapshot,
} from "./state";

export type { SimulatedShop, ShopSettings, OrderView, PaymentSessionRecord, FinancialSessionRecord, Checkout, CartLine, StateSnapshot };
export type { AppRequestRecord, GraphqlCall, FaultInjector };
export { formatAmount, parseAmount };

export interface ShopifySimulatorOptions {
  /** Our server, e.g. http://127.0.0.1:3000: session requests go to <appOrigin>/payments/<m>/... */
  appOrigin: string;
  port?: number;
  host?: string;
  /** Sent as Shopify-Api-Version and served at /payments_apps/api/<version>/graphql.json. */
  apiVersion?: string;
  /** Extra attempts after the first failed session request (Shopify: "retried several times"). */
  requestRetries?: number;
  retryDelayMs?: number;
  /** How long the simulator waits for the app to answer a session request. */
  requestTimeoutMs?: number;
  /**
   * How far in the future paymentSessionPending may set pendingExpiresAt (default 3 days:
   * shopify.dev "recommended to be within 3 days"; beyond it OUT_OF_RANGE_PENDING_EXPIRES_AT).
   */
  pendingExpiryLimitDays?: number;
  now?: () => Date;
  /** Extra merchant buttons on an order page (the sandbox adds "let the ATM deadline pass"). */
  orderTools?: (order: OrderView) => OrderTool[];
  /**
   * Where "manage" on the settings page takes the merchant: each app's own admin. The cookies are
   * set by the simulator's answer; cookies are per host, not per port, so a simulator on
   * 127.0.0.1 can sign the merchant in to an app served on 127.0.0.1.
   */
  appAdmin?: (shop: string, method: MethodHandle) => AppAdminLink | Promise<AppAdminLink>;
}

export interface OrderTool {
  /** [a-z0-9-]+, part of the form's URL and the button's id (`tool-<id>`). */
  id: string;
  label: string;
  /** Returns the notice shown to the merchant. Throw SimulatorError to show a refusal. */
  run(order: OrderView): Promise<string>;
}

export interface AppAdminLink {
  url: string;
  cookies: { name: string; value: string; path: string }[];
}

export interface StartPaymentOptions {
  /** An existing checkout (a new one with the default cart otherwise). */
  checkoutToken?: string;
  /** Total in TWD (major units) for a new checkout; the default cart otherwise. */
  amount?: number;
  kind?: ShopifyPaymentKind;
  test?: boolean;
  customer?: Partial<Customer>;
}

export interface StartPaymentResult {
  ok: boolean;
  session: PaymentSessionRecord;
  checkout: Checkout;
  request: AppRequestRecord;
  /** Where Shopify sends the buyer: the app's redirect_url. */
  redirectUrl: string | null;
}

export interface FinancialRequestResult {
  ok: boolean;
  session: FinancialSessionRecord;
  request: AppRequestRecord;
}

export interface AdminGraphqlCall {
  /** null when the token was refused. */
  shop: string | null;
  status: number;
  query: string;
}

export interface GraphqlTraffic {
  /** "<shop> <method>" of the token (one app on one shop), or "unknown". */
  token: string;
  shop: string;
  receivedAtMs: number;
  answeredAtMs: number;
  status: number;
  throttled: boolean;
  /** Retry-After, when the answer had one (seconds). */
  retryAfterSeconds: number | null;
}

export class SimulatorError extends Error {
  override name = "SimulatorError";
}

export interface ShopifySimulator {
  readonly origin: string;
  readonly apiVersion: string;
  /** <origin>/payments_apps/api/<version>/graphql.json */
  readonly graphqlUrl: string;
  /** What SHOPIFY_PAYMENTS_API_ORIGIN should be set to. */
  readonly paymentsApiOrigin: string;
  readonly faults: FaultInjector;
  /** Throttle GraphQL calls by Shopify's leaky bucket per app and shop from now on (null: never, the default). */
  setThrottling(model: ThrottlingModel | null): void;
  /** Hold every GraphQL answer this long (default 0), so calls overlap as they do against Shopify. */
  setLatency(ms: number): void;
  /** Every GraphQL request in arrival order, with its real receive and answer times (epoch ms), and the most in flight at once. */
  traffic(): { calls: GraphqlTraffic[]; maxInFlightPerToken: Record<string, number>; maxInFlightPerShop: Record<string, number> };
  addShop(domain: string, tokens: Partial<Record<MethodHandle, string>>, settings?: Partial<ShopSettings>): SimulatedShop;
  shop(domain: string): SimulatedShop;
  setShopSettings(domain: string, settings: Partial<ShopSettings>): SimulatedShop;
  revokeToken(domain: string, method: MethodHandle): void;
  /** Change the pendingExpiresAt limit from now on (a store whose limit is shorter than documented). */
  setPendingExpiryLimitDays(days: number): void;
  /** A checkout with the default cart, or `lines`/`amount`; `currency` other than TWD for rejection tests. */
  createCheckout(domain: string, options?: { lines?: CartLine[]; amount?: number; customer?: Partial<Customer>; currency?: string }): Checkout;
  startPayment(domain: string, method: MethodHandle, options?: StartPaymentOptions): Promise<StartPaymentResult>;
  capture(orderId: string, amount?: number): Promise<FinancialRequestResult>;
  void(orderId: string): Promise<FinancialRequestResult>;
  refund(orderId: string, amount?: number): Promise<FinancialRequestResult>;
  /** Cancel with refund: voids an open authorization or refunds what is left; a pending order is just cancelled. */
  cancelOrder(orderId: string): Promise<FinancialRequestResult | null>;
  orders(domain?: string): OrderView[];
  order(orderIdOrName: string): OrderView | undefined;
  orderForPayment(paymentIdOrGid: string): OrderView | undefined;
  paymentSession(idOrGid: string): PaymentSessionRecord | undefined;
  paymentSessions(domain?: string): PaymentSessionRecord[];
  financialSession(idOrGid: string): FinancialSessionRecord | undefined;
  /** Every Payments Apps GraphQL call received, in order. */
  calls(): GraphqlCall[];
  /** Every Admin GraphQL call received (/admin/api/<version>/graphql.json), in order. */
  adminCalls(): AdminGraphqlCall[];
  /** GraphQL calls whose variables.id is this session (id or gid). */
  callsFor(idOrGid: string): GraphqlCall[];
  /** Every session request sent to the app, with each attempt. */
  appRequests(): AppRequestRecord[];
  anomalies(): string[];
  /** Shops, checkouts, sessions and orders as JSON-safe data (the sandbox keeps them across restarts). */
  snapshot(): StateSnapshot;
  /** Replaces shops, checkouts, sessions and orders with a snapshot's. */
  restore(snapshot: StateSnapshot): void;
  /** Poll until `probe` returns a truthy value (default 5 s). */
  waitFor<T>(probe: () => T | null | undefined | false, options?: { timeoutMs?: number; intervalMs?: number; message?: string }): Promise<T>;
  url(path: string): string;
  storeUrl(domain: string): string;
  adminUrl(domain: string): string;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY) throw new SimulatorError("Request body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", ...headers });
  response.end(body);
}

function redirect(response: ServerResponse, location: string): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(303, { Location: location, "Cache-Control": "no-store" });
  response.end();
}

function cartForAmount(amount: number): CartLine[] {
  return [{ title: "測試商品 Test item", unitPrice: Math.round(amount * 100), quantity: 1 }];
}

export async function startShopifySimulator(options: ShopifySimulatorOptions): Promise<ShopifySimulator> {
  const now = options.now ?? (() => new Date());
  const apiVersion = options.apiVersion ?? "2026-07";
  const state = new SimulatorState(now);
  let origin = "";
  const graphqlOptions = {
    simulatorOrigin: () => origin,
    pendingExpiryLimitMs: (options.pendingExpiryLimitDays ?? 3) * 24 * 3600_000,
  };
  const graphql = new PaymentsGraphqlEndpoint(state, graphqlOptions);
  const adminCalls: AdminGraphqlCall[] = [];
  let latencyMs = 0;
  const traffic: GraphqlTraffic[] = [];
  const inFlight = { token: new Map<string, number>(), shop: new Map<string, number>() };
  const maxInFlight = { token: {} as Record<string, number>, shop: {} as Record<string, number> };
  const enter = (kind: "token" | "shop", key: string, delta: 1 | -1) => {
    const n = (inFlight[kind].get(key) ?? 0) + delta;
    inFlight[kind].set(key, n);
    maxInFlight[kind][key] = Math.max(maxInFlight[kind][key] ?? 0, n);
  };
  const sender = new AppRequestSender({
    appOrigin: options.appOrigin,
    apiVersion,
    retries: options.requestRetries ?? 3,
    retryDelayMs: options.retryDelayMs ?? 250,
    timeoutMs: options.requestTimeoutMs ?? 10_000,
    now,
  });

  // ---------- operations (shared by the API and the pages) ----------

  function createCheckout(
    domain: string,
    opts: { lines?: CartLine[]; amount?: number; customer?: Partial<Customer>; currency?: string } = {},
  ): Checkout {
    const lines = opts.lines ?? (opts.amount !== undefined ? cartForAmount(opts.amount) : undefined);
    return state.createCheckout(domain, { lines, customer: opts.customer, currency: opts.currency });
  }

  async function startPayment(domain: string, method: MethodHandle, opts: StartPaymentOptions = {}): Promise<StartPaymentResult> {
    const shop = state.requireShop(domain);
    if (!shop.accessTokens[method]) throw new SimulatorError(`${method} is not installed on ${domain}`);
    const checkout = opts.checkoutToken
      ? state.checkouts.get(opts.checkoutToken)
      : createCheckout(domain, { amount: opts.amount, customer: opts.customer });
    if (!checkout || checkout.shop !== domain) throw new SimulatorError(`Unknown checkout ${opts.checkoutToken ?? ""}`);
    const id = shopifyId();
    const session: PaymentSessionRecord = {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      group: checkout.group,
      sessionId: checkout.sessionId,
      shop: domain,
      method,
      checkoutToken: checkout.token,
      amount: checkout.total,
      currency: checkout.currency,
      test: opts.test ?? shop.settings.test,
      kind: opts.kind ?? state.kindFor(domain, method),
      proposedAt: now().toISOString().replace(/\.\d{3}Z$/, "Z"),
      cancelUrl: `${origin}/checkouts/cn/${checkout.token}/processing`,
      startResponseReceived: false,
      redirectUrl: null,
      startOutcome: "sending",
      state: { code: "REDIRECTING", reason: null, merchantMessage: null },
      authorizationExpiresAt: null,
      pendingExpiresAt: null,
      finalMutation: null,
      wasPending: false,
      finalizedAt: null,
      responses: new Map(),
      orderId: null,
    };
    state.paymentSessions.set(id, session);
    checkout.attempts.push(id);
    checkout.notice = null;
    const body = {
      id: session.id,
      gid: session.gid,
      group: session.group,
      session_id: session.sessionId,
      amount: formatAmount(session.amount),
      currency: session.currency,
      test: session.test,
      merchant_locale: "zh-TW",
      payment_method: { type: "offsite", data: { cancel_url: session.cancelUrl } },
      proposed_at: session.proposedAt,
      customer: checkout.customer,
      kind: session.kind,
    };
    const request = await sender.send("payment", domain, method, body);
    if (request.outcome === "accepted") {
      session.startResponseReceived = true;
      session.redirectUrl = request.redirectUrl;
      session.startOutcome = "accepted";
    } else {
      session.startOutcome = "failed";
      checkout.notice = `無法處理付款，請再試一次。Your payment couldn't be started (${request.failureReason ?? "no answer"}); try again.`;
    }
    return { ok: request.outcome === "accepted", session, checkout, request, redirectUrl: session.redirectUrl };
  }

  function requireOrder(orderId: string): OrderView {
    const order = state.orders.get(orderId);
    if (!order) throw new SimulatorError(`Unknown order ${orderId}`);
    return state.orderView(order);
  }

  async function financial(kind: FinancialSessionKind, view: OrderView, amount: number | null): Promise<FinancialRequestResult> {
    const payment = state.paymentSessions.get(view.paymentSessionId)!;
    const id = shopifyId();
    const prefix = { refund: "Refund", capture: "Capture", void: "Void" }[kind];
    const session: FinancialSessionRecord = {
      kind,
      id,
      gid: `gid://shopify/${prefix}Session/${id}`,
      shop: view.shop,
      method: view.method,
      orderId: view.id,
      // For refunds of captured payments Shopify names the original authorization (docs §2.4).
      paymentId: payment.id,
      amount,
      currency: view.currency,
      test: view.test,
      proposedAt: now().toISOString().replace(/\.\d{3}Z$/, "Z"),
      status: "delivering",
      reject: null,
      finalMutation: null,
      finalizedAt: null,
      responses: new Map(),
    };
    state.financialSessions.set(id, session);
    state.orders.get(view.id)!.financialSessionIds.push(id);
    const body: Record<string, unknown> = { id: session.id, gid: session.gid, payment_id: session.paymentId };
    if (kind !== "void") {
      body.amount = formatAmount(amount ?? 0);
      body.currency = session.currency;
    }
    body.test = session.test;
    body.merchant_locale = "zh-TW";
    body.proposed_at = session.proposedAt;
    const request = await sender.send(kind, view.shop, view.method, body);
    // A resolve may already have arrived while we waited for the 201.
    if (session.status === "delivering") session.status = request.outcome === "accepted" ? "awaiting" : "delivery-failed";
    return { ok: request.outcome === "accepted", session, request };
  }

  async function capture(orderId: string, amount?: number): Promise<FinancialRequestResult> {
    const view = requireOrder(orderId);
    if (view.capturable <= 0) throw new SimulatorError(`Order ${view.name} has no open authorization to capture`);
    const minor = amount === undefined ? view.capturable : Math.round(amount * 100);
    if (minor <= 0 || minor > view.capturable) throw new SimulatorError(`Capture amount must be between 0 and ${view.capturable / 100}`);
    return financial("capture", view, minor);
  }

  async function voidOrder(orderId: string): Promise<FinancialRequestResult> {
    const view = requireOrder(orderId);
    if (view.capturable <= 0) throw new SimulatorError(`Order ${view.name} has no open authorization to void`);
    return financial("void", view, null);
  }

  async function refund(orderId: string, amount?: number): Promise<FinancialRequestResult> {
    const view = requireOrder(orderId);
    if (view.refundable <= 0) throw new SimulatorError(`Order ${view.name} has nothing left to refund`);
    const minor = amount === undefined ? view.refundable : Math.round(amount * 100);
    if (minor <= 0 || minor > view.refundable) throw new SimulatorError(`Refund amount must be between 0 and ${view.refundable / 100}`);
    return financial("refund", view, minor);
  }

  async function cancelOrder(orderId: string): Promise<FinancialRequestResult | null> {
    const view = requireOrder(orderId);
    if (view.cancelled) throw new SimulatorError(`Order ${view.name} is already cancelled`);
    state.orders.get(orderId)!.cancelledAt = now().toISOString();
    if (view.capturable > 0) return financial("void", view, null);
    if (view.refundable > 0) return financial("refund", view, view.refundable);
    return null;
  }

  function orders(domain?: string): OrderView[] {
    return [...state.orders.values()].filter((o) => !domain || o.shop === domain).map((o) => state.orderView(o));
  }

  // ---------- HTTP ----------

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://simulator.local");
    const path = url.pathname;
    const method = request.method ?? "GET";

    const graphqlMatch = /^\/payments_apps\/api\/([^/]+)\/graphql\.json$/.exec(path);
    if (graphqlMatch) {
      if (method !== "POST") return send(response, 405, "", { Allow: "POST" });
      const version = graphqlMatch[1]!;
      if (!/^(\d{4}-\d{2}|unstable)$/.test(version)) return send(response, 404, JSON.stringify({ errors: "Not Found" }), { "Content-Type": "application/json" });
      const receivedAtMs = Date.now();
      const accessToken = request.headers["x-shopify-access-token"] as string | undefined;
      const owner = accessToken ? state.tokens.get(accessToken) : undefined;
      const token = owner ? `${owner.shop} ${owner.method}` : "unknown";
      const shop = owner?.shop ?? "unknown";
      enter("token", token, 1);
      enter("shop", shop, 1);
      try {
        const rawBody = await readBody(request);
        const result = graphql.handle({
          apiVersion: version,
          host: request.headers.host,
          accessToken,
          contentType: request.headers["content-type"],
          rawBody,
        });
        const delayMs = Math.max(result.delayMs, latencyMs);
        if (delayMs > 0) {
          // unref: a hung (fault-injected) request must not keep a finished process alive.
          await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
        }
        const errors = (result.body as { errors?: unknown }).errors;
        const throttled = result.status === 429 || (Array.isArray(errors) && errors.some((e: { extensions?: { code?: string } }) => e.extensions?.code === "THROTTLED"));
        const retryAfter = result.headers["Retry-After"];
        traffic.push({ token, shop, receivedAtMs, answeredAtMs: Date.now(), status: result.status, throttled, retryAfterSeconds: retryAfter ? Number(retryAfter) : null });
        return send(response, result.status, JSON.stringify(result.body), { "Content-Type": "application/json; charset=utf-8", ...result.headers });
      } finally {
        enter("token", token, -1);
        enter("shop", shop, -1);
      }
    }

    const adminGraphqlMatch = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(path);
    if (adminGraphqlMatch) {
      if (method !== "POST") return send(response, 405, "", { Allow: "POST" });
      if (!/^(\d{4}-\d{2}|unstable)$/.test(adminGraphqlMatch[1]!)) return send(response, 404, JSON.stringify({ errors: "Not Found" }), { "Content-Type": "application/json" });
      const result = handleAdminGraphql(
        state,
        {
          apiVersion: adminGraphqlMatch[1]!,
          host: request.headers.host,
          accessToken: request.headers["x-shopify-access-token"] as string | undefined,
          contentType: request.headers["content-type"],
          rawBody: await readBody(request),
        },
        (call) => adminCalls.push(call),
      );
      return send(response, result.status, JSON.stringify(result.body), { "Content-Type": "application/json; charset=utf-8" });
    }

    if (path === "/" && method === "GET") return send(response, 200, indexPage([...state.shops.values()]));
    if (path === "/healthz") return send(response, 200, "ok", { "Content-Type": "text/plain" });
    if (path === "/favicon.ico") return send(response, 204, "", { "Cache-Control": "max-age=86400" });

    const store = /^\/store\/([^/]+)(\/checkouts)?$/.exec(path);
    if (store) {
      const shop = state.shops.get(decodeURIComponent(store[1]!));
      if (!shop) return send(response, 404, errorPage(404, "找不到商店 Shop not found"));
      if (!store[2] && method === "GET") return send(response, 200, storefrontPage(shop, DEFAULT_CART));
      if (store[2] && method === "POST") {
        const form = new URLSearchParams(await readBody(request));
        const custom = form.get("amount")?.trim();
        const amountMinor = custom ? parseAmount(custom) : null;
        if (custom && (amountMinor === null || amountMinor <= 0)) return send(response, 400, errorPage(400, "金額無效 Invalid amount"));
        const checkout = createCheckout(shop.domain, amountMinor ? { amount: amountMinor / 100 } : {});
        return redirect(response, `/checkouts/cn/${checkout.token}`);
      }
    }

    const checkoutMatch = /^\/checkouts\/cn\/([^/]+)(\/pay|\/processing|\/thank-you)?$/.exec(path);
    if (checkoutMatch) {
      const checkout = state.checkouts.get(checkoutMatch[1]!);
      if (!checkout) return send(response, 404, errorPage(404, "找不到結帳 Checkout not found"));
      const shop = state.requireShop(checkout.shop);
      const latest = state.paymentSessions.get(checkout.attempts.at(-1) ?? "");
      const action = checkoutMatch[2];
      if (!action && method === "GET") {
        const paid = checkout.attempts.map((id) => state.paymentSessions.get(id)).find((s) => s?.orderId);
        if (paid) return redirect(response, `/checkouts/cn/${checkout.token}/thank-you`);
        return send(response, 200, checkoutPage(shop, checkout, state.installedMethods(shop.domain), latest, url.searchParams));
      }
      if (action === "/processing" && method === "GET") return redirect(response, `/checkouts/cn/${checkout.token}?cancelled=1`);
      if (action === "/thank-you" && method === "GET") {
        const paid = checkout.attempts.map((id) => state.paymentSessions.get(id)).find((s) => s?.orderId);
        return send(response, 200, thankYouPage(checkout, paid?.orderId ? state.orderView(state.orders.get(paid.orderId)!) : null));
      }
      if (action === "/pay" && method === "POST") {
        const form = new URLSearchParams(await readBody(request));
        const chosen = form.get("method");
        if (!isMethodHandle(chosen) || !shop.accessTokens[chosen]) {
          checkout.notice = "請選擇付款方式 Choose a payment method";
          return redirect(response, `/checkouts/cn/${checkout.token}`);
        }
        const result = await startPayment(shop.domain, chosen, { checkoutToken: checkout.token });
        return redirect(response, result.ok && result.redirectUrl ? result.redirectUrl : `/checkouts/cn/${checkout.token}`);
      }
    }

    const appLink = /^\/admin\/([^/]+)\/apps\/([a-z]+)$/.exec(path);
    if (appLink && method === "GET" && options.appAdmin) {
      const shop = state.shops.get(decodeURIComponent(appLink[1]!));
      const handle = appLink[2];
      if (!shop || !isMethodHandle(handle) || !shop.accessTokens[handle]) return send(response, 404, errorPage(404, "找不到應用程式 App not found"));
      const link = await options.appAdmin(shop.domain, handle);
      response.setHeader(
        "Set-Cookie",
        link.cookies.map((c) => `${c.name}=${c.value}; Path=${c.path}; HttpOnly; SameSite=Lax`),
      );
      return redirect(response, link.url);
    }

    const toolMatch = /^\/admin\/([^/]+)\/orders\/(\d+)\/tools\/([a-z0-9-]+)$/.exec(path);
    if (toolMatch && method === "POST") {
      const shop = state.shops.get(decodeURIComponent(toolMatch[1]!));
      const order = state.orders.get(toolMatch[2]!);
      if (!shop || !order || order.shop !== shop.domain) return send(response, 404, errorPage(404, "找不到訂單 Order not found"));
      const tool = options.orderTools?.(state.orderView(order)).find((t) => t.id === toolMatch[3]);
      if (!tool) return send(response, 404, errorPage(404, "此操作不適用 This action does not apply"));
      let notice: string;
      try {
        notice = await tool.run(state.orderView(order));
      } catch (error) {
        if (!(error instanceof SimulatorError)) throw error;
        notice = error.message;
      }
      return redirect(response, `/admin/${encodeURIComponent(shop.domain)}/orders/${order.id}?notice=${encodeURIComponent(notice)}`);
    }

    const admin = /^\/admin\/([^/]+)\/(orders|settings)(?:\/(\d+)(?:\/(capture|void|refund|cancel))?)?$/.exec(path);
    if (admin) {
      const shop = state.shops.get(decodeURIComponent(admin[1]!));
      if (!shop) return send(response, 404, errorPage(404, "找不到商店 Shop not found"));
      const base = `/admin/${encodeURIComponent(shop.domain)}`;
      if (admin[2] === "settings") {
        if (method === "POST") {
          const form = new URLSearchParams(await readBody(request));
          shop.settings.captureMode = form.get("captureMode") === "manual" ? "manual" : "automatic";
          shop.settings.test = form.get("test") === "true";
          return redirect(response, `${base}/settings?saved=1`);
        }
        return send(
          response,
          200,
          settingsPage(shop, state.installedMethods(shop.domain), url.searchParams.has("saved"), Boolean(options.appAdmin)),
        );
      }
      const orderId = admin[3];
      if (!orderId) {
        const views = orders(shop.domain).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
        return send(response, 200, ordersPage(shop, views));
      }
      const order = state.orders.get(orderId);
      if (!order || order.shop !== shop.domain) return send(response, 404, errorPage(404, "找不到訂單 Order not found"));
      const operation = admin[4];
      if (operation && method === "POST") {
        const form = new URLSearchParams(await readBody(request));
        const amountText = form.get("amount");
        const amountMinor = amountText ? parseAmount(amountText) : null;
        let notice: string;
        try {
          if (amountText && amountMinor === null) throw new SimulatorError("金額無效 Invalid amount");
          const amount = amountMinor === null ? undefined : amountMinor / 100;
          const result =
            operation === "capture"
              ? await capture(orderId, amount)
              : operation === "void"
                ? await voidOrder(orderId)
                : operation === "refund"
                  ? await refund(orderId, amount)
                  : await cancelOrder(orderId);
          notice = !result
            ? "訂單已取消 Order cancelled"
            : result.ok
              ? "已送出，等待付款服務供應商回覆 Sent; waiting for the payment provider"
              : `無法送出至付款服務供應商 Could not reach the payment provider: ${result.request.failureReason ?? ""}`;
        } catch (error) {
          if (!(error instanceof SimulatorError)) throw error;
          notice = error.message;
        }
        return redirect(response, `${base}/orders/${orderId}?notice=${encodeURIComponent(notice)}`);
      }
      const payment = state.paymentSessions.get(order.paymentSessionId)!;
      const view = state.orderView(order);
      const tools = (options.orderTools?.(view) ?? []).map(({ id, label }) => ({ id, label }));
      return send(response, 200, orderPage(shop, view, payment, url.searchParams.get("notice"), tools));
    }

    return send(response, 404, errorPage(404, `Not found: ${path}`));
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      const status = error instanceof SimulatorError ? 400 : 500;
      send(response, status, errorPage(status, error instanceof Error ? error.message : String(error)));
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const simulator: ShopifySimulator = {
    origin,
    apiVersion,
    graphqlUrl: `${origin}/payments_apps/api/${apiVersion}/graphql.json`,
    paymentsApiOrigin: origin,
    faults: graphql.faults,
    setThrottling: (model) => graphql.setThrottling(model),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    traffic: () => ({ calls: [...traffic], maxInFlightPerToken: { ...maxInFlight.token }, maxInFlightPerShop: { ...maxInFlight.shop } }),
    addShop: (domain, tokens, settings) => state.addShop(domain, tokens, settings),
    shop: (domain) => state.requireShop(domain),
    setShopSettings: (domain, settings) => {
      const shop = state.requireShop(domain);
      Object.assign(shop.settings, settings);
      return shop;
    },
    revokeToken: (domain, method) => state.revokeToken(domain, method),
    setPendingExpiryLimitDays: (days) => {
      graphqlOptions.pendingExpiryLimitMs = days * 24 * 3600_000;
    },
    createCheckout,
    startPayment,
    capture,
    void: voidOrder,
    refund,
    cancelOrder,
    orders,
    order: (idOrName) => {
      const order = state.orders.get(idOrName) ?? [...state.orders.values()].find((o) => o.name === idOrName);
      return order ? state.orderView(order) : undefined;
    },
    orderForPayment: (idOrGid) => {
      const session = state.findPaymentSession(idOrGid);
      return session?.orderId ? state.orderView(state.orders.get(session.orderId)!) : undefined;
    },
    paymentSession: (idOrGid) => state.findPaymentSession(idOrGid),
    paymentSessions: (domain) => [...state.paymentSessions.values()].filter((s) => !domain || s.shop === domain),
    financialSession: (idOrGid) => state.findFinancialSession(idOrGid),
    calls: () => graphql.calls(),
    adminCalls: () => [...adminCalls],
    callsFor: (idOrGid) => {
      const id = idOrGid.replace(/^gid:\/\/shopify\/\w+\//, "");
      return graphql.calls().filter((call) => typeof call.variables.id === "string" && call.variables.id.endsWith(`/${id}`));
    },
    appRequests: () => sender.requests(),
    anomalies: () => [...state.anomalies],
    snapshot: () => state.snapshot(),
    restore: (snapshot) => state.restore(snapshot),
    async waitFor(probe, waitOptions = {}) {
      const deadline = Date.now() + (waitOptions.timeoutMs ?? 5_000);
      for (;;) {
        const value = probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`Timed out waiting${waitOptions.message ? ` for ${waitOptions.message}` : ""}`);
        await new Promise((resolve) => setTimeout(resolve, waitOptions.intervalMs ?? 20));
      }
    },
    url: (path) => `${origin}${path.startsWith("/") ? path : `/${path}`}`,
    storeUrl: (domain) => `${origin}/store/${encodeURIComponent(domain)}`,
    adminUrl: (domain) => `${origin}/admin/${encodeURIComponent(domain)}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hung (fault-injected) and keep-alive connections must not keep the process alive.
        server.closeAllConnections();
      }),
  };
  return simulator;
}
