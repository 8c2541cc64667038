// Runs one load generator process (bench/load-worker.ts) and returns what it measured.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadResult, LoadSpecInput } from "./types";

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), "load-worker.ts");

export function runLoad(spec: LoadSpecInput): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER, JSON.stringify(spec)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      if (code !== 0 || !line) {
        reject(new Error(`load generator (${spec.endpoint}) exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line.slice("RESULT ".length)) as LoadResult);
    });
  });
}
