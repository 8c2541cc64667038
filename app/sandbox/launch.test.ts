import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  SandboxConfigError,
  buildIsStale,
  portFrom,
  prismaClientsGenerated,
  readStoreSnapshot,
  sandboxDatabase,
  sandboxEcpayFile,
  sandboxEncryptionKey,
  sandboxStoreFile,
  writeStoreSnapshot,
} from "./launch";

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "sandbox-launch-"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(relative: string, content = "", mtimeSeconds?: number) {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  if (mtimeSeconds !== undefined) utimesSync(file, mtimeSeconds, mtimeSeconds);
}

describe("sandboxDatabase", () => {
  it("defaults to prisma/dev.sqlite under the project root", () => {
    expect(sandboxDatabase({}, root)).toEqual({
      url: `file:${path.join(root, "prisma/dev.sqlite")}`,
      file: path.join(root, "prisma/dev.sqlite"),
    });
  });

  it("takes SANDBOX_DATABASE_URL, absolute or file:// style", () => {
    expect(sandboxDatabase({ SANDBOX_DATABASE_URL: "file:/tmp/x/s.sqlite" }, root).file).toBe("/tmp/x/s.sqlite");
    expect(sandboxDatabase({ SANDBOX_DATABASE_URL: "file:///tmp/y.sqlite" }, root).file).toBe("/tmp/y.sqlite");
  });

  it("refuses anything but a SQLite file (the sandbox never touches PostgreSQL)", () => {
    expect(() => sandboxDatabase({ SANDBOX_DATABASE_URL: "postgresql://postgres@127.0.0.1/test" }, root)).toThrow(SandboxConfigError);
  });
});

describe("buildIsStale", () => {
  // Directories count too (a deleted source changes its folder), and they are created "now".
  const now = Math.floor(Date.now() / 1000);
  const built = (seconds: number) => {
    write("build/server.js", "", seconds);
    write("build/server/index.js", "", seconds);
  };

  it("is stale when there is no build", () => {
    write("app/root.tsx", "", now - 100);
    expect(buildIsStale(root)).toBe(true);
  });

  it("is fresh when the build is newer than every source", () => {
    write("app/routes/a.tsx", "", now - 100);
    write("server.ts", "", now - 100);
    built(now + 100);
    expect(buildIsStale(root)).toBe(false);
  });

  it("is stale when a source under app/ changed after the build", () => {
    write("app/routes/a.tsx", "", now + 200);
    built(now + 100);
    expect(buildIsStale(root)).toBe(true);
  });

  it("ignores test files, which are not part of the build", () => {
    write("app/routes/a.tsx", "", now - 100);
    built(now + 100);
    write("app/lib/x.test.ts", "", now + 200);
    expect(buildIsStale(root)).toBe(false);
  });
});

describe("prismaClientsGenerated", () => {
  const schema = (provider: string) => `generator client {\n  provider = "prisma-client-js"\n}\ndatasource db {\n  provider = "${provider}"\n}\n`;

  it("is false when no client was generated", () => {
    expect(prismaClientsGenerated(root)).toBe(false);
  });

  it("is true only when the SQLite client and the PostgreSQL client beside it are both there", () => {
    write("node_modules/.prisma/client/schema.prisma", schema("sqlite"));
    expect(prismaClientsGenerated(root)).toBe(false);
    write("node_modules/.prisma/client-postgres/schema.prisma", schema("postgresql"));
    expect(prismaClientsGenerated(root)).toBe(true);
    write("node_modules/.prisma/client/schema.prisma", schema("postgresql"));
    expect(prismaClientsGenerated(root)).toBe(false);
  });
});

describe("sandboxEncryptionKey", () => {
  it("keeps a key next to the database so the next run opens what this one sealed", () => {
    const database = path.join(root, "prisma", "dev.sqlite");
    const first = sandboxEncryptionKey({}, database);
    expect(Buffer.from(first, "base64")).toHaveLength(32);
    expect(readFileSync(`${database}.key`, "utf8").trim()).toBe(first);
    expect(sandboxEncryptionKey({}, database)).toBe(first);
  });

  it("uses ENCRYPTION_KEY when it is set", () => {
    expect(sandboxEncryptionKey({ ENCRYPTION_KEY: "given" }, path.join(root, "db.sqlite"))).toBe("given");
  });
});

describe("portFrom", () => {
  it("reads a port, falling back when unset", () => {
    expect(portFrom({ PORT: "4123" }, "PORT", 3000)).toBe(4123);
    expect(portFrom({}, "PORT", 3000)).toBe(3000);
  });

  it("rejects what is not a port", () => {
    expect(() => portFrom({ PORT: "http" }, "PORT", 3000)).toThrow(/PORT must be a port number/);
    expect(() => portFrom({ PORT: "70000" }, "PORT", 3000)).toThrow(SandboxConfigError);
  });
});

describe("the store snapshot", () => {
  it("is kept next to the database and read back as written", () => {
    const file = sandboxStoreFile(path.join(root, "dev.sqlite"));
    expect(file).toBe(path.join(root, "dev.sqlite.store.json"));
    expect(readStoreSnapshot(file)).toBeNull();
    writeStoreSnapshot(file, { version: 1, orders: [{ id: "5000001001" }] });
    expect(readStoreSnapshot(file)).toEqual({ version: 1, orders: [{ id: "5000001001" }] });
  });

  it("keeps each ECPay emulator's trades in a file of its own next to the database", () => {
    const database = path.join(root, "dev.sqlite");
    expect(sandboxEcpayFile(database, "stage")).toBe(path.join(root, "dev.sqlite.ecpay-stage.json"));
    expect(sandboxEcpayFile(database, "production")).toBe(path.join(root, "dev.sqlite.ecpay-production.json"));
  });

  it("refuses a damaged snapshot with a message saying how to start over", () => {
    write("dev.sqlite.store.json", "{not json");
    expect(() => readStoreSnapshot(path.join(root, "dev.sqlite.store.json"))).toThrow(SandboxConfigError);
    expect(() => readStoreSnapshot(path.join(root, "dev.sqlite.store.json"))).toThrow(/delete it/);
  });
});
