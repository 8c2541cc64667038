// npm run config:generate [-- --url https://pay.example.tw]
// Writes shopify.app.toml, shopify.app.<method>.toml and extensions/<method>/shopify.extension.toml
// from the method registry. Client ids come from SHOPIFY_<M>_API_KEY when set, else placeholders.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_PUBLIC_URL, generatedConfigFiles } from "../app/shopify/app-config-files";
import { METHOD_HANDLES, methodEnvName, type MethodHandle } from "../app/payments/methods";

const { values } = parseArgs({ options: { url: { type: "string" } } });
const publicUrl = values.url ?? process.env.SHOPIFY_APP_URL ?? DEFAULT_PUBLIC_URL;
if (!/^https:\/\/[^/]+/.test(publicUrl)) {
  console.error(`--url must be the server's public https origin, got "${publicUrl}"`);
  process.exit(2);
}
const clientIds: Partial<Record<MethodHandle, string>> = {};
for (const method of METHOD_HANDLES) {
  const key = process.env[`SHOPIFY_${methodEnvName(method)}_API_KEY`];
  if (key) clientIds[method] = key;
}
for (const [file, contents] of generatedConfigFiles({ publicUrl, clientIds })) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, contents);
  console.info(`wrote ${file}`);
}
