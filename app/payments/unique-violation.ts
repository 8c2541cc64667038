// Prisma's unique-key violation (P2002): a retry or a race stored the row first.
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}
