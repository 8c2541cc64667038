// POST /payments_apps/api/<version>/graphql.json with Shopify's rules (docs §3.2–§3.4):
// token per shop+app, sessions by gid, idempotency per (id, mutation name), finality, the
// premature-resolve error, and fault injection for retry tests.
import type { MethodHandle } from "../../../app/payments/methods";
import {
  GraphqlError,
  parseOperation,
  project,
  resolveArguments,
  validateSelections,
  type GqlValue,
  type Selection,
} from "./graphql-mini";
import {
  FINAL_SESSION_REJECT_CODES,
  PAYMENTS_APPS_SCHEMA,
  PAYMENT_REJECTED_REASONS,
  PENDING_REASONS,
  PREMATURE_MESSAGE,
} from "./schema";
import type { FinancialSessionKind, FinancialSessionRecord, PaymentSessionRecord, SimulatorState } from "./state";

export interface GraphqlCall {
  seq: number;
  at: string;
  apiVersion: string;
  shop: string | null;
  method: MethodHandle | null;
  /** Top-level mutation fields in the request. */
  mutations: string[];
  variables: Record<string, unknown>;
  status: number;
  /** The JSON body answered (or null for a hang that never answered). */
  response: unknown;
  fault: string | null;
  /** Whether the mutation changed state (false for replays, user errors, faults before processing). */
  applied: boolean;
}

export type FaultSpec =
  | { kind: "error"; status: number; afterProcessing: boolean }
  | { kind: "hang"; ms: number; afterProcessing: boolean }
  | { kind: "throttle"; mode: "http429" | "graphql"; retryAfterSeconds: number };

interface QueuedFault {
  spec: FaultSpec;
  remaining: number;
  mutation: string | null;
}

/** Knobs for tests: each fault hits the next matching GraphQL requests in order. */
export class FaultInjector {
  private queue: QueuedFault[] = [];
  private fraction: { value: number; status: number } | null = null;

  /** Answer the next n calls with HTTP `status` (default 500); `afterProcessing` applies the mutation first. */
  failNext(n = 1, options: { status?: number; afterProcessing?: boolean; mutation?: string } = {}): void {
    this.queue.push({
      spec: { kind: "error", status: options.status ?? 500, afterProcessing: options.afterProcessing ?? false },
      remaining: n,
      mutation: options.mutation ?? null,
    });
  }

  /** Fail a random fraction (0..1) of calls with HTTP `status` (default 500) until cleared. */
  failFraction(value: number, options: { status?: number } = {}): void {
    this.fraction = value > 0 ? { value, status: options.status ?? 500 } : null;
  }

  /** Hold the next n calls for `ms` (default 60 s, longer than any client timeout), then answer 504. */
  hangNext(n = 1, options: { ms?: number; afterProcessing?: boolean; mutation?: string } = {}): void {
    this.queue.push({
      spec: { kind: "hang", ms: options.ms ?? 60_000, afterProcessing: options.afterProcessing ?? false },
      remaining: n,
      mutation: options.mutation ?? null,
    });
  }

  /** Throttle the next n calls: `graphql` answers 200 with errors[].extensions.code THROTTLED, `http429` a 429. */
  throttleNext(n = 1, options: { mode?: "http429" | "graphql"; retryAfterSeconds?: number; mutation?: string } = {}): void {
    this.queue.push({
      spec: { kind: "throttle", mode: options.mode ?? "http429", retryAfterSeconds: options.retryAfterSeconds ?? 1 },
      remaining: n,
      mutation: options.mutation ?? null,
    });
  }

  /** Answer payment-session mutations with this nextAction redirectUrl (e.g. javascript:…) until cleared. */
  nextActionUrl: string | null = null;

  clear(): void {
    this.queue = [];
    this.fraction = null;
    this.nextActionUrl = null;
  }

  take(mutations: string[]): FaultSpec | null {
    const index = this.queue.findIndex((f) => f.mutation === null || mutations.includes(f.mutation));
    if (index >= 0) {
      const fault = this.queue[index]!;
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.queue.splice(index, 1);
      return fault.spec;
    }
    if (this.fraction && Math.random() < this.fraction.value) {
      return { kind: "error", status: this.fraction.status, afterProcessing: false };
    }
    return null;
  }
}

