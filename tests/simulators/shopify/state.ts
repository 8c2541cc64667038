// In-memory state of the simulated Shopify: shops, checkouts, payment/refund/capture/void sessions
// and the orders Shopify would create from the mutations it receives (docs §5.7).
import { randomBytes } from "node:crypto";
import { METHOD_HANDLES, PAYMENT_METHODS, type MethodHandle, type ShopifyPaymentKind } from "../../../app/payments/methods";
import { SHOPIFY_STATUS_WORDS } from "../../../app/admin/status";

export type CaptureMode = "automatic" | "manual";

export interface ShopSettings {
  captureMode: CaptureMode;
  /** The payments app's test mode: sent as `test` in every session request. */
  test: boolean;
  /** The store's name (Admin GraphQL `shop { name }`); unset, a default made from the domain. */
  name?: string;
}

export interface SimulatedShop {
  domain: string;
  /** Offline access token of each installed method app; unique per shop+app. */
  accessTokens: Partial<Record<MethodHandle, string>>;
  settings: ShopSettings;
  /** What paymentsAppConfigure stored, per app. */
  configurations: Partial<Record<MethodHandle, { externalHandle: string | null; ready: boolean; configuredAt: string }>>;
}

export interface CartLine {
  title: string;
  /** Unit price in minor units (TWD cents: 1200 TWD = 120000). */
  unitPrice: number;
  quantity: number;
}

export interface Customer {
  email: string;
  phone_number: string;
  locale: string;
  billing_address: Record<string, string>;
  shipping_address: Record<string, string>;
}

export interface Checkout {
  token: string;
  shop: string;
  lines: CartLine[];
  /** Minor units. */
  total: number;
  currency: string;
  customer: Customer;
  group: string;
  sessionId: string;
  createdAt: string;
  /** Payment session ids in the order they were started. */
  attempts: string[];
  /** Last checkout-level problem shown to the buyer (start failed). */
  notice: string | null;
}

export type PaymentStateCode = "REDIRECTING" | "PENDING" | "RESOLVED" | "REJECTED";

export interface PaymentSessionRecord {
  id: string;
  gid: string;
  group: string;
  sessionId: string;
  shop: string;
  method: MethodHandle;
  checkoutToken: string;
  amount: number;
  currency: string;
  test: boolean;
  kind: ShopifyPaymentKind;
  proposedAt: string;
  cancelUrl: string;
  /** Set once the app answered the start request with a valid 2xx {redirect_url}. */
  startResponseReceived: boolean;
  /** The app's redirect_url. */
  redirectUrl: string | null;
  /** "failed" when every delivery attempt failed: the buyer must retry at checkout. */
  startOutcome: "sending" | "accepted" | "failed";
  state: { code: PaymentStateCode; reason: string | null; merchantMessage: string | null };
  authorizationExpiresAt: string | null;
  pendingExpiresAt: string | null;
  /** The final mutation (resolve or reject) this session received, if any. */
  finalMutation: "paymentSessionResolve" | "paymentSessionReject" | null;
  wasPending: boolean;
  finalizedAt: string | null;
  /** Cached resolver results per mutation name, for idempotent replays. */
  responses: Map<string, Record<string, unknown>>;
  orderId: string | null;
}

export type FinancialSessionKind = "refund" | "capture" | "void";

export interface FinancialSessionRecord {
  kind: FinancialSessionKind;
  id: string;
  gid: string;
  shop: string;
  method: MethodHandle;
  orderId: string;
  paymentId: string;
  /** Minor units; null for void. */
  amount: number | null;
  currency: string;
  test: boolean;
  proposedAt: string;
  /** delivering → awaiting (app said 201) → resolved | rejected; delivery-failed when retries ran out. */
  status: "delivering" | "awaiting" | "delivery-failed" | "resolved" | "rejected";
  reject: { code: string; merchantMessage: string | null } | null;
  finalMutation: string | null;
  finalizedAt: string | null;
  responses: Map<string, Record<string, unknown>>;
}

export type FinancialStatus =
  | "pending"
  | "authorized"
  | "paid"
  | "partially_paid"
  | "partially_refunded"
  | "refunded"
  | "voided"
  | "expired"
  | "failed";

