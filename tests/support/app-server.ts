// Runs the built production server (build/server.js) as a child process on a random port, so
// tests talk to it over real HTTP and can kill -9 and restart it.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "./free-port";

export interface AppServer {
  origin: string;
  port: number;
  /** Every line the server printed (stdout and stderr), for assertions and secret scans. */
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILL, then start again on the same port with the same environment (plus `overrides` for this run only). */
  restart(overrides?: Record<string, string>): Promise<void>;
}

const BUILD = path.resolve("build/server.js");

function launch(env: Record<string, string>, port: number, output: string[]) {
  const child = spawn(process.execPath, [BUILD], {
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const ready = new Promise<number>((resolve, reject) => {
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line) continue;
        output.push(line);
        const match = /listening on http:\/\/[^:]+:(\d+)/.exec(line);
        if (match) resolve(Number(match[1]));
      }
    };
    child.stdout!.on("data", onLine);
    child.stderr!.on("data", onLine);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output.slice(-20).join("\n")}`)));
  });
  return { child, ready };
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startAppServer(env: Record<string, string>, options: { port?: number } = {}): Promise<AppServer> {
  const output: string[] = [];
  // The admin accepts a POST only from its own public origin (SHOPIFY_APP_URL): by default the
  // server's public URL is where it listens, as behind no proxy.
  if (!env.SHOPIFY_APP_URL) {
    const listen = options.port ?? (await freePort());
    env = { ...env, SHOPIFY_APP_URL: `http://127.0.0.1:${listen}` };
    options = { ...options, port: listen };
  }
  let { child, ready } = launch(env, options.port ?? 0, output);
  const port = await ready;
  const server: AppServer = {
    origin: `http://127.0.0.1:${port}`,
    port,
    output,
    async stop(signal = "SIGTERM") {
      child.kill(signal);
      await waitExit(child);
    },
    async restart(overrides = {}) {
      child.kill("SIGKILL");
      await waitExit(child);
      ({ child, ready } = launch({ ...env, ...overrides }, port, output));
      await ready;
    },
  };
  return server;
}