export interface GraphqlHttpResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Milliseconds to hold the response (hang fault). */
  delayMs: number;
}

interface Context {
  state: SimulatorState;
  shop: string;
  method: MethodHandle;
  simulatorOrigin: string;
  pendingExpiryLimitMs: number;
  /** A hostile or broken Shopify: this nextAction redirectUrl instead of the real one. */
  nextActionOverride: string | null;
}

type Payload = Record<string, unknown>;

interface ResolverOutcome {
  payload: Payload;
  applied: boolean;
}

class ArgumentError extends GraphqlError {}

function userError(message: string, field: string[] | null = ["id"], code?: string): Payload {
  return code ? { field, message, code } : { field, message };
}

function requireString(args: Record<string, GqlValue>, name: string, field: string): string {
  const value = args[name];
  if (typeof value !== "string" || value.length === 0) {
    throw new ArgumentError(`Argument '${name}' on Field '${field}' has an invalid value (${JSON.stringify(value ?? null)}). Expected type '${name === "id" ? "ID" : "String"}!'.`, "argumentLiteralsIncompatible");
  }
  return value;
}

function requireEnum(value: GqlValue | undefined, allowed: readonly string[], where: string): string {
  if (typeof value !== "string" || !allowed.includes(value)) {
    throw new ArgumentError(`${where} has an invalid value (${JSON.stringify(value ?? null)}). Expected one of: ${allowed.join(", ")}.`, "argumentLiteralsIncompatible");
  }
  return value;
}

function paymentSessionObject(session: PaymentSessionRecord, nextUrl: string | null): Payload {
  const typename = {
    REDIRECTING: "PaymentSessionStateRedirecting",
    PENDING: "PaymentSessionStatePending",
    RESOLVED: "PaymentSessionStateResolved",
    REJECTED: "PaymentSessionStateRejected",
  }[session.state.code];
  return {
    __typename: "PaymentSession",
    id: session.gid,
    state: { __typename: typename, code: session.state.code, reason: session.state.reason, merchantMessage: session.state.merchantMessage },
    nextAction: nextUrl
      ? { __typename: "PaymentSessionNextAction", action: "REDIRECT", context: { __typename: "PaymentSessionActionsRedirect", redirectUrl: nextUrl } }
      : null,
    authorizationExpiresAt: session.authorizationExpiresAt,
    pendingExpiresAt: session.pendingExpiresAt,
  };
}

export function orderStatusUrl(origin: string, session: PaymentSessionRecord): string {
  return `${origin}/checkouts/cn/${session.checkoutToken}/thank-you`;
}

export function checkoutRetryUrl(origin: string, session: PaymentSessionRecord): string {
  return `${origin}/checkouts/cn/${session.checkoutToken}?payment_failed=${session.id}`;
}

function findOwnPaymentSession(ctx: Context, gid: string): PaymentSessionRecord | null {
  if (!gid.startsWith("gid://shopify/PaymentSession/")) return null;
  const session = ctx.state.findPaymentSession(gid);
  // Another shop's or another app's session does not exist as far as this token can tell.
  return session && session.shop === ctx.shop && session.method === ctx.method ? session : null;
}