// Shopify's words, the list the app's admin uses too (one list: app/admin/status.ts).
export const FINANCIAL_STATUS_LABELS: Record<FinancialStatus, { "zh-TW": string; en: string }> = {
  pending: SHOPIFY_STATUS_WORDS.pending,
  authorized: SHOPIFY_STATUS_WORDS.authorized,
  paid: SHOPIFY_STATUS_WORDS.paid,
  partially_paid: SHOPIFY_STATUS_WORDS.partiallyPaid,
  partially_refunded: SHOPIFY_STATUS_WORDS.partiallyRefunded,
  refunded: SHOPIFY_STATUS_WORDS.refunded,
  voided: SHOPIFY_STATUS_WORDS.voided,
  expired: SHOPIFY_STATUS_WORDS.expired,
  failed: SHOPIFY_STATUS_WORDS.failed,
};

export interface OrderRecord {
  id: string;
  name: string;
  shop: string;
  checkoutToken: string;
  paymentSessionId: string;
  method: MethodHandle;
  /** Minor units. */
  total: number;
  currency: string;
  kind: ShopifyPaymentKind;
  test: boolean;
  createdAt: string;
  cancelledAt: string | null;
  financialSessionIds: string[];
}

/** What tests and pages read about an order: the record plus what Shopify would display. */
export interface OrderView extends OrderRecord {
  financialStatus: FinancialStatus;
  financialStatusLabel: string;
  cancelled: boolean;
  captured: number;
  refunded: number;
  /** What a capture may still take (authorization not captured, not voided). */
  capturable: number;
  /** What a refund may still take. */
  refundable: number;
  paymentState: PaymentStateCode;
  financialSessions: FinancialSessionRecord[];
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A random 24-character id like Shopify's session ids ("u0nwmSrNntjIWozmNslK5Tlq"). */
export function shopifyId(): string {
  const bytes = randomBytes(24);
  let out = "";
  for (const byte of bytes) out += ID_ALPHABET[byte % ID_ALPHABET.length];
  return out;
}

export function opaqueToken(): string {
  return randomBytes(32).toString("base64");
}

export function formatAmount(minor: number): string {
  return (minor / 100).toFixed(2);
}

/** "1,234" or "1,234.50" for pages. */
export function displayAmount(minor: number): string {
  const major = minor / 100;
  return major.toLocaleString("en-US", { minimumFractionDigits: minor % 100 === 0 ? 0 : 2, maximumFractionDigits: 2 });
}

/** Parse a decimal amount typed by a merchant ("500", "500.5") to minor units, or null. */
export function parseAmount(value: string): number | null {
  const trimmed = value.trim().replace(/,/g, "");
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) return null;
  const [whole, fraction = ""] = trimmed.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

export const DEFAULT_CART: CartLine[] = [
  { title: "阿里山高山烏龍茶 Alishan high-mountain oolong (150g)", unitPrice: 1_200_00, quantity: 1 },
  { title: "台南愛文芒果乾 Tainan dried Irwin mango", unitPrice: 350_00, quantity: 2 },
  { title: "土鳳梨酥禮盒 Pineapple cake gift box", unitPrice: 480_00, quantity: 1 },
];

export function defaultCustomer(): Customer {
  const address = {
    given_name: "小明",
    family_name: "王",
    line1: "信義路五段7號",
    line2: "89樓",
    city: "臺北市",
    postal_code: "110",
    province: "Taipei City",
    province_code: "TPE",
    country_code: "TW",
    phone_number: "0912345678",
    company: "",
  };
  return {
    email: "buyer@example.com",
    phone_number: "0912345678",
    locale: "zh-TW",
    billing_address: { ...address },
    shipping_address: { ...address },
  };
}

type Cached<T extends { responses: Map<string, Record<string, unknown>> }> = Omit<T, "responses"> & {
  responses: Array<[string, Record<string, unknown>]>;
};

/** Everything a restart must keep (shops, checkouts, sessions, orders), as JSON; request logs are not kept. */
export interface StateSnapshot {
  version: 1;
  shops: SimulatedShop[];
  checkouts: Checkout[];
  paymentSessions: Cached<PaymentSessionRecord>[];
  financialSessions: Cached<FinancialSessionRecord>[];
  orders: OrderRecord[];
  anomalies: string[];
  nextOrderNumber: number;
}

export class SimulatorState {
  readonly shops = new Map<string, SimulatedShop>();
  readonly tokens = new Map<string, { shop: string; method: MethodHandle }>();
  readonly checkouts = new Map<string, Checkout>();
  readonly paymentSessions = new Map<string, PaymentSessionRecord>();
  readonly financialSessions = new Map<string, FinancialSessionRecord>();
  readonly orders = new Map<string, OrderRecord>();
  /** Things a real Shopify would consider wrong but that do not fail a request (for assertions). */
  readonly anomalies: string[] = [];
  private nextOrderNumber = 1001;

