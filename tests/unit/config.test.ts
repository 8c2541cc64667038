import { describe, expect, it } from "vitest";
import { ConfigError, loadServerConfig } from "~/config.server";

describe("server configuration", () => {
  it("reads one credential pair per method from SHOPIFY_<M>_API_KEY and _API_SECRET", () => {
    const config = loadServerConfig({
      SHOPIFY_ATM_API_KEY: "k-atm",
      SHOPIFY_ATM_API_SECRET: "s-atm",
      SHOPIFY_CREDIT_API_KEY: "k-credit",
      SHOPIFY_CREDIT_API_SECRET: "s-credit",
    });
    expect(config.apps).toEqual({
      atm: { apiKey: "k-atm", apiSecretKey: "s-atm" },
      credit: { apiKey: "k-credit", apiSecretKey: "s-credit" },
    });
  });

  it("serves the method named by SHOPIFY_APP_METHOD with the CLI's plain key pair", () => {
    const config = loadServerConfig({ SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_METHOD: "atm" });
    expect(config.apps).toEqual({ atm: { apiKey: "k", apiSecretKey: "s" } });
    expect(loadServerConfig({ SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s" }).apps).toEqual({
      credit: { apiKey: "k", apiSecretKey: "s" },
    });
  });

  it("uses ECPay's real hosts unless told otherwise", () => {
    const config = loadServerConfig({});
    expect(config.ecpayStageOrigin).toBe("https://payment-stage.ecpay.com.tw");
    expect(config.ecpayProductionOrigin).toBe("https://payment.ecpay.com.tw");
    expect(config.paymentsApiOrigin).toBeNull();
  });

  it("names every invalid variable in one error", () => {
    const attempt = () =>
      loadServerConfig({ SHOPIFY_APP_URL: "not a url", SHOPIFY_APP_METHOD: "paypal", MTLS_VERIFIED_HEADER: "x-client-verify" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/SHOPIFY_APP_URL[\s\S]*SHOPIFY_APP_METHOD[\s\S]*MTLS_VERIFIED_HEADER/);
  });
});
