// npm run fuzz -- [--requests N] [--seed S] [--out DIR]
// N generated malformed/oversized/unicode-heavy requests to every endpoint of the built server
// (npm run build first): no 5xx, no hang, no row changed. Writes chaos/results/<date>-fuzz-<db>.json
// (DATABASE_URL=postgresql://… and a PostgreSQL Prisma client run it on PostgreSQL).
import { parseArgs } from "node:util";

const USAGE = "Usage: npm run fuzz -- [--requests N] [--seed S] [--out DIR]";
const { values } = (() => {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      strict: true,
      options: { requests: { type: "string", default: "10000" }, seed: { type: "string" }, out: { type: "string", default: "chaos/results" } },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
})();
const requests = Number(values.requests);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isInteger(requests) || requests < 1 || !Number.isInteger(seed)) {
  console.error(`--requests and --seed must be integers\n${USAGE}`);
  process.exit(2);
}

const { createTemplateDatabase, dropTemplateDatabase } = await import("../tests/support/database");
const { startPaymentStack } = await import("../tests/support/payment-stack");
const { fuzzPaymentStack } = await import("../tests/chaos/fuzz-stack");
const { summarizeFuzz } = await import("../tests/chaos/fuzz");
const { writeReport } = await import("../tests/chaos/run-chaos");

const template = await createTemplateDatabase();
try {
  const stack = await startPaymentStack(template);
  try {
    const report = await fuzzPaymentStack(stack, { requests, seed, log: (line) => console.info(line) });
    console.info(summarizeFuzz(report));
    const database = /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? "") ? "postgres" : "sqlite";
    console.info(`report: ${writeReport(report, values.out!, `${report.startedAt.slice(0, 10)}-fuzz-${database}.json`)}`);
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await stack.close();
  }
} finally {
  await dropTemplateDatabase(template);
}
