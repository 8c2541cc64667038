// prisma/postgres/schema.prisma is derived from prisma/schema.prisma (provider swapped).
// Used by prisma.config.ts and by the drift test, so the rule lives in one place.
/** Where the PostgreSQL client is generated, relative to prisma/postgres/schema.prisma. */
export const POSTGRES_CLIENT_OUTPUT = "../../node_modules/.prisma/client-postgres";

export function derivePostgresSchema(sqliteSchema: string): string {
  const out = sqliteSchema.replace(/datasource\s+\w+\s*\{[^}]*\}/, (block) =>
    block
      .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
      .replace(/url\s*=\s*[^\n]+/, 'url      = env("DATABASE_URL")'),
  );
  // Its own client beside the SQLite one (@prisma/client), so one install serves both databases:
  // app/lib/prisma-client.server.ts picks the client by DATABASE_URL at run time.
  const withOutput = out.replace(/generator\s+client\s*\{[^}]*\}/, (block) =>
    block.replace(/\}$/, `  output     = "${POSTGRES_CLIENT_OUTPUT}"\n}`),
  );
  if (!withOutput.includes("output")) throw new Error("prisma/schema.prisma: no generator client block");
  if (!out.includes('provider = "postgresql"')) {
    throw new Error('prisma/schema.prisma: no datasource with provider = "sqlite"');
  }
  return `// GENERATED from ../schema.prisma by prisma.config.ts. Do not edit.\n${withOutput}`;
}
