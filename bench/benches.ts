// The benchmarks, by name: `fleximigrate bench NAME` and `npm run bench -- NAME`
// both dispatch over this list, which is the one place their summaries live.
import { commandEntry } from "../src/cli/command.js";

export const benches = [
  commandEntry("scheduler", "Placement decisions/s and latency, delay-aware vs least-loaded", () => import("./scheduler.js")),
  commandEntry("rule3-bound", "Moves per case-3 admission: the rule's vs the fewest any set of one node's requests needs (brute force)", () => import("./rule3-bound.js")),
  commandEntry("controller", "Flow install vs ovs-ofctl, PACKET_IN responses/s, memory with many switches", () => import("./controller.js")),
  commandEntry("migration", "Downtime and total time of stop-and-copy, post-copy and Docker checkpoint", () => import("./migration.js")),
  commandEntry("api", "POST /v1/tasks with and without the durable store, memory across release rounds, DNS at saturation", () => import("./api.js")),
  commandEntry("store", "Placements/s and p99 through the embedded store and through etcd, side by side", () => import("./store.js")),
  commandEntry("loop", "The whole loop on one machine: post-copy vs stop-and-copy edge→cloud as a device sees it", () => import("./loop.js")),
  commandEntry("testbed", "The testbed's start-up and tear-down; the WAN relay's throughput and added latency beside a plain veth path", () => import("./testbed.js")),
];