function resolvePaymentMutation(name: string, args: Record<string, GqlValue>, ctx: Context): ResolverOutcome {
  const gid = requireString(args, "id", name);
  const now = ctx.state.now();
  const session = findOwnPaymentSession(ctx, gid);
  const typedCodes = name === "paymentSessionPending";

  // Validate inputs first, as GraphQL coercion would.
  let reject: { code: string; merchantMessage: string | null } | null = null;
  let pending: { expiresAt: string; reason: string } | null = null;
  if (name === "paymentSessionReject") {
    const reason = args.reason;
    if (!reason || typeof reason !== "object" || Array.isArray(reason)) {
      throw new ArgumentError("Argument 'reason' on Field 'paymentSessionReject' is required. Expected type PaymentSessionRejectionReasonInput!", "missingRequiredArguments");
    }
    const code = requireEnum(reason.code, PAYMENT_REJECTED_REASONS, "Argument 'code' on InputObject 'PaymentSessionRejectionReasonInput'");
    const message = reason.merchantMessage;
    reject = { code, merchantMessage: typeof message === "string" ? message : null };
  }
  if (name === "paymentSessionPending") {
    const expires = args.pendingExpiresAt;
    if (typeof expires !== "string" || Number.isNaN(Date.parse(expires))) {
      throw new ArgumentError("Argument 'pendingExpiresAt' on Field 'paymentSessionPending' has an invalid value. Expected type 'DateTime!'.", "argumentLiteralsIncompatible");
    }
    const reason = requireEnum(args.reason, PENDING_REASONS, "Argument 'reason' on Field 'paymentSessionPending'");
    pending = { expiresAt: new Date(Date.parse(expires)).toISOString(), reason };
  }

  if (!session) {
    return {
      payload: { paymentSession: null, userErrors: [userError("Payment session doesn't exist.", ["id"], typedCodes ? "NOT_FOUND" : undefined)] },
      applied: false,
    };
  }
  const cached = session.responses.get(name);
  if (cached) return { payload: cached, applied: false };

  if (!session.startResponseReceived) {
    return { payload: { paymentSession: null, userErrors: [userError(PREMATURE_MESSAGE, ["id"])] }, applied: false };
  }
  if (session.finalMutation !== null) {
    const message =
      session.finalMutation === "paymentSessionResolve"
        ? "Payment session has already been resolved."
        : "Payment session has already been rejected.";
    const code = typedCodes ? "PENDING_INVALID_STATE" : undefined;
    return { payload: { paymentSession: null, userErrors: [userError(message, ["id"], code)] }, applied: false };
  }

  let nextUrl: string;
  if (name === "paymentSessionPending" && pending) {
    const expiresAtMs = Date.parse(pending.expiresAt);
    if (expiresAtMs <= now.getTime()) {
      return {
        payload: { paymentSession: null, userErrors: [userError("Pending expiry date can't be a time in the past.", ["pendingExpiresAt"], "EXPIRED_PENDING_EXPIRES_AT")] },
        applied: false,
      };
    }
    if (expiresAtMs - now.getTime() > ctx.pendingExpiryLimitMs) {
      return {
        payload: { paymentSession: null, userErrors: [userError("Pending expiry date has exceeded the default pending expiry limit.", ["pendingExpiresAt"], "OUT_OF_RANGE_PENDING_EXPIRES_AT")] },
        applied: false,
      };
    }
    session.state = { code: "PENDING", reason: pending.reason, merchantMessage: null };
    session.pendingExpiresAt = pending.expiresAt;
    session.wasPending = true;
    ctx.state.ensureOrder(session);
    nextUrl = orderStatusUrl(ctx.simulatorOrigin, session);
  } else if (name === "paymentSessionResolve") {
    const expires = args.authorizationExpiresAt;
    if (session.kind === "authorization") {
      session.authorizationExpiresAt =
        typeof expires === "string" && !Number.isNaN(Date.parse(expires))
          ? new Date(Date.parse(expires)).toISOString()
          : // Without a date Shopify applies the provider's default; 7 days is typical for cards.
            new Date(now.getTime() + 7 * 24 * 3600_000).toISOString();
    }
    session.state = { code: "RESOLVED", reason: null, merchantMessage: null };
    session.finalMutation = "paymentSessionResolve";
    session.finalizedAt = now.toISOString();
    ctx.state.ensureOrder(session);
    nextUrl = orderStatusUrl(ctx.simulatorOrigin, session);
  } else {
    session.state = { code: "REJECTED", reason: reject!.code, merchantMessage: reject!.merchantMessage };
    session.finalMutation = "paymentSessionReject";
    session.finalizedAt = now.toISOString();
    nextUrl = checkoutRetryUrl(ctx.simulatorOrigin, session);
  }
  const payload = { paymentSession: paymentSessionObject(session, ctx.nextActionOverride ?? nextUrl), userErrors: [] };
  session.responses.set(name, payload);
  return { payload, applied: true };
}

const FINAL_PREFIX: Record<FinancialSessionKind, "Refund" | "Capture" | "Void"> = {
  refund: "Refund",
  capture: "Capture",
  void: "Void",
};

function financialSessionObject(session: FinancialSessionRecord): Payload {
  const prefix = FINAL_PREFIX[session.kind];
  const resolved = session.status === "resolved";
  return {
    __typename: `${prefix}Session`,
    id: session.gid,
    state: resolved
      ? { __typename: `${prefix}SessionStateResolved`, code: "RESOLVED" }
      : {
          __typename: `${prefix}SessionStateRejected`,
          code: "REJECTED",
          reason: session.reject?.code ?? "PROCESSING_ERROR",
          merchantMessage: session.reject?.merchantMessage ?? null,
        },
  };
}

