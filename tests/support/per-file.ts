// What a test file sets up once and tears down after its last test, so each file states only
// what it tests: its own database (cloned from the run's template), or its own payment stack
// (built server, ECPay emulator, Shopify simulator) with a signed-in merchant admin client.
// Filled in by beforeAll: read the fields inside tests and hooks, not at import time.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { adminClient } from "./admin-session";
import { cloneDatabase, type TestDatabase } from "./database";
import { preparedPrismaFor } from "./db-client";
import { SHOP, startPaymentStack, type PaymentStack } from "./payment-stack";

export interface FileDatabase {
  db: TestDatabase;
  prisma: PrismaClient;
}

export function databasePerFile(): FileDatabase {
  const file = {} as FileDatabase;
  beforeAll(async () => {
    file.db = await cloneDatabase(inject("templateDatabaseUrl"));
    file.prisma = await preparedPrismaFor(file.db.url);
  });
  afterAll(async () => {
    await file.prisma?.$disconnect();
    await file.db?.drop();
  });
  return file;
}

export interface FileAdminStack {
  stack: PaymentStack;
  admin: ReturnType<typeof adminClient>;
  /** An admin page of SHOP, signed in to `method`'s app; it must answer 200. */
  page(path: string, method: string, headers?: Record<string, string>): Promise<string>;
}

export function adminStackPerFile(): FileAdminStack {
  const file = {
    async page(path: string, method: string, headers: Record<string, string> = {}) {
      const response = await file.admin.get(path, method, SHOP, headers);
      expect(response.status).toBe(200);
      return response.text();
    },
  } as FileAdminStack;
  beforeAll(async () => {
    file.stack = await startPaymentStack(inject("templateDatabaseUrl"));
    file.admin = adminClient(file.stack.server.origin, file.stack.prisma);
  });
  afterAll(async () => {
    await file.stack?.close();
  });
  return file;
}
