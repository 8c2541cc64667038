import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { isPostgresRun } from "../support/database";

function diff(args: string[], env: Record<string, string> = {}): string {
  return execFileSync("npx", ["prisma", "migrate", "diff", ...args, "--exit-code"], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
}

describe("migrations against the schema", () => {
  it("leave no drift between the SQLite migrations and prisma/schema.prisma", () => {
    const out = diff(["--from-migrations", "prisma/migrations", "--to-schema-datamodel", "prisma/schema.prisma"], {
      DATABASE_URL: "file:./prisma/drift-check.sqlite",
    });
    expect(out).toMatch(/No difference detected/);
  });

  it.runIf(isPostgresRun)("leave no drift between the PostgreSQL migrations and prisma/postgres/schema.prisma", () => {
    const out = diff([
      "--from-migrations",
      "prisma/postgres/migrations",
      "--to-schema-datamodel",
      "prisma/postgres/schema.prisma",
    ]);
    expect(out).toMatch(/No difference detected/);
  });
});
