// Pure helpers of the sandbox launcher (scripts/sandbox.ts): which SQLite file, whether the server
// build is stale, whether the generated Prisma client is the SQLite one, the encryption key, and
// the files that keep the simulated Shopify's orders and the ECPay emulators' trades across restarts.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

export const DEFAULT_SANDBOX_DATABASE_URL = "file:./prisma/dev.sqlite";

export class SandboxConfigError extends Error {
  override name = "SandboxConfigError";
}

/** The sandbox always runs on embedded SQLite: SANDBOX_DATABASE_URL (a file: URL) or prisma/dev.sqlite. */
export function sandboxDatabase(env: Record<string, string | undefined>, root: string): { url: string; file: string } {
  const url = env.SANDBOX_DATABASE_URL?.trim() || DEFAULT_SANDBOX_DATABASE_URL;
  if (!url.startsWith("file:")) {
    throw new SandboxConfigError(`SANDBOX_DATABASE_URL must be a SQLite file: URL (file:./prisma/dev.sqlite), not ${url}`);
  }
  const file = path.resolve(root, url.slice("file:".length).replace(/^\/\/(?=\/)/, ""));
  return { url: `file:${file}`, file };
}

const SOURCE_ROOTS = ["app", "server.ts", "vite.config.ts", "scripts/build-server.mjs", "package-lock.json", "public"];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) {
    // Tests are not part of the build.
    if (/\.test\.tsx?$/.test(name)) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

/** True when build/server.js is missing or older than any source the build is made from. */
export function buildIsStale(root: string): boolean {
  const built = path.join(root, "build", "server.js");
  if (!existsSync(built) || !existsSync(path.join(root, "build", "server", "index.js"))) return true;
  const builtAt = statSync(built).mtimeMs;
  return SOURCE_ROOTS.some((entry) => newestMtime(path.join(root, entry)) > builtAt);
}

/** Both generated Prisma clients are there (npm run generate): SQLite as @prisma/client, PostgreSQL beside it. */
export function prismaClientsGenerated(root: string): boolean {
  const provider = (dir: string) => {
    const schema = path.join(root, "node_modules", ".prisma", dir, "schema.prisma");
    return existsSync(schema) ? /datasource\s+\w+\s*\{[^}]*provider\s*=\s*"(\w+)"/.exec(readFileSync(schema, "utf8"))?.[1] : undefined;
  };
  return provider("client") === "sqlite" && provider("client-postgres") === "postgresql";
}

/**
 * ENCRYPTION_KEY if set, else a key kept next to the database (created on first run), so the
 * secrets sealed in one run open in the next.
 */
export function sandboxEncryptionKey(env: Record<string, string | undefined>, databaseFile: string): string {
  if (env.ENCRYPTION_KEY) return env.ENCRYPTION_KEY;
  const keyFile = `${databaseFile}.key`;
  if (existsSync(keyFile)) return readFileSync(keyFile, "utf8").trim();
  const key = randomBytes(32).toString("base64");
  mkdirSync(path.dirname(keyFile), { recursive: true });
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  return key;
}

/** A port from the environment: a number 0–65535 (0 = any free port). */
export function portFrom(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SandboxConfigError(`${name} must be a port number, not ${raw}`);
  return port;
}

/** The simulated Shopify's shops, checkouts and orders, kept next to the database between runs. */
export const sandboxStoreFile = (databaseFile: string) => `${databaseFile}.store.json`;

/** The ECPay emulator's (stage or production) merchants and trades, kept next to the database between runs. */
export const sandboxEcpayFile = (databaseFile: string, environment: "stage" | "production") =>
  `${databaseFile}.ecpay-${environment}.json`;

/** The snapshot a previous run saved, or null on a first run. */
export function readStoreSnapshot<T>(file: string): T | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (error) {
    throw new SandboxConfigError(`${file} is not a valid sandbox snapshot (${error instanceof Error ? error.message : String(error)}); delete it to start that part of the sandbox empty`);
  }
}

/** Written whole or not at all (a rename), so an interrupted save never leaves half a file. */
export function writeStoreSnapshot(file: string, snapshot: unknown): void {
  const partial = `${file}.partial`;
  writeFileSync(partial, JSON.stringify(snapshot), { mode: 0o600 });
  renameSync(partial, file);
}