function resolveFinancialMutation(name: string, kind: FinancialSessionKind, args: Record<string, GqlValue>, ctx: Context): ResolverOutcome {
  const prefix = FINAL_PREFIX[kind];
  const field = `${kind}Session`;
  const gid = requireString(args, "id", name);
  const isReject = name.endsWith("Reject");
  let reject: { code: string; merchantMessage: string | null } | null = null;
  if (isReject) {
    const reason = args.reason;
    if (!reason || typeof reason !== "object" || Array.isArray(reason)) {
      throw new ArgumentError(`Argument 'reason' on Field '${name}' is required. Expected type ${prefix}SessionRejectionReasonInput!`, "missingRequiredArguments");
    }
    const code = requireEnum(reason.code, FINAL_SESSION_REJECT_CODES[kind], `Argument 'code' on InputObject '${prefix}SessionRejectionReasonInput'`);
    reject = { code, merchantMessage: typeof reason.merchantMessage === "string" ? reason.merchantMessage : null };
  }
  const upper = kind.toUpperCase();
  const session = gid.startsWith(`gid://shopify/${prefix}Session/`) ? ctx.state.findFinancialSession(gid) : undefined;
  if (!session || session.kind !== kind || session.shop !== ctx.shop || session.method !== ctx.method) {
    return {
      payload: { [field]: null, userErrors: [userError(`${prefix} session not found.`, ["id"], `${upper}_SESSION_NOT_FOUND`)] },
      applied: false,
    };
  }
  const cached = session.responses.get(name);
  if (cached) return { payload: cached, applied: false };
  if (session.finalMutation !== null) {
    const message = `${prefix} session has already been ${session.status === "resolved" ? "resolved" : "rejected"}.`;
    return { payload: { [field]: null, userErrors: [userError(message, ["id"], `${upper}_SESSION_INVALID_STATE`)] }, applied: false };
  }
  if (session.status === "delivering") {
    ctx.state.anomalies.push(`${name} for ${session.id} arrived before Shopify received the app's 201`);
  }
  session.status = isReject ? "rejected" : "resolved";
  session.reject = reject;
  session.finalMutation = name;
  session.finalizedAt = ctx.state.now().toISOString();
  const payload = { [field]: financialSessionObject(session), userErrors: [] };
  session.responses.set(name, payload);
  return { payload, applied: true };
}

function resolveConfigure(args: Record<string, GqlValue>, ctx: Context): ResolverOutcome {
  const ready = args.ready;
  if (typeof ready !== "boolean") {
    throw new ArgumentError("Argument 'ready' on Field 'paymentsAppConfigure' has an invalid value. Expected type 'Boolean!'.", "argumentLiteralsIncompatible");
  }
  const externalHandle = typeof args.externalHandle === "string" ? args.externalHandle : null;
  const shop = ctx.state.requireShop(ctx.shop);
  shop.configurations[ctx.method] = { externalHandle, ready, configuredAt: ctx.state.now().toISOString() };
  return {
    payload: { paymentsAppConfiguration: { __typename: "PaymentsAppConfiguration", externalHandle, ready }, userErrors: [] },
    applied: true,
  };
}

function runMutation(name: string, args: Record<string, GqlValue>, ctx: Context): ResolverOutcome {
  switch (name) {
    case "paymentSessionResolve":
    case "paymentSessionReject":
    case "paymentSessionPending":
      return resolvePaymentMutation(name, args, ctx);
    case "refundSessionResolve":
    case "refundSessionReject":
      return resolveFinancialMutation(name, "refund", args, ctx);
    case "captureSessionResolve":
    case "captureSessionReject":
      return resolveFinancialMutation(name, "capture", args, ctx);
    case "voidSessionResolve":
    case "voidSessionReject":
      return resolveFinancialMutation(name, "void", args, ctx);
    case "paymentsAppConfigure":
      return resolveConfigure(args, ctx);
    default:
      throw new GraphqlError(`Field '${name}' doesn't exist on type 'Mutation'`, "undefinedField");
  }
}

