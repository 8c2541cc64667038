// `ops doctor`: is this deployment able to take payments? Configuration, encryption key,
// database, migrations, clock drift against ECPay (its TimeStamp window is 3 minutes), backlog.
import { readdirSync } from "node:fs";
import path from "node:path";
import type { PrismaClient } from "@prisma/client";
import { loadServerConfig, loadTuning } from "../config.server";
import { createSecretBox } from "../lib/secrets.server";
import { operationalFigures } from "./figures.server";

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

async function check(name: string, run: () => Promise<string> | string): Promise<DoctorCheck> {
  try {
    return { name, ok: true, detail: await run() };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

export async function runDoctor(
  db: PrismaClient,
  options: { isPostgres: boolean; migrationsDir: string; fetch?: typeof fetch; env?: Record<string, string | undefined> },
): Promise<DoctorCheck[]> {
  const env = options.env ?? process.env;
  const doFetch = options.fetch ?? fetch;
  const checks: DoctorCheck[] = [];
  checks.push(
    await check("configuration", () => {
      const config = loadServerConfig(env);
      const apps = Object.keys(config.apps);
      if (apps.length === 0) throw new Error("no app credentials: set SHOPIFY_<METHOD>_API_KEY and _API_SECRET");
      return `public URL ${config.appUrl}; apps configured: ${apps.join(", ")}`;
    }),
  );
  checks.push(await check("encryption key", () => `key id ${createSecretBox(env).currentKeyId}`));
  checks.push(
    await check("database", async () => {
      await db.$queryRawUnsafe("SELECT 1");
      return options.isPostgres ? "PostgreSQL answers" : "SQLite answers";
    }),
  );
  checks.push(
    await check("migrations", async () => {
      const expected = readdirSync(options.migrationsDir).filter((d) => /^\d{14}_/.test(d)).sort();
      const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const applied = new Set(rows.map((r) => String(r.migration_name)));
      const missing = expected.filter((m) => !applied.has(m));
      if (missing.length > 0) throw new Error(`pending migrations: ${missing.join(", ")} (run npm run setup)`);
      return `${expected.length} applied`;
    }),
  );
  checks.push(
    await check("clock drift", async () => {
      const origin = loadServerConfig(env).ecpayProductionOrigin;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 5000);
      try {
        const started = Date.now();
        const response = await doFetch(origin, { method: "HEAD", signal: controller.signal });
        const date = response.headers.get("date");
        if (!date) throw new Error(`${origin} sent no Date header`);
        const drift = Math.round((Date.parse(date) - (started + Date.now()) / 2) / 1000);
        if (Math.abs(drift) > 60) throw new Error(`clock is ${drift}s off ECPay (${origin}); sync it (ECPay TimeStamp window is 3 min)`);
        return `${drift}s against ${origin}`;
      } catch (error) {
        if (error instanceof Error && error.message.includes("off ECPay")) throw error;
        throw new Error(`could not reach ${origin} to compare clocks: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  checks.push(
    await check("backlog", async () => {
      // The same figures /metrics serves (README "Operating"), so the two never disagree.
      // A bad RECONCILE_GRACE_MS is the configuration check's to report; the backlog uses the default then.
      let reconcileGraceMs = 600_000;
      try {
        reconcileGraceMs = loadTuning(env).reconcileGraceMs;
      } catch {
        /* reported above */
      }
      const f = await operationalFigures(db, new Date(), { reconcileGraceMs });
      const age = f.outboxPending > 0 ? `, oldest ${Math.round(f.outboxOldestAgeSeconds / 60)} min` : "";
      const summary =
        `${f.outboxPending} Shopify mutations pending${age}; ${f.operationsPending} captures/voids/refunds pending; ` +
        `${f.closesPending} card closes pending; ${f.attemptsAwaiting} ECPay attempts awaiting a result; reconciler lag ${f.reconcilerLagSeconds}s`;
      if (f.outboxFailed > 0) throw new Error(`${f.outboxFailed} Shopify mutations failed permanently; ${summary}`);
      if (f.outboxOldestAgeSeconds > 300) throw new Error(`the oldest undelivered Shopify mutation is ${Math.round(f.outboxOldestAgeSeconds / 60)} min old; ${summary}`);
      if (f.reconcilerLagSeconds > 1800) throw new Error(`the reconciler is ${Math.round(f.reconcilerLagSeconds / 60)} min behind; ${summary}`);
      return summary;
    }),
  );
  return checks;
}

export function defaultMigrationsDir(isPostgres: boolean): string {
  return path.join("prisma", ...(isPostgres ? ["postgres", "migrations"] : ["migrations"]));
}
