// prisma/postgres/schema.prisma is derived from prisma/schema.prisma (provider swapped).
// Used by prisma.config.ts and by the drift test, so the rule lives in one place.
export function derivePostgresSchema(sqliteSchema: string): string {
  const out = sqliteSchema.replace(/datasource\s+\w+\s*\{[^}]*\}/, (block) =>
    block
      .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
      .replace(/url\s*=\s*[^\n]+/, 'url      = env("DATABASE_URL")'),
  );
  if (!out.includes('provider = "postgresql"')) {
    throw new Error('prisma/schema.prisma: no datasource with provider = "sqlite"');
  }
  return `// GENERATED from ../schema.prisma by prisma.config.ts. Do not edit.\n${out}`;
}
