// The slice of the Payments Apps GraphQL schema the simulator serves (docs/shopify-payments-apps.md
// §3.3, §3.4; shopify.dev payments-apps 2026-07 reference). Enums are checked on input variables.
import type { MiniSchema } from "./graphql-mini";

function finalSessionTypes(prefix: "Refund" | "Capture" | "Void"): MiniSchema["objects"] {
  return {
    [`${prefix}Session`]: { id: "ID!", state: `${prefix}SessionStates!` },
    [`${prefix}SessionStateResolved`]: { code: `${prefix}SessionStateCode!` },
    [`${prefix}SessionStateRejected`]: { code: `${prefix}SessionStateCode!`, reason: "String!", merchantMessage: "String" },
    [`${prefix}SessionResolveUserError`]: { field: "[String!]", message: "String!", code: "String" },
    [`${prefix}SessionRejectUserError`]: { field: "[String!]", message: "String!", code: "String" },
    [`${prefix}SessionResolvePayload`]: {
      [`${prefix.toLowerCase()}Session`]: `${prefix}Session`,
      userErrors: `[${prefix}SessionResolveUserError!]!`,
    },
    [`${prefix}SessionRejectPayload`]: {
      [`${prefix.toLowerCase()}Session`]: `${prefix}Session`,
      userErrors: `[${prefix}SessionRejectUserError!]!`,
    },
  };
}

export const PAYMENTS_APPS_SCHEMA: MiniSchema = {
  objects: {
    Mutation: {
      paymentSessionResolve: "PaymentSessionResolvePayload",
      paymentSessionReject: "PaymentSessionRejectPayload",
      paymentSessionPending: "PaymentSessionPendingPayload",
      refundSessionResolve: "RefundSessionResolvePayload",
      refundSessionReject: "RefundSessionRejectPayload",
      captureSessionResolve: "CaptureSessionResolvePayload",
      captureSessionReject: "CaptureSessionRejectPayload",
      voidSessionResolve: "VoidSessionResolvePayload",
      voidSessionReject: "VoidSessionRejectPayload",
      paymentsAppConfigure: "PaymentsAppConfigurePayload",
    },
    UserError: { field: "[String!]", message: "String!" },
    PaymentSessionPendingUserError: { field: "[String!]", message: "String!", code: "PaymentSessionPendingUserErrorCode" },
    PaymentSessionResolvePayload: { paymentSession: "PaymentSession", userErrors: "[UserError!]!" },
    PaymentSessionRejectPayload: { paymentSession: "PaymentSession", userErrors: "[UserError!]!" },
    PaymentSessionPendingPayload: { paymentSession: "PaymentSession", userErrors: "[PaymentSessionPendingUserError!]!" },
    PaymentSession: {
      id: "ID!",
      state: "PaymentSessionStates!",
      nextAction: "PaymentSessionNextAction",
      authorizationExpiresAt: "DateTime",
      pendingExpiresAt: "DateTime",
    },
    PaymentSessionStateResolved: { code: "PaymentSessionStateCode!" },
    PaymentSessionStateRejected: { code: "PaymentSessionStateCode!", reason: "PaymentSessionStateRejectedReason!", merchantMessage: "String" },
    PaymentSessionStatePending: { code: "PaymentSessionStateCode!", reason: "PaymentSessionStatePendingReason" },
    PaymentSessionStateRedirecting: { code: "PaymentSessionStateCode!" },
    PaymentSessionStateBuyerActionRequired: { code: "PaymentSessionStateCode!" },
    PaymentSessionStateConfirming: { code: "PaymentSessionStateCode!" },
    PaymentSessionNextAction: { action: "PaymentSessionNextActionAction!", context: "PaymentSessionNextActionContext!" },
    PaymentSessionActionsRedirect: { redirectUrl: "URL!" },
    PaymentsAppConfigurePayload: { paymentsAppConfiguration: "PaymentsAppConfiguration", userErrors: "[UserError!]!" },
    PaymentsAppConfiguration: { externalHandle: "String", ready: "Boolean!" },
    ...finalSessionTypes("Refund"),
    ...finalSessionTypes("Capture"),
    ...finalSessionTypes("Void"),
  },
  unions: {
    PaymentSessionStates: [
      "PaymentSessionStateResolved",
      "PaymentSessionStateRejected",
      "PaymentSessionStatePending",
      "PaymentSessionStateRedirecting",
      "PaymentSessionStateBuyerActionRequired",
      "PaymentSessionStateConfirming",
    ],
    PaymentSessionNextActionContext: ["PaymentSessionActionsRedirect"],
    RefundSessionStates: ["RefundSessionStateResolved", "RefundSessionStateRejected"],
    CaptureSessionStates: ["CaptureSessionStateResolved", "CaptureSessionStateRejected"],
    VoidSessionStates: ["VoidSessionStateResolved", "VoidSessionStateRejected"],
  },
};

