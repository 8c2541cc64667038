// Operator command line: npm run ops -- <command> [options]. Exit codes: 0 ok, 1 failed, 2 bad arguments.
import { parseArgs } from "node:util";
import { err } from "neverthrow";
import prisma, { isPostgres } from "../app/db.server";
import { createSecretBox, EncryptionKeyError } from "../app/lib/secrets.server";
import { defaultMigrationsDir, runDoctor } from "../app/ops/doctor.server";
import { exportCsvChunks, prepareShopExport } from "../app/admin/export.server";
import { shopLocale } from "../app/admin/shop-settings.server";
import { resolveLocale } from "../app/i18n";
import { ShopDomainSchema } from "../app/payments/ids";
import { seedShop, seedShopArgs } from "../app/ops/seed-shop.server";

const USAGE = `Usage: npm run ops -- <command> [options]

Commands:
  seed-shop --method <m> --shop <domain> --access-token <token>
            [--merchant-id <id> --hash-key <key> --hash-iv <iv>]
            [--stage-merchant-id <id> --stage-hash-key <key> --stage-hash-iv <iv>] [--credit-check-code <code>]
      Install a shop for a method without OAuth (offline session, installation, ECPay binding encrypted).
  doctor
      Check configuration, encryption key, database, migrations, clock drift and backlog.
  reconcile --once
      One reconciliation pass: query ECPay for attempts without a notification, expire overdue ATM
      accounts, deliver due Shopify mutations; prints what it settled.
  export --shop <domain> --from <yyyy-mm-dd> --to <yyyy-mm-dd> [--method <m>]... [--locale zh-TW|en]
      The shop's reconciliation CSV (ECPay "Shopify專用" columns plus authorized, captured, refunded
      and net; UTF-8 with BOM) of a Taiwan-time date range to stdout: every app the shop installed,
      or the --method ones; headers in the shop's admin language unless --locale says otherwise.
      The same file as the admin's download.
  rotate-keys
      Re-seal every stored secret (ECPay keys, Shopify tokens) with ENCRYPTION_KEY; the old key must
      be in ENCRYPTION_KEY_PREVIOUS. Drop the old key once this reports no failures.`;

