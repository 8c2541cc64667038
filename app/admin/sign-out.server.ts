// Signing out of an app's non-embedded admin deletes the sign-in on the server, so a copied
// cookie is worthless wherever it went.
import type { PrismaClient } from "@prisma/client";

export async function endAdminSession(db: Pick<PrismaClient, "adminSession">, adminSessionId: string): Promise<void> {
  await db.adminSession.deleteMany({ where: { id: adminSessionId } });
}
