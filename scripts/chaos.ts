// npm run chaos -- [--checkouts N] [--db sqlite|postgres] [--seed S] [--out DIR]
// N checkouts under kill -9, lost/duplicated/reordered ECPay notifications, failing Shopify and a
// flaky database; checks the invariants and writes chaos/results/<date>-<db>.json. Needs the
// built server (npm run build). PostgreSQL: DATABASE_URL=postgresql://… (the server to create the
// run's database on); one install serves both databases.
import { parseArgs } from "node:util";

const USAGE = "Usage: npm run chaos -- [--checkouts N] [--db sqlite|postgres] [--seed S] [--instances K] [--concurrency C] [--out DIR]";

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      strict: true,
      options: {
        checkouts: { type: "string", default: "1000" },
        db: { type: "string", default: "sqlite" },
        seed: { type: "string" },
        instances: { type: "string" },
        concurrency: { type: "string" },
        out: { type: "string", default: "chaos/results" },
      },
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
})();

const checkouts = Number(values.checkouts);
if (!Number.isInteger(checkouts) || checkouts < 1) fail("--checkouts must be a positive integer");
if (values.db !== "sqlite" && values.db !== "postgres") fail("--db must be sqlite or postgres");
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isInteger(seed)) fail("--seed must be an integer");

const postgresUrl = /^postgres(ql)?:\/\//i;
if (values.db === "postgres") {
  process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";
  if (!postgresUrl.test(process.env.DATABASE_URL)) fail("--db postgres needs DATABASE_URL=postgresql://… (the server to create the run's database on)");
} else if (postgresUrl.test(process.env.DATABASE_URL ?? "")) {
  delete process.env.DATABASE_URL;
}
const { createTemplateDatabase, dropTemplateDatabase } = await import("../tests/support/database");
const { runChaos, summarize, writeReport } = await import("../tests/chaos/run-chaos");

const template = await createTemplateDatabase();
try {
  const report = await runChaos({
    checkouts,
    seed,
    templateUrl: template,
    ...(values.instances ? { instances: Number(values.instances) } : {}),
    ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
    log: (line) => console.info(line),
    ...(process.env.CHAOS_DEBUG_DIR ? { debugDir: process.env.CHAOS_DEBUG_DIR } : {}),
  });
  console.info(summarize(report));
  const file = writeReport(report, values.out!, `${report.startedAt.slice(0, 10)}-${report.database}.json`);
  console.info(`report: ${file}`);
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await dropTemplateDatabase(template);
}
