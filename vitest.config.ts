import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// unit: pure logic, no I/O beyond temp files. integration: a real database (SQLite, or
// PostgreSQL when DATABASE_URL says so) and real HTTP between the server and the simulators.
const SOLO = ["tests/integration/chaos.test.ts", "tests/integration/bench-smoke.test.ts"];

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    mockReset: true,
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["app/**/*.test.ts", "tests/unit/**/*.test.ts"],
          sequence: { shuffle: true, groupOrder: 0 },
        },
      },
      {
        // Two files at a time: each starts its own server, simulators and database, and most of
        // their time is spent waiting on HTTP between them.
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          exclude: SOLO,
          globalSetup: ["tests/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: true,
          maxWorkers: 2,
          // Projects with different worker counts run as ordered groups when run together.
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The runs that load the machine on purpose (several server instances, kill -9, load
        // generators) get it to themselves, one after the other.
        extends: true,
        test: {
          name: "integration-solo",
          include: SOLO,
          globalSetup: ["tests/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
