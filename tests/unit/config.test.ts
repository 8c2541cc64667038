import { describe, expect, it } from "vitest";
import { ConfigError, loadServerConfig, loadTuning } from "~/config.server";

describe("server configuration", () => {
  it("reads one credential pair per method from SHOPIFY_<M>_API_KEY and _API_SECRET", () => {
    const config = loadServerConfig({
      SHOPIFY_ATM_API_KEY: "k-atm",
      SHOPIFY_ATM_API_SECRET: "s-atm",
      SHOPIFY_CREDIT_API_KEY: "k-credit",
      SHOPIFY_CREDIT_API_SECRET: "s-credit",
    });
    expect(config.apps).toEqual({
      atm: { apiKey: "k-atm", apiSecretKey: "s-atm", embedded: false },
      credit: { apiKey: "k-credit", apiSecretKey: "s-credit", embedded: false },
    });
  });

  it("serves the method named by SHOPIFY_APP_METHOD with the CLI's plain key pair", () => {
    const config = loadServerConfig({ SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_METHOD: "atm" });
    expect(config.apps).toEqual({ atm: { apiKey: "k", apiSecretKey: "s", embedded: false } });
    expect(loadServerConfig({ SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s" }).apps).toEqual({
      credit: { apiKey: "k", apiSecretKey: "s", embedded: false },
    });
  });

  it("keeps each app's admin non-embedded unless SHOPIFY_<M>_EMBEDDED or SHOPIFY_EMBEDDED says true", () => {
    const keys = { SHOPIFY_ATM_API_KEY: "k", SHOPIFY_ATM_API_SECRET: "s", SHOPIFY_CREDIT_API_KEY: "k", SHOPIFY_CREDIT_API_SECRET: "s" };
    const embedded = (env: Record<string, string>) => {
      const apps = loadServerConfig({ ...keys, ...env }).apps;
      return { atm: apps.atm?.embedded, credit: apps.credit?.embedded };
    };
    expect(embedded({})).toEqual({ atm: false, credit: false });
    expect(embedded({ SHOPIFY_ATM_EMBEDDED: "true" })).toEqual({ atm: true, credit: false });
    expect(embedded({ SHOPIFY_EMBEDDED: "true" })).toEqual({ atm: true, credit: true });
    expect(embedded({ SHOPIFY_EMBEDDED: "true", SHOPIFY_CREDIT_EMBEDDED: "false" })).toEqual({ atm: true, credit: false });
    expect(loadServerConfig({ SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_METHOD: "atm", SHOPIFY_EMBEDDED: "true" }).apps.atm?.embedded).toBe(true);
    expect(() => loadServerConfig({ ...keys, SHOPIFY_ATM_EMBEDDED: "yes" })).toThrow(/SHOPIFY_ATM_EMBEDDED must be true or false/);
  });

  it("ends admin sign-ins after 30 idle minutes and 12 hours unless ADMIN_SESSION_IDLE_SECONDS / _MAX_SECONDS say otherwise, and refuses nonsense", () => {
    expect(loadServerConfig({}).adminSession).toEqual({ idleMs: 30 * 60_000, maxMs: 12 * 3600_000 });
    expect(loadServerConfig({ ADMIN_SESSION_IDLE_SECONDS: "5", ADMIN_SESSION_MAX_SECONDS: "60" }).adminSession).toEqual({ idleMs: 5000, maxMs: 60_000 });
    for (const bad of ["0", "-1", "1.5", "ten", "9999999"]) {
      expect(() => loadServerConfig({ ADMIN_SESSION_IDLE_SECONDS: bad }), bad).toThrow(ConfigError);
    }
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

  it("refuses to start in production without the mTLS terminator's header unless told there is none", () => {
    expect(() => loadServerConfig({ NODE_ENV: "production" })).toThrow(/MTLS_VERIFIED_HEADER and MTLS_VERIFIED_VALUE must be set in production/);
    expect(loadServerConfig({ NODE_ENV: "production", MTLS_VERIFIED_HEADER: "none" }).mtlsHeader).toBeNull();
    expect(loadServerConfig({ NODE_ENV: "production", MTLS_VERIFIED_HEADER: "X-Client-Verify", MTLS_VERIFIED_VALUE: "SUCCESS" }).mtlsHeader).toEqual({
      name: "x-client-verify",
      value: "SUCCESS",
    });
    expect(() => loadServerConfig({ MTLS_VERIFIED_HEADER: "none", MTLS_VERIFIED_VALUE: "SUCCESS" })).toThrow(/must not be set when MTLS_VERIFIED_HEADER=none/);
    expect(() => loadServerConfig({ MTLS_VERIFIED_HEADER: "X Client", MTLS_VERIFIED_VALUE: "SUCCESS" })).toThrow(/HTTP header name/);
  });

  it("uses the production timings and sizes unless WORKER_TICK_MS and the other tuning variables say otherwise", () => {
    expect(loadTuning({})).toEqual({
      workerTickMs: 1_000,
      reconcileIntervalMs: 30_000,
      reconcileGraceMs: 600_000,
      reconcileRateLimitPauseMs: 1_800_000,
      shopifyApiTimeoutMs: 10_000,
      outboxBackoffBaseMs: 2_000,
      databasePoolSize: 10,
      outboxBatchSize: 100,
      outboxConcurrencyPerToken: 8,
      outboxConcurrencyPerShop: 16,
    });
    const tuned = loadTuning({ WORKER_TICK_MS: "150", RECONCILE_GRACE_MS: "0", DATABASE_POOL_SIZE: "5", OUTBOX_BACKOFF_BASE_MS: "" });
    expect(tuned).toMatchObject({ workerTickMs: 150, reconcileGraceMs: 0, databasePoolSize: 5, outboxBackoffBaseMs: 2_000 });
    expect(loadServerConfig({ SHOPIFY_API_TIMEOUT_MS: "2000" }).tuning.shopifyApiTimeoutMs).toBe(2_000);
  });

  it("refuses a tuning value that is not a positive whole number and names its variable", () => {
    for (const [name, bad] of [
      ["WORKER_TICK_MS", "0"],
      ["RECONCILE_INTERVAL_MS", "fast"],
      ["RECONCILE_RATE_LIMIT_PAUSE_MS", "-5"],
      ["SHOPIFY_API_TIMEOUT_MS", "2.5"],
      ["OUTBOX_BACKOFF_BASE_MS", "1e400"],
      ["DATABASE_POOL_SIZE", "ten"],
      ["OUTBOX_CONCURRENCY_PER_TOKEN", "0"],
      ["OUTBOX_CONCURRENCY_PER_SHOP", "1.5"],
      ["OUTBOX_BATCH_SIZE", "many"],
      ["RECONCILE_GRACE_MS", "-1"],
    ] as const) {
      expect(() => loadTuning({ [name]: bad }), name).toThrow(ConfigError);
      expect(() => loadTuning({ [name]: bad }), name).toThrow(new RegExp(`${name} must be a (positive|non-negative) whole number \\(got "${bad}"\\)`));
      // The server's start check reports it too, with its other problems.
      expect(() => loadServerConfig({ [name]: bad, SHOPIFY_APP_URL: "nope" }), name).toThrow(new RegExp(`SHOPIFY_APP_URL[\\s\\S]*${name}`));
    }
  });
});
