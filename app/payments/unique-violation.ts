// A unique-key violation: a retry or a race stored the row first. Prisma's client reports P2002;
// a raw query through Prisma P2010 with the driver adapter's error in meta; a Kysely statement on
// the adapter (app/lib/kysely-prisma.server.ts) the adapter's own DriverAdapterError.
type Fields = { code?: unknown; name?: unknown; cause?: { kind?: unknown }; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };

export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as Fields;
  if (e.code === "P2002") return true;
  if (e.name === "DriverAdapterError" && e.cause?.kind === "UniqueConstraintViolation") return true;
  return e.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation";
}
