// What the admin tells a merchant about testing, capture and refunds, read from the method
// registry's facts (stageTest, supportsAuthorization, refund, pending): routes ask here for the
// message keys and never branch on a method handle. Links into Shopify's admin go to the Shopify
// simulator when the server talks to one, so a sandbox never sends the merchant to the internet.
import type { ServerConfig } from "../config.server";
import type { MessageKey } from "../i18n";
import type { PaymentMethodDefinition, RefundRule } from "../payments/methods";

/** ECPay's real stage; any other stage origin is the ECPay emulator (sandbox, tests). */
const ECPAY_STAGE_ORIGIN = "https://payment-stage.ecpay.com.tw";

export type GuidanceConfig = Pick<ServerConfig, "ecpayStageOrigin" | "paymentsApiOrigin">;

/** Where the admin's "ECPay" is the emulator, and its trades page (it has no back office). */
export function ecpayEmulator(config: GuidanceConfig): { ordersUrl: string } | null {
  return config.ecpayStageOrigin === ECPAY_STAGE_ORIGIN ? null : { ordersUrl: `${config.ecpayStageOrigin}/_emulator/orders` };
}

export interface ShopifyAdminLinks {
  /** This app's page in Shopify's payments settings: activate, test mode (manual §2-1 step 4, §3-3). */
  paymentSettings: string;
  /** Shopify's payments settings with the payment capture choice (manual §3-2). */
  captureSettings: string;
}

/**
 * Shopify admin pages for this shop and app. With SHOPIFY_PAYMENTS_API_ORIGIN the server talks to
 * the Shopify simulator, whose admin (/admin/<shop>/settings) holds both the test mode and the
 * capture choice: the links go there instead of the real shop's admin.
 */
export function shopifyAdminLinks(config: GuidanceConfig, shop: string, apiKey: string): ShopifyAdminLinks {
  if (config.paymentsApiOrigin) {
    const settings = `${config.paymentsApiOrigin}/admin/${encodeURIComponent(shop)}/settings`;
    return { paymentSettings: settings, captureSettings: settings };
  }
  return {
    paymentSettings: `https://${shop}/services/payments_partners/gateways/${encodeURIComponent(apiKey)}/settings`,
    captureSettings: `https://${shop}/admin/settings/payments`,
  };
}

const REFUND_NOTES: Record<RefundRule, MessageKey> = {
  partial: "admin.settings.refund.partial",
  "full-only": "admin.settings.refund.fullOnly",
  "contact-buyer": "admin.settings.refund.contactBuyer",
  "opay-back-office": "admin.settings.refund.opay",
};

/** This method's refund rule in words (manual §6-3). */
export function refundNote(def: PaymentMethodDefinition): MessageKey {
  return REFUND_NOTES[def.refund];
}

/** Refunds go through ECPay's API (DoAction R): only then does a Shopify refund reach ECPay. */
function refundsOnline(def: PaymentMethodDefinition): boolean {
  return def.refund === "partial" || def.refund === "full-only";
}

/** Why there is nothing to capture: UnionPay closes at authorization, the others collect at payment. */
export function noCaptureNote(def: PaymentMethodDefinition): MessageKey | null {
  if (def.supportsAuthorization) return null;
  return def.cardTrade ? "admin.guide.capture.closedAtAuthorization" : "admin.guide.capture.collectedAtPayment";
}

export interface TestGuidance {
  /** False where ECPay's stage does not offer the method: nothing of the payment can be tried. */
  testable: boolean;
  /** What can and cannot be tried in test mode, when not testable. */
  unavailable: MessageKey | null;
  /** How the test payment gets paid, on ECPay's stage or on the emulator. */
  pay: MessageKey | null;
  /** The stage test card applies (card methods on stage). */
  testCard: boolean;
  /** What capture, void and refund do with a test payment of this method. */
  operations: MessageKey[];
}

export function testGuidance(def: PaymentMethodDefinition, emulated: boolean): TestGuidance {
  const operations: MessageKey[] = [];
  if (def.stageTest !== "unavailable") {
    if (def.supportsAuthorization) operations.push("admin.testMode.operationsNote");
    else {
      operations.push(noCaptureNote(def)!);
      operations.push(refundsOnline(def) ? "admin.guide.test.refundSimulated" : "admin.guide.test.refundRefused");
    }
  }
  switch (def.stageTest) {
    case "unavailable":
      return { testable: false, unavailable: "admin.guide.test.unavailable", pay: null, testCard: false, operations };
    case "test-card":
      return { testable: true, unavailable: null, pay: emulated ? "admin.guide.test.payCardEmulator" : "admin.guide.test.payCard", testCard: true, operations };
    case "simulated-payment": {
      const pay: MessageKey = emulated
        ? def.pending
          ? "admin.guide.test.payTransferEmulator"
          : "admin.guide.test.payButtonEmulator"
        : def.pending
          ? "admin.guide.test.payTransferStage"
          : "admin.guide.test.paySimulatedStage";
      return { testable: true, unavailable: null, pay, testCard: false, operations };
    }
  }
}

/** The setup guide's "try a test payment" step, in this method's terms (UnionPay has none: setupSteps). */
export function setupTestBody(def: PaymentMethodDefinition): MessageKey {
  switch (def.stageTest) {
    case "unavailable":
      return "admin.guide.test.unavailable";
    case "test-card":
      return "admin.setup.test.body";
    case "simulated-payment":
      return def.pending ? "admin.guide.setup.testTransfer" : "admin.guide.setup.testSimulated";
  }
}

/** The help page's capture and cancel lines for this method (manual §6-3); the refund rule is shown next to them. */
export function operationsHelp(def: PaymentMethodDefinition): MessageKey[] {
  const capture: MessageKey = def.supportsAuthorization ? "admin.help.capture" : noCaptureNote(def)!;
  return refundsOnline(def) ? [capture, "admin.help.refund", "admin.help.cancel"] : [capture, "admin.guide.help.cancelOffline"];
}
