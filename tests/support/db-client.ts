// A Prisma client on a test database (the generated client matches the run's provider), with the
// same SQLite adapter as the server (busy timeout on every connection, immediate transactions).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import { BusyTimeoutPrismaLibSQL } from "~/lib/sqlite-adapter.server";

const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

export function prismaFor(url: string): PrismaClient {
  const adapter = isPostgresUrl(url) ? new PrismaPg({ connectionString: url }) : new BusyTimeoutPrismaLibSQL({ url });
  return new PrismaClient({ adapter });
}

/** A client with the same SQLite settings as the server (WAL). */
export async function preparedPrismaFor(url: string): Promise<PrismaClient> {
  const client = prismaFor(url);
  if (!isPostgresUrl(url)) await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  return client;
}
