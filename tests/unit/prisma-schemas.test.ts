import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { derivePostgresSchema } from "../../prisma/derive-postgres-schema";

describe("the two Prisma schemas", () => {
  it("keep the committed PostgreSQL schema equal to the one derived from the SQLite source", () => {
    const derived = derivePostgresSchema(readFileSync("prisma/schema.prisma", "utf8"));
    expect(readFileSync("prisma/postgres/schema.prisma", "utf8")).toBe(derived);
  });

  it("have migrations for both providers that create every model", () => {
    const models = [...readFileSync("prisma/schema.prisma", "utf8").matchAll(/^model (\w+) \{/gm)].map((m) => m[1]!);
    for (const dir of ["prisma/migrations", "prisma/postgres/migrations"]) {
      const sql = readdirSync(dir)
        .filter((name) => /^\d{14}_/.test(name))
        .map((name) => readFileSync(`${dir}/${name}/migration.sql`, "utf8"))
        .join("\n");
      for (const model of models) expect(sql, `${dir}: ${model}`).toContain(`CREATE TABLE "${model}"`);
    }
  });
});
