// For Playwright: a fresh migrated database and the built server, seeded through `ops seed-shop`.
import { expect, type Page } from "@playwright/test";
import { startAppServer, type AppServer } from "./app-server";
import { cloneDatabase, createTemplateDatabase, dropTemplateDatabase, type TestDatabase } from "./database";
import { runOps } from "./ops";
import { testAppEnv } from "./test-env";

export interface E2EStack {
  server: AppServer;
  env: Record<string, string>;
  db: TestDatabase;
  seed(method: string, shop: string, extra?: string[]): void;
  close(): Promise<void>;
}

/** `port`: when the server's public URL must be known before it starts (SHOPIFY_APP_URL). */
export async function startE2EStack(extraEnv: Record<string, string> = {}, options: { port?: number } = {}): Promise<E2EStack> {
  const template = await createTemplateDatabase();
  const db = await cloneDatabase(template);
  const env = testAppEnv({ DATABASE_URL: db.url, ...extraEnv });
  const server = await startAppServer(env, options);
  return {
    server,
    env,
    db,
    seed(method, shop, extra = []) {
      const result = runOps(
        ["seed-shop", "--method", method, "--shop", shop, "--access-token", `shpat_${method}`, ...extra],
        env,
      );
      if (result.status !== 0) throw new Error(result.stderr);
    },
    async close() {
      await server.stop();
      await db.drop();
      await dropTemplateDatabase(template);
    },
  };
}

/** Collect console errors and failed page errors; assert none at the end of a test. */
export function watchConsole(page: Page) {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return { assertClean: () => expect(errors, errors.join("\n")).toEqual([]) };
}
