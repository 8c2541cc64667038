// A Prisma client on a test database (the generated client matches the run's provider).
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";

export function prismaFor(url: string): PrismaClient {
  const adapter = /^postgres(ql)?:\/\//i.test(url) ? new PrismaPg({ connectionString: url }) : new PrismaLibSQL({ url });
  return new PrismaClient({ adapter });
}
