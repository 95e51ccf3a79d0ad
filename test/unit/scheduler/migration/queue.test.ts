import { describe, expect, it } from "vitest";
import type { QueuePlace } from "../../../../scheduler/migration/ports.js";
import { movesToStart } from "../../../../scheduler/migration/queue.js";

const mv = (id: string, from: string, queue?: QueuePlace) => ({ id, from, ...(queue ? { queue } : {}) });
const ids = (ms: Array<{ id: string }>) => ms.map((m) => m.id);
const LIMITS = { maxParallel: 5, maxOutboundPerNode: 2 };

describe("which queued moves start", () => {
  it("high first, then normal (no preview counts as normal), then low; oldest first within one", () => {
    const queued = [mv("a", "n1", { priority: "low" }), mv("b", "n2"), mv("c", "n3", { priority: "high" }), mv("d", "n4", { priority: "normal" }), mv("e", "n5", { priority: "high" })];
    expect(ids(movesToStart(queued, [], LIMITS))).toEqual(["c", "e", "b", "d", "a"]);
    expect(ids(movesToStart(queued, [], { ...LIMITS, maxParallel: 2 }))).toEqual(["c", "e"]);
  });

  it("counts running moves against the cluster and outbound limits", () => {
    const running = [mv("r1", "n1"), mv("r2", "n1"), mv("r3", "n2")];
    const queued = [mv("a", "n1", { priority: "high" }), mv("b", "n2"), mv("c", "n3")];
    expect(ids(movesToStart(queued, running, LIMITS))).toEqual(["b", "c"]); // a: n1 has 2 out already
    expect(ids(movesToStart(queued, running, { ...LIMITS, maxParallel: 4 }))).toEqual(["b"]);
  });

  it("a move's own cap (max_concurrent_migrations) holds it while that many are in flight; others pass it", () => {
    const running = [mv("r1", "n1")];
    const queued = [mv("capped", "n2", { priority: "high", maxConcurrent: 1 }), mv("free", "n3")];
    expect(ids(movesToStart(queued, running, LIMITS))).toEqual(["free"]);
    expect(ids(movesToStart(queued, [], LIMITS))).toEqual(["capped", "free"]);
    // Once 'free' started first, a cap of 2 lets the capped one go as the second.
    expect(ids(movesToStart([mv("x", "n2"), mv("capped2", "n4", { priority: "normal", maxConcurrent: 2 })], [], LIMITS))).toEqual(["x", "capped2"]);
  });
});
