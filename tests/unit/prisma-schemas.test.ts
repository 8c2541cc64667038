import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PaymentMethod } from "@prisma/client";
import { METHOD_HANDLES, type MethodHandle } from "~/payments/methods";
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

  it("store the method as the PaymentMethod enum, whose values are exactly the method handles", () => {
    // The same union at compile time (either one growing alone fails to typecheck), the same list at run time.
    type Same = [PaymentMethod] extends [MethodHandle] ? ([MethodHandle] extends [PaymentMethod] ? true : false) : false;
    const same: Same = true;
    expect(same).toBe(true);
    expect(Object.values(PaymentMethod)).toEqual([...METHOD_HANDLES]);
    const schema = readFileSync("prisma/schema.prisma", "utf8");
    expect(schema).not.toMatch(/^\s+method\s+String\b/m);
  });
});
