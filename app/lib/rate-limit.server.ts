// A fixed-window counter in the database, so every server instance shares it: at most `limit` hits
// per `windowMs` from the window's first hit. Each step is one conditional statement, so two
// instances racing can never both take the last slot.
import type { PrismaClient } from "@prisma/client";

type Db = Pick<PrismaClient, "rateLimit">;

export type RateLimitResult = { allowed: true } | { allowed: false; retryAt: Date };

export async function takeRateLimit(db: Db, key: string, limit: number, windowMs: number, now: Date): Promise<RateLimitResult> {
  const windowOpen = new Date(now.getTime() - windowMs);
  for (let round = 0; round < 3; round += 1) {
    const counted = await db.rateLimit.updateMany({ where: { key, windowStart: { gt: windowOpen }, count: { lt: limit } }, data: { count: { increment: 1 } } });
    if (counted.count === 1) return { allowed: true };
    const restarted = await db.rateLimit.updateMany({ where: { key, windowStart: { lte: windowOpen } }, data: { windowStart: now, count: 1 } });
    if (restarted.count === 1) return { allowed: true };
    const current = await db.rateLimit.findUnique({ where: { key } });
    if (current) return { allowed: false, retryAt: new Date(current.windowStart.getTime() + windowMs) };
    try {
      await db.rateLimit.create({ data: { key, windowStart: now, count: 1 } });
      return { allowed: true };
    } catch {
      // Another instance created it first: count against its row.
    }
  }
  return { allowed: false, retryAt: new Date(now.getTime() + windowMs) };
}