function fail(message: string, code: 1 | 2): never {
  console.error(message);
  process.exit(code);
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  switch (command) {
    case "seed-shop": {
      let values: Record<string, string | boolean | undefined>;
      try {
        ({ values } = parseArgs({
          args: rest,
          strict: true,
          options: Object.fromEntries(
            [
              "method",
              "shop",
              "access-token",
              "merchant-id",
              "hash-key",
              "hash-iv",
              "stage-merchant-id",
              "stage-hash-key",
              "stage-hash-iv",
              "credit-check-code",
            ].map((name) => [name, { type: "string" as const }]),
          ),
        }));
      } catch (error) {
        fail(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`, 2);
      }
      const camel = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()), v]),
      );
      const parsed = seedShopArgs.safeParse(camel);
      if (!parsed.success) {
        const lines = parsed.error.issues.map((i) => `--${String(i.path[0] ?? "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`);
        fail(`${lines.join("\n")}\n\n${USAGE}`, 2);
      }
      let box;
      try {
        box = createSecretBox();
      } catch (error) {
        fail(error instanceof EncryptionKeyError ? error.message : String(error), 2);
      }
      const result = await seedShop(prisma, box, parsed.data);
      console.info(`seeded ${parsed.data.shop} for ${parsed.data.method}: session ${result.sessionId}${result.bindingId ? `, ECPay MerchantID ${parsed.data.merchantId}` : ", no ECPay binding"}`);
      return;
    }
    case "reconcile": {
      if (!rest.includes("--once") || rest.some((arg) => arg !== "--once")) fail(`reconcile takes exactly --once${rest.length ? ` (got ${rest.join(" ")})` : ""}\n\n${USAGE}`, 2);
      const { deps } = await import("../app/deps.server");
      const { describeReconcileReport, reconcileOnce } = await import("../app/jobs/reconciler.server");
      const { deliverDue } = await import("../app/jobs/outbox.server");
      const report = await reconcileOnce(deps(), { spacingMs: 250 });
      const delivered = await deliverDue(deps(), { limit: 100 });
      for (const line of describeReconcileReport(report)) console.info(line);
      console.info(`Shopify mutations delivered ${delivered.delivered}, retried ${delivered.retried}, failed ${delivered.failed}`);
      return;
    }
    case "rotate-keys": {
      if (rest.length > 0) fail(`rotate-keys takes no options (got ${rest.join(" ")})\n\n${USAGE}`, 2);
      let box;
      try {
        box = createSecretBox();
      } catch (error) {
        fail(error instanceof EncryptionKeyError ? error.message : String(error), 2);
      }
      const { rotateKeys } = await import("../app/ops/rotate-keys.server");
      const report = await rotateKeys(prisma, box);
      console.info(
        `re-sealed ${report.bindingFields} field(s) of ${report.bindings} ECPay binding(s) and ${report.tokens} token(s) of ${report.sessions} session(s) with key ${box.currentKeyId}`,
      );
      for (const failure of report.failures) console.error(`FAIL ${failure}`);
      if (report.failures.length > 0) process.exitCode = 1;
      return;
    }
    case "doctor": {
      if (rest.length > 0) fail(`doctor takes no options (got ${rest.join(" ")})\n\n${USAGE}`, 2);
      const checks = await runDoctor(prisma, { isPostgres, migrationsDir: defaultMigrationsDir(isPostgres) });
      for (const c of checks) console.info(`${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
      if (checks.some((c) => !c.ok)) process.exitCode = 1;
      return;
    }
    case "export": {
      let values: { shop?: string; from?: string; to?: string; locale?: string; method?: string[] };
      try {
        ({ values } = parseArgs({
          args: rest,
          strict: true,
          options: {
            ...Object.fromEntries(["shop", "from", "to", "locale"].map((name) => [name, { type: "string" as const }])),
            method: { type: "string" as const, multiple: true },
          },
        }) as { values: typeof values });
      } catch (error) {
        fail(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`, 2);
      }
      const shop = ShopDomainSchema.safeParse(values.shop ?? "");
      if (!shop.success) fail(`--shop: must be a permanent shop domain like example.myshopify.com\n\n${USAGE}`, 2);
      if (values.locale !== undefined && values.locale !== "zh-TW" && values.locale !== "en") fail(`--locale: must be zh-TW or en\n\n${USAGE}`, 2);
      // The store's name is asked of Shopify with the app's token; without the app's configuration
      // the file still comes out, with the name last stored (or the domain).
      const { deps } = await import("../app/deps.server");
      let exportDeps: Parameters<typeof prepareShopExport>[0];
      try {
        exportDeps = deps();
      } catch {
        exportDeps = { db: prisma, tokens: { offlineToken: async () => null }, shopAdmin: { shopName: async () => err("no app configuration") }, now: () => new Date() };
      }
      const locale = values.locale ? resolveLocale(values.locale) : resolveLocale(await shopLocale(prisma, shop.data));
      const prepared = await prepareShopExport(exportDeps, { shop: shop.data, locale, methods: values.method ?? [], from: values.from ?? "", to: values.to ?? "" });
      if (prepared.isErr()) fail(`${prepared.error.map((line) => `--${line.replace("=", " ")}`).join("\n")}\n\n${USAGE}`, 2);
      for await (const chunk of exportCsvChunks(prisma, prepared.value.args)) {
        // Respect backpressure so a large range never piles up in memory.
        if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once("drain", resolve));
      }
      return;
    }
    case undefined:
    case "help":
    case "--help":
      console.info(USAGE);
      return;
    default:
      fail(`Unknown command "${command}"\n\n${USAGE}`, 2);
  }
}

main(process.argv.slice(2))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  })
  .finally(() => prisma.$disconnect());
