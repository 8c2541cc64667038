// npm run bench [-- --db sqlite|postgres] [--out file]: the benchmark of issue 8 on the BUILT
// server (npm run build first). npm run bench:smoke: the same phases with a few hundred requests.
// The database kind defaults to DATABASE_URL's; one install serves both (npm run generate).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_POSTGRES_ADMIN_URL, type DbKind } from "../bench/database";
import { markdownTable, type BenchResult } from "../bench/report";
import { FULL, runBench, runOutboxOnly, SMOKE } from "../bench/run";

const USAGE = `Usage: npm run bench [-- --db sqlite|postgres] [--smoke] [--only outbox [--outbox-count N]] [--out <file.json>] [--postgres-url <admin url>]
       npm run bench -- table <result.json>...   (the README table)`;

async function main() {
  const { values, positionals } = parseArgs({
    options: {
      db: { type: "string" },
      smoke: { type: "boolean", default: false },
      out: { type: "string" },
      "postgres-url": { type: "string" },
      only: { type: "string" },
      "outbox-count": { type: "string" },
      help: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.info(USAGE);
    return;
  }
  if (positionals[0] === "table") {
    // npm run bench -- table bench/results/a.json bench/results/b.json: the README table.
    const results = positionals.slice(1).map((file) => JSON.parse(readFileSync(file, "utf8")) as BenchResult);
    console.info(markdownTable(results));
    return;
  }
  const envUrl = process.env.DATABASE_URL ?? "";
  const isPgUrl = /^postgres(ql)?:\/\//i.test(envUrl);
  const db = (values.db ?? (isPgUrl ? "postgres" : "sqlite")) as DbKind;
  if (db !== "sqlite" && db !== "postgres") throw new Error(`--db must be sqlite or postgres\n${USAGE}`);
  const adminUrl = values["postgres-url"] ?? (isPgUrl ? envUrl : DEFAULT_POSTGRES_ADMIN_URL);
  // The CLI (prisma migrate) reads DATABASE_URL to pick the schema: point it at the right provider.
  if (db === "postgres") process.env.DATABASE_URL = adminUrl;
  else if (isPgUrl) delete process.env.DATABASE_URL;

  const options = { ...(values.smoke ? SMOKE : FULL), db, postgresAdminUrl: adminUrl, log: (line: string) => console.info(line) };
  if (values.only !== undefined) {
    // --only outbox: phase 3 alone (sessions through the simulator, queue, drain); nothing is written.
    if (values.only !== "outbox") throw new Error(`--only takes "outbox"\n${USAGE}`);
    const count = values["outbox-count"] ? Number(values["outbox-count"]) : options.outboxCount;
    if (!Number.isInteger(count) || count < 1) throw new Error(`--outbox-count must be a positive whole number\n${USAGE}`);
    const outbox = await runOutboxOnly({ ...options, outboxCount: count });
    console.info(`\n${JSON.stringify(outbox, null, 2)}`);
    return;
  }
  const result = await runBench(options);

  const out = values.out ?? (values.smoke ? null : path.join("bench", "results", `${result.date}-${db}.json`));
  if (out) {
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.info(`\nwrote ${out}`);
  }
  console.info(`\n${markdownTable([result])}\n`);
  for (const target of result.targets) console.info(`${target.met ? "met   " : "MISSED"} ${target.name}: ${target.value} (goal ${target.goal})`);
}

// Ctrl-C: exit through the "exit" handlers, which stop the servers the bench started.
process.once("SIGINT", () => process.exit(130));
process.once("SIGTERM", () => process.exit(143));

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
