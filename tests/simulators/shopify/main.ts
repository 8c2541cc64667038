// Standalone Shopify simulator for the sandbox and manual testing:
//   npx tsx tests/simulators/shopify/main.ts --app-origin http://127.0.0.1:3000 --port 4100
// Installs every method app on one shop and prints the shop, tokens and URLs as JSON on stdout,
// so a launcher can seed the same tokens into our server (npm run ops -- seed-shop ...).
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { METHOD_HANDLES, type MethodHandle } from "../../../app/payments/methods";
import { startShopifySimulator } from "./index";

const { values } = parseArgs({
  options: {
    "app-origin": { type: "string", default: process.env.SHOPIFY_APP_URL ?? "http://127.0.0.1:3000" },
    port: { type: "string", default: process.env.SHOPIFY_SIMULATOR_PORT ?? "0" },
    host: { type: "string", default: "127.0.0.1" },
    shop: { type: "string", default: "ecpay-sandbox.myshopify.com" },
    "api-version": { type: "string", default: "2026-07" },
    "token-prefix": { type: "string" },
    manual: { type: "boolean", default: false },
    live: { type: "boolean", default: false },
  },
});

const prefix = values["token-prefix"] ?? `shpat_sim_${randomBytes(6).toString("hex")}`;
const tokens = Object.fromEntries(METHOD_HANDLES.map((m) => [m, `${prefix}_${m}`])) as Record<MethodHandle, string>;

const simulator = await startShopifySimulator({
  appOrigin: values["app-origin"]!,
  port: Number(values.port),
  host: values.host,
  apiVersion: values["api-version"],
});
simulator.addShop(values.shop!, tokens, { captureMode: values.manual ? "manual" : "automatic", test: !values.live });

console.info(
  JSON.stringify(
    {
      origin: simulator.origin,
      paymentsApiOrigin: simulator.paymentsApiOrigin,
      shop: values.shop,
      tokens,
      storeUrl: simulator.storeUrl(values.shop!),
      adminUrl: simulator.adminUrl(values.shop!),
    },
    null,
    2,
  ),
);

const stop = () => {
  simulator.close().finally(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