function costExtension(): Record<string, unknown> {
  return {
    cost: {
      requestedQueryCost: 10,
      actualQueryCost: 10,
      throttleStatus: { maximumAvailable: 1092000, currentlyAvailable: 1091990, restoreRate: 54600 },
    },
  };
}

/**
 * Shopify's leaky bucket per app and shop (GraphQL Admin API rate limits): each call takes
 * `cost` points from `maximumAvailable`, which refill at `restoreRate` points per second; a call
 * the bucket cannot pay for is answered THROTTLED with the bucket's state, as Shopify does.
 */
export interface ThrottlingModel {
  maximumAvailable: number;
  restoreRate: number;
  cost: number;
}

class Buckets {
  private readonly levels = new Map<string, { available: number; atMs: number }>();

  constructor(readonly model: ThrottlingModel) {}

  /** Take one call's cost for `key`; what is left afterwards (or now, when it could not pay). */
  take(key: string, nowMs: number): { ok: boolean; available: number } {
    const level = this.levels.get(key) ?? { available: this.model.maximumAvailable, atMs: nowMs };
    const available = Math.min(this.model.maximumAvailable, level.available + ((nowMs - level.atMs) / 1000) * this.model.restoreRate);
    const ok = available >= this.model.cost;
    const left = ok ? available - this.model.cost : available;
    this.levels.set(key, { available: left, atMs: nowMs });
    return { ok, available: Math.floor(left) };
  }
}

export interface GraphqlRequest {
  apiVersion: string;
  host: string | undefined;
  accessToken: string | undefined;
  contentType: string | undefined;
  rawBody: string;
}

export class PaymentsGraphqlEndpoint {
  readonly faults = new FaultInjector();
  private buckets: Buckets | null = null;

  /** Throttle by Shopify's bucket from now on (null: never, the default). */
  setThrottling(model: ThrottlingModel | null): void {
    this.buckets = model ? new Buckets(model) : null;
  }
  private readonly log: GraphqlCall[] = [];
  private seq = 0;

  constructor(
    private readonly state: SimulatorState,
    private readonly options: { simulatorOrigin: () => string; pendingExpiryLimitMs: number },
  ) {}

  calls(): GraphqlCall[] {
    return [...this.log];
  }

  clearCalls(): void {
    this.log.length = 0;
  }

