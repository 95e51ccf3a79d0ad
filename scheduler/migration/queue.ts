// Which waiting moves may start now (pure): high queue priority first (a
// policy's set_priority), then the oldest; each start counts against the
// cluster's limit, its source node's outbound limit, and its own policy cap
// on moves in flight.
import type { QueuePriority } from "../policy/actions.js";
import type { MigrationLimits } from "./context.js";
import type { ManagedMove } from "./record.js";

const RANK: Record<QueuePriority, number> = { high: 0, normal: 1, low: 2 };

type Queued = Pick<ManagedMove, "id" | "from" | "queue">;

/** The moves of `queued` (oldest first) to start, in order, given the moves `running`. */
export function movesToStart<M extends Queued>(queued: readonly M[], running: readonly Queued[], limits: Pick<MigrationLimits, "maxParallel" | "maxOutboundPerNode">): M[] {
  const outbound = new Map<string, number>();
  for (const m of running) outbound.set(m.from, (outbound.get(m.from) ?? 0) + 1);
  let active = running.length;
  // A stable sort: within one priority the oldest goes first.
  const order = [...queued].sort((a, b) => RANK[a.queue?.priority ?? "normal"] - RANK[b.queue?.priority ?? "normal"]);
  const start: M[] = [];
  for (const m of order) {
    if (active >= limits.maxParallel) break;
    if ((outbound.get(m.from) ?? 0) >= limits.maxOutboundPerNode) continue;
    if (m.queue?.maxConcurrent !== undefined && active >= m.queue.maxConcurrent) continue;
    active++;
    outbound.set(m.from, (outbound.get(m.from) ?? 0) + 1);
    start.push(m);
  }
  return start;
}
