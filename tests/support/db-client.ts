// A Prisma client on a test database (the client generated for its provider), with the
// same SQLite adapter as the server (busy timeout on every connection, immediate transactions).
import { PrismaPg } from "@prisma/adapter-pg";
import type { PrismaClient } from "@prisma/client";
import { isPostgresUrl, prismaClientFor } from "~/lib/prisma-client.server";
import { BusyTimeoutPrismaLibSQL } from "~/lib/sqlite-adapter.server";

export function prismaFor(url: string): PrismaClient {
  const adapter = isPostgresUrl(url) ? new PrismaPg({ connectionString: url }) : new BusyTimeoutPrismaLibSQL({ url });
  return prismaClientFor(url, adapter);
}

/** A client with the same SQLite settings as the server (WAL). */
export async function preparedPrismaFor(url: string): Promise<PrismaClient> {
  const client = prismaFor(url);
  if (!isPostgresUrl(url)) await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  return client;
}