  constructor(readonly now: () => Date) {}

  snapshot(): StateSnapshot {
    const cached = <T extends { responses: Map<string, Record<string, unknown>> }>(record: T): Cached<T> => ({
      ...record,
      responses: [...record.responses],
    });
    return structuredClone({
      version: 1,
      shops: [...this.shops.values()],
      checkouts: [...this.checkouts.values()],
      paymentSessions: [...this.paymentSessions.values()].map(cached),
      financialSessions: [...this.financialSessions.values()].map(cached),
      orders: [...this.orders.values()],
      anomalies: [...this.anomalies],
      nextOrderNumber: this.nextOrderNumber,
    });
  }

  /** Replaces the whole state with a snapshot taken by snapshot() (possibly in an earlier process). */
  restore(snapshot: StateSnapshot): void {
    if (snapshot.version !== 1) throw new Error(`Unknown simulator snapshot version ${String(snapshot.version)}`);
    const data = structuredClone(snapshot);
    for (const map of [this.shops, this.tokens, this.checkouts, this.paymentSessions, this.financialSessions, this.orders]) map.clear();
    for (const shop of data.shops) {
      this.shops.set(shop.domain, shop);
      for (const [method, token] of Object.entries(shop.accessTokens) as [MethodHandle, string][]) {
        this.tokens.set(token, { shop: shop.domain, method });
      }
    }
    for (const checkout of data.checkouts) this.checkouts.set(checkout.token, checkout);
    for (const session of data.paymentSessions) this.paymentSessions.set(session.id, { ...session, responses: new Map(session.responses) });
    for (const session of data.financialSessions) this.financialSessions.set(session.id, { ...session, responses: new Map(session.responses) });
    for (const order of data.orders) this.orders.set(order.id, order);
    this.anomalies.splice(0, this.anomalies.length, ...data.anomalies);
    this.nextOrderNumber = data.nextOrderNumber;
  }

  addShop(domain: string, accessTokens: Partial<Record<MethodHandle, string>>, settings?: Partial<ShopSettings>): SimulatedShop {
    const existing = this.shops.get(domain);
    for (const [method, token] of Object.entries(accessTokens) as [MethodHandle, string][]) {
      const owner = this.tokens.get(token);
      if (owner && (owner.shop !== domain || owner.method !== method)) {
        throw new Error(`Access token for ${domain}/${method} is already used by ${owner.shop}/${owner.method}`);
      }
    }
    const shop: SimulatedShop = existing ?? {
      domain,
      accessTokens: {},
      settings: { captureMode: "automatic", test: true },
      configurations: {},
    };
    for (const [method, token] of Object.entries(accessTokens) as [MethodHandle, string][]) {
      const previous = shop.accessTokens[method];
      if (previous) this.tokens.delete(previous);
      shop.accessTokens[method] = token;
      this.tokens.set(token, { shop: domain, method });
    }
    Object.assign(shop.settings, settings ?? {});
    this.shops.set(domain, shop);
    return shop;
  }

  /** Uninstall an app: its token stops working (401). */
  revokeToken(domain: string, method: MethodHandle): void {
    const shop = this.requireShop(domain);
    const token = shop.accessTokens[method];
    if (token) this.tokens.delete(token);
    delete shop.accessTokens[method];
  }

  requireShop(domain: string): SimulatedShop {
    const shop = this.shops.get(domain);
    if (!shop) throw new Error(`Unknown shop ${domain}`);
    return shop;
  }

  installedMethods(domain: string): MethodHandle[] {
    const shop = this.requireShop(domain);
    return METHOD_HANDLES.filter((method) => shop.accessTokens[method]);
  }

  createCheckout(domain: string, options: { lines?: CartLine[]; customer?: Partial<Customer>; currency?: string } = {}): Checkout {
    this.requireShop(domain);
    const lines = options.lines ?? DEFAULT_CART.map((line) => ({ ...line }));
    const checkout: Checkout = {
      token: shopifyId().toLowerCase().slice(0, 20) + shopifyId().toLowerCase().slice(0, 12),
      shop: domain,
      lines,
      total: lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0),
      currency: options.currency ?? "TWD",
      customer: { ...defaultCustomer(), ...(options.customer ?? {}) },
      group: opaqueToken(),
      sessionId: opaqueToken(),
      createdAt: this.now().toISOString(),
      attempts: [],
      notice: null,
    };
    this.checkouts.set(checkout.token, checkout);
    return checkout;
  }

