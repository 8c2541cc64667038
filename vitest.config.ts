import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// unit: pure logic, no I/O beyond temp files. integration: a real database (SQLite, or
// PostgreSQL when DATABASE_URL says so) and real HTTP between the server and the simulators.
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
          sequence: { shuffle: true },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          globalSetup: ["tests/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