/** PaymentSessionStateRejectedReason as of 2026-07 (RISKY is deprecated but still accepted). */
export const PAYMENT_REJECTED_REASONS = [
  "AMOUNT_TOO_LARGE", "AMOUNT_TOO_SMALL", "AUTHENTICATION_FAILED", "AUTHENTICATION_REQUIRED", "CALL_ISSUER",
  "CANCELLED_PAYMENT", "CARD_DECLINED", "CARD_TESTING", "CONFIRMATION_REJECTED", "DO_NOT_HONOR", "EXPIRED_CARD",
  "FRAUD_SUSPECTED", "HIGH_RISK_FRAUD_SUSPECTED", "INCORRECT_ADDRESS", "INCORRECT_CVC", "INCORRECT_NUMBER",
  "INCORRECT_PIN", "INCORRECT_ZIP", "INSTRUMENT_DECLINED", "INSUFFICIENT_FUNDS", "INVALID_AMOUNT", "INVALID_CURRENCY",
  "INVALID_CVC", "INVALID_EXPIRY_DATE", "INVALID_NUMBER", "INVALID_PAYMENT_METHOD", "INVALID_PURCHASE_TYPE",
  "INVALID_REQUEST", "MERCHANT_ACCOUNT_ERROR", "MERCHANT_RULE", "PAYMENT_METHOD_UNSUPPORTED", "PICK_UP_CARD",
  "PROCESSING_ERROR", "RETRY_DECLINED", "TRANSACTION_LIMIT_EXCEEDED", "RISKY",
] as const;

export const PENDING_REASONS = [
  "BUYER_ACTION_REQUIRED",
  "NETWORK_ACTION_REQUIRED",
  "PARTNER_ACTION_REQUIRED",
  "MERCHANT_ACTION_REQUIRED",
] as const;

export const FINAL_SESSION_REJECT_CODES = {
  refund: ["PROCESSING_ERROR"],
  capture: ["AUTHORIZATION_EXPIRED", "PROCESSING_ERROR"],
  void: ["PROCESSING_ERROR"],
} as const;

/** Shopify's wording for a resolve/reject/pending that arrives before our 2xx to the session request. */
export const PREMATURE_MESSAGE =
  "Payment session has already been resolved with a different authentication, has already been rejected, or the response to start_payment_session request has not been received.";

/**
 * The slice of the Admin GraphQL API the app reads (shopify.dev/docs/api/admin-graphql, QueryRoot
 * `shop: Shop!`; Shop's `name: String!` is the store's name, `myshopifyDomain: String!` its
 * permanent domain, `id: ID!`).
 */
export const ADMIN_SCHEMA: MiniSchema = {
  objects: {
    QueryRoot: { shop: "Shop!" },
    Shop: { id: "ID!", name: "String!", myshopifyDomain: "String!", email: "String!", currencyCode: "CurrencyCode!", ianaTimezone: "String!" },
  },
  unions: {},
};
