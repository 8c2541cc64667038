// The built production server (build/server.js) as a child process, with its pid so the bench can
// read its peak resident set size (Linux: VmHWM in /proc/<pid>/status; elsewhere: sampled RSS).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export interface BenchServer {
  origin: string;
  pid: number;
  /** Every line the server printed. */
  output: string[];
  /** CPU time (user + system) the server process has used so far, in seconds (Linux; 0 elsewhere). */
  cpuSeconds(): number;
  /** Stops the server (SIGTERM) and returns its peak RSS in MB. */
  stop(): Promise<number>;
}

const BUILD = path.resolve("build/server.js");

function statusKb(pid: number, field: "VmHWM" | "VmRSS"): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** utime + stime of /proc/<pid>/stat, in seconds (the kernel counts in USER_HZ = 100 ticks a second). */
function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** `nodeArgs` go before the script, e.g. ["--cpu-prof", "--cpu-prof-dir=prof"] to profile the server. */
export async function startBenchServer(
  env: Record<string, string>,
  port: number,
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" profiles every server the bench starts.
  nodeArgs: string[] = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean),
  /** Another build's server.js (bench/profile.ts compares two builds in one run). */
  buildFile: string = BUILD,
): Promise<BenchServer> {
  if (!existsSync(buildFile)) throw new Error(`${buildFile} is missing: run \`npm run build\` first`);
  const output: string[] = [];
  const child = spawn(process.execPath, [...nodeArgs, buildFile], {
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line) continue;
        output.push(line);
        if (/listening on http:\/\//.test(line)) resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output.slice(-20).join("\n")}`)));
  });
  const pid = child.pid!;
  // Never leave a server behind if the bench itself dies.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let sampledKb = 0;
  const sampler = setInterval(() => (sampledKb = Math.max(sampledKb, statusKb(pid, "VmRSS") ?? 0)), 250);
  sampler.unref();
  return {
    origin: `http://127.0.0.1:${port}`,
    pid,
    output,
    cpuSeconds: () => cpuSecondsOf(pid),
    async stop() {
      clearInterval(sampler);
      process.off("exit", killOnExit);
      const peakKb = Math.max(statusKb(pid, "VmHWM") ?? 0, sampledKb);
      child.kill("SIGTERM");
      await waitExit(child);
      return Math.round(peakKb / 1024);
    },
  };
}
