// npm run sandbox: the whole product on one machine, on embedded SQLite.
// (Foundation placeholder: migrates the SQLite database and starts the built server. The sandbox
// issue adds the ECPay emulator, the Shopify checkout simulator and the seeded demo shop.)
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";

const env = { ...process.env };
delete env.DATABASE_URL; // the sandbox always runs on embedded SQLite
env.ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
env.PORT ??= "3000";

execFileSync("npx", ["prisma", "generate"], { stdio: "ignore", env });
execFileSync("npx", ["prisma", "migrate", "deploy"], { stdio: "inherit", env });
if (!existsSync("build/server.js")) execFileSync("npm", ["run", "build"], { stdio: "inherit", env });

const server = spawn(process.execPath, ["build/server.js"], { stdio: "inherit", env });
const stop = () => server.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => process.exit(code ?? 0));