  kindFor(domain: string, method: MethodHandle): ShopifyPaymentKind {
    const shop = this.requireShop(domain);
    return shop.settings.captureMode === "manual" && PAYMENT_METHODS[method].kinds.includes("authorization")
      ? "authorization"
      : "sale";
  }

  findPaymentSession(idOrGid: string): PaymentSessionRecord | undefined {
    return this.paymentSessions.get(idOrGid.replace(/^gid:\/\/shopify\/PaymentSession\//, ""));
  }

  findFinancialSession(idOrGid: string): FinancialSessionRecord | undefined {
    return this.financialSessions.get(idOrGid.replace(/^gid:\/\/shopify\/(Refund|Capture|Void)Session\//, ""));
  }

  /** Shopify creates the order once the payment resolves or goes pending (docs §5.7). */
  ensureOrder(session: PaymentSessionRecord): OrderRecord {
    if (session.orderId) return this.orders.get(session.orderId)!;
    const checkout = this.checkouts.get(session.checkoutToken);
    const other = checkout?.attempts
      .map((id) => this.paymentSessions.get(id))
      .find((s) => s && s.id !== session.id && s.orderId);
    if (other) {
      this.anomalies.push(`Payment session ${session.id} completed checkout ${session.checkoutToken}, already paid by ${other.id}`);
    }
    const number = this.nextOrderNumber++;
    const order: OrderRecord = {
      id: String(5_000_000_000 + number),
      name: `#${number}`,
      shop: session.shop,
      checkoutToken: session.checkoutToken,
      paymentSessionId: session.id,
      method: session.method,
      total: session.amount,
      currency: session.currency,
      kind: session.kind,
      test: session.test,
      createdAt: this.now().toISOString(),
      cancelledAt: null,
      financialSessionIds: [],
    };
    this.orders.set(order.id, order);
    session.orderId = order.id;
    return order;
  }

  orderView(order: OrderRecord): OrderView {
    const payment = this.paymentSessions.get(order.paymentSessionId)!;
    const sessions = order.financialSessionIds.map((id) => this.financialSessions.get(id)!);
    const resolved = (kind: FinancialSessionKind) => sessions.filter((s) => s.kind === kind && s.status === "resolved");
    const voided = resolved("void").length > 0;
    const paymentResolved = payment.state.code === "RESOLVED";
    const captured =
      !paymentResolved ? 0 : order.kind === "sale" ? order.total : resolved("capture").reduce((sum, s) => sum + (s.amount ?? 0), 0);
    const refunded = resolved("refund").reduce((sum, s) => sum + (s.amount ?? 0), 0);
    const now = this.now().getTime();
    const authorizationExpired =
      payment.authorizationExpiresAt !== null && now >= Date.parse(payment.authorizationExpiresAt);

    let status: FinancialStatus;
    if (payment.state.code === "PENDING") {
      status = payment.pendingExpiresAt !== null && now >= Date.parse(payment.pendingExpiresAt) ? "expired" : "pending";
    } else if (payment.state.code === "REJECTED") {
      // A pending payment that is rejected at or after its deadline is what Shopify shows as expired.
      const pastDeadline =
        payment.pendingExpiresAt !== null && Date.parse(payment.finalizedAt ?? "") >= Date.parse(payment.pendingExpiresAt);
      status = pastDeadline ? "expired" : "failed";
    } else if (payment.state.code !== "RESOLVED") {
      status = "pending";
    } else if (voided) {
      status = "voided";
    } else if (refunded > 0 && refunded >= captured) {
      status = "refunded";
    } else if (refunded > 0) {
      status = "partially_refunded";
    } else if (order.kind === "authorization" && captured === 0) {
      status = authorizationExpired ? "expired" : "authorized";
    } else if (captured < order.total) {
      status = "partially_paid";
    } else {
      status = "paid";
    }
    const capturable =
      paymentResolved && order.kind === "authorization" && !voided && !authorizationExpired && captured === 0
        ? order.total
        : 0;
    const inFlightRefunds = sessions
      .filter((s) => s.kind === "refund" && (s.status === "delivering" || s.status === "awaiting"))
      .reduce((sum, s) => sum + (s.amount ?? 0), 0);
    const label = FINANCIAL_STATUS_LABELS[status];
    return {
      ...order,
      financialStatus: status,
      financialStatusLabel: `${label["zh-TW"]} ${label.en}`,
      cancelled: order.cancelledAt !== null,
      captured,
      refunded,
      capturable,
      refundable: Math.max(0, captured - refunded - inFlightRefunds),
      paymentState: payment.state.code,
      financialSessions: sessions,
    };
  }
}
