// Which failures are a database outage (answered 503 + Retry-After) and which are defects (500).
import { Prisma } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, reportDatabaseUnavailable } from "~/lib/database-unavailable.server";

/** The shape Prisma 6's driver adapters give a PostgreSQL error (seen when the server terminated a connection). */
function adapterError(cause: Record<string, unknown>, code = "P2010") {
  return new Prisma.PrismaClientKnownRequestError("Raw query failed.", {
    code,
    clientVersion: Prisma.prismaVersion.client,
    meta: { driverAdapterError: { name: "DriverAdapterError", cause } },
  });
}

describe("isDatabaseUnavailable", () => {
  it.each([
    ["a connection terminated by the server (57P01)", adapterError({ kind: "postgres", originalCode: "57P01", originalMessage: "terminating connection due to administrator command" })],
    ["a deadlock (40P01)", adapterError({ kind: "postgres", originalCode: "40P01", originalMessage: "deadlock detected" })],
    ["a connection refused (08006)", adapterError({ kind: "postgres", originalCode: "08006", originalMessage: "connection failure" })],
    ["pg's own lost connection", new Error("Connection terminated unexpectedly")],
    ["a refused TCP connection as a cause", new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:5432") })],
    ["SQLite busy past the busy timeout", adapterError({ kind: "sqlite", extendedCode: 5, message: "SQLITE_BUSY: database is locked" })],
    ["Prisma's operation timeout (P1008)", new Prisma.PrismaClientKnownRequestError("Operation has timed out", { code: "P1008", clientVersion: "6" })],
    ["Prisma's pool timeout (P2024)", new Prisma.PrismaClientKnownRequestError("Timed out fetching a new connection", { code: "P2024", clientVersion: "6" })],
    ["Prisma failing to start", new Prisma.PrismaClientInitializationError("Can't reach database server at 127.0.0.1:5432", "6")],
  ])("is true for %s", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ["a unique violation (P2002)", new Prisma.PrismaClientKnownRequestError("Unique constraint failed", { code: "P2002", clientVersion: "6" })],
    ["a PostgreSQL unique violation (23505)", adapterError({ kind: "postgres", originalCode: "23505", originalMessage: "duplicate key value violates unique constraint" })],
    ["a record not found (P2025)", new Prisma.PrismaClientKnownRequestError("Record to update not found.", { code: "P2025", clientVersion: "6" })],
    ["a programming error", new TypeError("Cannot read properties of undefined (reading 'id')")],
    ["a thrown string", "boom"],
    ["nothing", undefined],
  ])("is false for %s", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("terminates on an error whose cause points back at itself", () => {
    const error = new Error("loop") as Error & { cause?: unknown };
    error.cause = error;
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe("reportDatabaseUnavailable", () => {
  it("calls the load context's reporter, and ignores a context without one", () => {
    let marked = 0;
    reportDatabaseUnavailable({ markDatabaseUnavailable: () => marked++ });
    reportDatabaseUnavailable({});
    reportDatabaseUnavailable(undefined);
    expect(marked).toBe(1);
  });
});
