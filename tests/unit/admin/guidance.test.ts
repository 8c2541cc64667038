import { describe, expect, it } from "vitest";
import { ecpayEmulator, noCaptureNote, operationsHelp, refundNote, setupTestBody, shopifyAdminLinks, testGuidance } from "~/admin/guidance";
import { setupSteps } from "~/admin/overview.server";
import { t } from "~/i18n";
import { METHOD_HANDLES, PAYMENT_METHODS } from "~/payments/methods";

const SHOP = "guide-shop.myshopify.com";

describe("method-aware guidance from the registry", () => {
  it("offers the stage test card only to the card methods stage approves, and no test at all where stage lacks the method", () => {
    const table = Object.fromEntries(METHOD_HANDLES.map((m) => [m, testGuidance(PAYMENT_METHODS[m], false)]));
    expect(METHOD_HANDLES.filter((m) => table[m]!.testCard)).toEqual(["credit", "installments", "redeem"]);
    expect(METHOD_HANDLES.filter((m) => !table[m]!.testable)).toEqual(["unionpay"]);
    expect(table.unionpay!.pay).toBeNull();
    expect(table.atm!.pay).toBe("admin.guide.test.payTransferStage");
    expect(testGuidance(PAYMENT_METHODS.atm, true).pay).toBe("admin.guide.test.payTransferEmulator");
    expect(testGuidance(PAYMENT_METHODS.twqr, true).pay).toBe("admin.guide.test.payButtonEmulator");
  });

  it("tells only the methods with authorization about capture, and every other method why it has none", () => {
    for (const m of METHOD_HANDLES) {
      const def = PAYMENT_METHODS[m];
      expect(noCaptureNote(def) === null, m).toBe(def.supportsAuthorization);
      expect(setupSteps(def).includes("capture"), m).toBe(def.supportsAuthorization);
      expect(operationsHelp(def).includes("admin.help.capture"), m).toBe(def.supportsAuthorization);
      expect(testGuidance(def, false).operations.includes("admin.testMode.operationsNote"), m).toBe(def.supportsAuthorization);
    }
    expect(noCaptureNote(PAYMENT_METHODS.unionpay)).toBe("admin.guide.capture.closedAtAuthorization");
    expect(noCaptureNote(PAYMENT_METHODS.atm)).toBe("admin.guide.capture.collectedAtPayment");
  });

  it("words each refund rule, and says a test refund is refused where ECPay has no online refund", () => {
    expect(t("zh-TW", refundNote(PAYMENT_METHODS.atm))).toContain("無法線上退款");
    expect(t("en", refundNote(PAYMENT_METHODS.wechatpay))).toContain("OPay merchant back office");
    expect(testGuidance(PAYMENT_METHODS.webatm, false).operations).toContain("admin.guide.test.refundRefused");
    expect(operationsHelp(PAYMENT_METHODS.twqr)).toContain("admin.guide.help.cancelOffline");
    expect(setupTestBody(PAYMENT_METHODS.atm)).toBe("admin.guide.setup.testTransfer");
    expect(setupTestBody(PAYMENT_METHODS.credit)).toBe("admin.setup.test.body");
  });

  it("links to the Shopify simulator's admin when the server talks to it, else to the shop's own admin", () => {
    const real = { ecpayStageOrigin: "https://payment-stage.ecpay.com.tw", paymentsApiOrigin: null };
    expect(shopifyAdminLinks(real, SHOP, "key 1").paymentSettings).toBe(`https://${SHOP}/services/payments_partners/gateways/key%201/settings`);
    expect(ecpayEmulator(real)).toBeNull();
    const sandbox = { ecpayStageOrigin: "http://127.0.0.1:4010", paymentsApiOrigin: "http://127.0.0.1:4020" };
    expect(shopifyAdminLinks(sandbox, SHOP, "key")).toEqual({
      paymentSettings: `http://127.0.0.1:4020/admin/${SHOP}/settings`,
      captureSettings: `http://127.0.0.1:4020/admin/${SHOP}/settings`,
    });
    expect(ecpayEmulator(sandbox)).toEqual({ ordersUrl: "http://127.0.0.1:4010/_emulator/orders" });
  });
});
