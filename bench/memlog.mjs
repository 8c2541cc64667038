// Preloaded into the server by bench/profile.ts memory (node --import): appends
// process.memoryUsage() in MB every 500 ms to $MEMLOG_FILE, never keeping the process alive.
import { appendFileSync } from "node:fs";
import v8 from "node:v8";

const file = process.env.MEMLOG_FILE;
const mb = (n) => Math.round(n / 1048576);
if (file) {
  setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ t: Date.now(), rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), spaces: Object.fromEntries(v8.getHeapSpaceStatistics().map((space) => [space.space_name, mb(space.space_size)])) })}\n`);
  }, 500).unref();
}
