// Runs `npm run ops -- …` (scripts/ops.ts) as the operator would, against a test database.
import { spawnSync } from "node:child_process";

export function runOps(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/ops.ts", ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
