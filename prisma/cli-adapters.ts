// Driver adapters for the Prisma CLI only (the schema engine runs as WASM with `engine: "js"`).
// The app itself uses the stock adapters (app/db.server.ts). Why these wrappers exist
// (docs/toolchain-and-style.md Part D):
//  PostgreSQL, @prisma/adapter-pg 6.19:
//   1. introspection returns `name`/`"char"` columns the adapter cannot deserialize: relabel as text;
//   2. connectToShadowDb() silently reuses the main database: point a URL at the new one;
//   3. executeScript() splits on every ";": send the script as one simple query.
//  SQLite, @prisma/adapter-libsql: the shadow database runs only the first statement of each
//   migration through executeRaw, so `migrate dev` reports false drift: run them as scripts.
import { randomUUID } from "node:crypto";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

type PgAdapter = Awaited<ReturnType<PrismaPg["connect"]>>;

const TEXT_LIKE_OIDS = new Set([18, 19]); // "char", name
const TEXT_OID = 25;

function relabelTextLike(queryable: object) {
  const q = queryable as {
    performIO(query: unknown): Promise<{ fields?: { dataTypeID: number }[] }>;
  };
  const performIO = q.performIO.bind(q);
  q.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result.fields ?? []) {
      if (TEXT_LIKE_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
    return result;
  };
}

function patch(adapter: PgAdapter): PgAdapter {
  relabelTextLike(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const tx = await startTransaction(isolationLevel);
    relabelTextLike(tx);
    return tx;
  };
  adapter.executeScript = async (script) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      (adapter as unknown as { onError(e: unknown): never }).onError(error);
    }
  };
  return adapter;
}

export function pgMigrationAdapter(connectionString: string): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaPg({ connectionString });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => patch(await factory.connect()),
    async connectToShadowDb() {
      const main = await factory.connect();
      const database = `prisma_migrate_shadow_db_${randomUUID()}`;
      await main.executeScript(`CREATE DATABASE "${database}"`);
      const url = new URL(connectionString);
      url.pathname = `/${database}`;
      const shadow = patch(await new PrismaPg({ connectionString: url.toString() }).connect());
      const dispose = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await dispose();
        await main.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
        await main.dispose();
      };
      return shadow;
    },
  };
}

export function sqliteMigrationAdapter(url: string): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaLibSQL({ url });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => factory.connect(),
    async connectToShadowDb() {
      const shadow = await factory.connectToShadowDb();
      const executeRaw = shadow.executeRaw.bind(shadow);
      shadow.executeRaw = async (query) => {
        if (query.args.length > 0) return executeRaw(query);
        await shadow.executeScript(query.sql);
        return 0;
      };
      return shadow;
    },
  };
}
