// The scheduler as `bench api` runs it: a child process of its own (so its
// memory is its own), with the embedded durable store under --state-dir DIR,
// the etcd store (an etcd:// URL in place of DIR) or an in-memory store (no
// DIR), listening on PORT. Prints {"port"} once it
// listens; on each "mem" line of stdin, collects garbage (run with
// --expose-gc) and prints {"rssMiB", "heapMiB"}.
// Usage: node --expose-gc --import tsx bench/api-scheduler.ts PORT [DIR|etcd://HOST:PORT]
import { createInterface } from "node:readline";
import { parseEtcdUrl } from "../src/etcd/endpoints.js";
import { loadDefaultModels } from "../scheduler/latency/defaults.js";
import { createPolicy } from "../scheduler/placement/policies.js";
import { buildSchedulerApp } from "../scheduler/service/app.js";
import { MemoryStore } from "../scheduler/migration/store.js";
import { MemoryStateStore } from "../scheduler/state/store.js";

const [port, dir] = process.argv.slice(2);
const models = loadDefaultModels();
const app = await buildSchedulerApp({
  policy: createPolicy("delay-aware", { nodes: [], models, minResidenceSec: 10 }),
  models,
  ...(dir?.startsWith("etcd://") ? { etcd: parseEtcdUrl(dir) } : dir ? { stateDir: dir } : { stateStore: new MemoryStateStore(), store: new MemoryStore() }),
  // Devices are released by hand in the bench; none expires on its own meanwhile.
  deviceTtlMs: 0,
});
await app.listen({ port: Number(port), host: "127.0.0.1" });
process.stdout.write(`${JSON.stringify({ port: Number(port) })}\n`);
const gc = (globalThis as { gc?: () => void }).gc;
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() !== "mem") return;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ rssMiB: m.rss / 2 ** 20, heapMiB: m.heapUsed / 2 ** 20 })}\n`);
});
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
