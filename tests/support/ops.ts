// Runs `npm run ops -- …` (scripts/ops.ts) as the operator would, against a test database.
import { spawn, spawnSync } from "node:child_process";

const OPS = ["--import", "tsx", "scripts/ops.ts"];

export interface OpsResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runOps(args: string[], env: Record<string, string>): OpsResult {
  const result = spawnSync(process.execPath, [...OPS, ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** As runOps, without blocking this process: for commands that call back into a server the test runs. */
export function runOpsAsync(args: string[], env: Record<string, string>): Promise<OpsResult> {
  const child = spawn(process.execPath, [...OPS, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}