  handle(request: GraphqlRequest): GraphqlHttpResult {
    const at = this.state.now().toISOString();
    const record = (partial: Omit<GraphqlCall, "seq" | "at" | "apiVersion">): void => {
      this.log.push({ seq: ++this.seq, at, apiVersion: request.apiVersion, ...partial });
    };

    let parsedBody: { query?: unknown; variables?: unknown; operationName?: unknown } = {};
    try {
      parsedBody = JSON.parse(request.rawBody) as typeof parsedBody;
    } catch {
      parsedBody = {};
    }
    const mutationsGuess = typeof parsedBody.query === "string" ? [...parsedBody.query.matchAll(/\b(\w+)\s*\(/g)].map((m) => m[1]!) : [];

    // Authentication comes before anything else, as at Shopify.
    const owner = request.accessToken ? this.state.tokens.get(request.accessToken) : undefined;
    const hostShop = request.host?.split(":")[0];
    if (!owner || (hostShop && this.state.shops.has(hostShop) && hostShop !== owner.shop)) {
      const body = { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" };
      record({ shop: null, method: null, mutations: mutationsGuess, variables: {}, status: 401, response: body, fault: null, applied: false });
      return { status: 401, headers: {}, body, delayMs: 0 };
    }

    let cost = costExtension();
    if (this.buckets) {
      const { model } = this.buckets;
      const bucket = this.buckets.take(`${owner.shop} ${owner.method}`, Date.now());
      const throttleStatus = { maximumAvailable: model.maximumAvailable, currentlyAvailable: bucket.available, restoreRate: model.restoreRate };
      if (!bucket.ok) {
        const body = {
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
          extensions: { cost: { requestedQueryCost: model.cost, actualQueryCost: null, throttleStatus } },
        };
        record({ shop: owner.shop, method: owner.method, mutations: mutationsGuess, variables: {}, status: 200, response: body, fault: "throttled", applied: false });
        return { status: 200, headers: {}, body, delayMs: 0 };
      }
      cost = { cost: { requestedQueryCost: model.cost, actualQueryCost: model.cost, throttleStatus } };
    }

    const fault = this.faults.take(mutationsGuess);
    const variables =
      parsedBody.variables && typeof parsedBody.variables === "object" && !Array.isArray(parsedBody.variables)
        ? (parsedBody.variables as Record<string, unknown>)
        : {};
    const base = { shop: owner.shop, method: owner.method, mutations: mutationsGuess, variables };

    if (fault && !("afterProcessing" in fault && fault.afterProcessing)) {
      const result = this.faultResult(fault);
      record({ ...base, status: result.status, response: result.body, fault: fault.kind, applied: false });
      return result;
    }

    if (!(request.contentType ?? "").includes("application/json") || typeof parsedBody.query !== "string") {
      const body = { errors: { query: "Required parameter missing or invalid" } };
      record({ ...base, status: 400, response: body, fault: null, applied: false });
      return { status: 400, headers: {}, body, delayMs: 0 };
    }

    const ctx: Context = {
      state: this.state,
      shop: owner.shop,
      method: owner.method,
      simulatorOrigin: this.options.simulatorOrigin(),
      pendingExpiryLimitMs: this.options.pendingExpiryLimitMs,
      nextActionOverride: this.faults.nextActionUrl,
    };
    let body: Record<string, unknown>;
    let applied = false;
    let mutations = mutationsGuess;
    try {
      const operation = parseOperation(parsedBody.query, typeof parsedBody.operationName === "string" ? parsedBody.operationName : null);
      if (operation.type !== "mutation") {
        throw new GraphqlError("The simulator serves only the Payments Apps mutations", "undefinedField");
      }
      const problems = validateSelections(PAYMENTS_APPS_SCHEMA, "Mutation", operation.selections, "mutation");
      if (problems.length > 0) {
        body = { errors: problems.map((message) => ({ message, extensions: { code: "undefinedField" } })) };
      } else {
        const fields = operation.selections.filter((s): s is Extract<Selection, { kind: "field" }> => s.kind === "field");
        mutations = fields.map((f) => f.name);
        const data: Record<string, GqlValue> = {};
        // Arguments of every field are checked before any field runs, so a bad request changes nothing.
        const prepared = fields.map((field) => ({ field, args: resolveArguments(operation, field, variables) }));
        for (const { field, args } of prepared) {
          const outcome = runMutation(field.name, args, ctx);
          applied ||= outcome.applied;
          const type = PAYMENTS_APPS_SCHEMA.objects.Mutation![field.name]!;
          data[field.alias] = project(PAYMENTS_APPS_SCHEMA, type, outcome.payload, field.selections ?? []);
        }
        body = { data, extensions: cost };
      }
    } catch (error) {
      if (!(error instanceof GraphqlError)) throw error;
      body = { errors: [{ message: error.message, extensions: { code: error.code } }] };
    }

    if (fault) {
      // afterProcessing: the mutation took effect but the app sees a failure and must retry.
      const result = this.faultResult(fault);
      record({ ...base, mutations, status: result.status, response: result.body, fault: `${fault.kind}-after-processing`, applied });
      return result;
    }
    record({ ...base, mutations, status: 200, response: body, fault: null, applied });
    return { status: 200, headers: {}, body, delayMs: 0 };
  }

  private faultResult(fault: FaultSpec): GraphqlHttpResult {
    switch (fault.kind) {
      case "error":
        return { status: fault.status, headers: {}, body: { errors: "Internal Server Error" }, delayMs: 0 };
      case "hang":
        return { status: 504, headers: {}, body: { errors: "Gateway Timeout" }, delayMs: fault.ms };
      case "throttle":
        if (fault.mode === "http429") {
          return {
            status: 429,
            headers: { "Retry-After": String(fault.retryAfterSeconds) },
            body: { errors: "Exceeded API rate limit" },
            delayMs: 0,
          };
        }
        return {
          status: 200,
          headers: { "Retry-After": String(fault.retryAfterSeconds) },
          body: {
            errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
            extensions: {
              cost: {
                requestedQueryCost: 10,
                actualQueryCost: null,
                throttleStatus: { maximumAvailable: 1092000, currentlyAvailable: 0, restoreRate: 10 / fault.retryAfterSeconds },
              },
            },
          },
          delayMs: 0,
        };
    }
  }
}
