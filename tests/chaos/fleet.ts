// The server instances of a chaos run: the built server (build/server.js) as child processes on
// fixed ports, restarted at once whenever they die, whether we killed them (kill -9 at a random
// moment) or they killed themselves at a CHAOS_KILL_POINTS point.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

export interface FleetStats {
  /** kill -9 sent by the chaos run. */
  externalKills: number;
  /** Self-kills per chaos point (the server prints "chaos: SIGKILL at <point> <subject>"). */
  selfKills: Record<string, number>;
  /** Subjects of self-kills, per point (e.g. "paymentSessionResolve <id>"). */
  selfKillSubjects: Record<string, string[]>;
  restarts: number;
  /** Exits we did not cause and the server did not announce (crashes). */
  crashes: number;
}

interface Instance {
  port: number;
  child: ChildProcess | null;
  ready: boolean;
  expectingExit: boolean;
}

const BUILD = path.resolve("build/server.js");

export class ServerFleet {
  readonly output: string[] = [];
  readonly stats: FleetStats = { externalKills: 0, selfKills: {}, selfKillSubjects: {}, restarts: 0, crashes: 0 };
  private readonly instances: Instance[];
  private stopping = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly env: Record<string, string>,
    ports: number[],
  ) {
    this.instances = ports.map((port) => ({ port, child: null, ready: false, expectingExit: false }));
  }

  /** Origins of the instances that are up. */
  liveOrigins(): string[] {
    return this.instances.filter((i) => i.ready).map((i) => `http://127.0.0.1:${i.port}`);
  }

  allOrigins(): string[] {
    return this.instances.map((i) => `http://127.0.0.1:${i.port}`);
  }

  get size(): number {
    return this.instances.length;
  }

  async start(): Promise<void> {
    for (const instance of this.instances) this.launch(instance);
    await this.whenAllReady();
  }

  async whenAllReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.instances.every((i) => i.ready)) {
      if (Date.now() > deadline) throw new Error(`server instances not ready:\n${this.output.slice(-30).join("\n")}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
        setTimeout(wake, 200);
      });
    }
  }

  /** kill -9 one instance (it restarts by itself). */
  kill(index: number): void {
    const instance = this.instances[index % this.instances.length]!;
    if (!instance.child || !instance.ready) return;
    instance.expectingExit = true;
    this.stats.externalKills += 1;
    instance.child.kill("SIGKILL");
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.instances.map(async (instance) => {
        const child = instance.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private launch(instance: Instance): void {
    const child = spawn(process.execPath, [BUILD], {
      env: { ...process.env, ...this.env, PORT: String(instance.port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    instance.child = child;
    instance.ready = false;
    instance.expectingExit = false;
    let announcedKill = false;
    const onLine = (line: string) => {
      if (!line) return;
      this.output.push(line);
      const kill = /^chaos: SIGKILL at (\S+) ?(.*)$/.exec(line);
      if (kill) {
        announcedKill = true;
            this.stats.selfKills[kill[1]!] = (this.stats.selfKills[kill[1]!] ?? 0) + 1;
        (this.stats.selfKillSubjects[kill[1]!] ??= []).push(kill[2] ?? "");
      }
      if (/listening on http:\/\//.test(line)) {
        instance.ready = true;
        for (const wake of [...this.waiters]) wake();
      }
    };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    // "close", not "exit": by then every line (the kill announcement too) has been read.
    child.once("close", (code, signal) => {
      instance.ready = false;
      if (this.stopping) return;
      if (!instance.expectingExit && !announcedKill) {
        this.stats.crashes += 1;
        this.output.push(`fleet: instance on ${instance.port} exited unexpectedly (code ${code}, signal ${signal})`);
      }
      this.stats.restarts += 1;
      setTimeout(() => {
        if (!this.stopping) this.launch(instance);
      }, 100);
    });
  }
}
