// A Prisma client on a test database (the generated client matches the run's provider).
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";

export function prismaFor(url: string): PrismaClient {
  const adapter = /^postgres(ql)?:\/\//i.test(url) ? new PrismaPg({ connectionString: url }) : new PrismaLibSQL({ url });
  return new PrismaClient({ adapter });
}

/** A client with the same SQLite settings as the server (WAL, busy timeout). */
export async function preparedPrismaFor(url: string): Promise<PrismaClient> {
  const client = prismaFor(url);
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    await client.$queryRawUnsafe("PRAGMA busy_timeout = 10000");
  }
  return client;
}
