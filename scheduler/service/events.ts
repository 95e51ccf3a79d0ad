// What the scheduler announces on GET /v1/events (src/http/events-plugin.ts).
// Events are plain JSON so that any client, in any language, can read the
// stream; the hub adds `at` to each.
import type { EventHub } from "../../src/http/event-hub.js";
import type { GroupMemberPhase, GroupMigrationState, LatencyBatch, MigrationState, TaskLatencyView } from "../../src/api-types/scheduler.js";
import type { MigrationRecord } from "../executor/executor.js";
import type { NodeSpec, TaskRequest } from "../placement/types.js";
import type { LatencyModel } from "../../src/latency/model.js";
import type { ModelSource } from "../latency/drift.js";
import type { Discrepancy } from "./reconcile.js";

export type SchedulerEvent =
  | {
      type: "placed";
      task: TaskRequest;
      node: string;
      endpoint: string | null;
      cpuShare: number;
      predictedDelayMs: number;
      case: number | null;
      migrations: string[];
    }
  | { type: "refused"; task: TaskRequest; reason: string }
  | { type: "migration-requested"; migration: MigrationRecord }
  | { type: "migration.transition"; migration: string; task: string; from: string; to: string; previous: MigrationState | null; state: MigrationState; error?: string }
  // A migration policy's notify("...") (docs/policies.md); policy null: the default decided.
  | { type: "policy.notify"; migration: string; task: string; from: string; to: string; policy: string | null; message: string }
  | { type: "task.unavailable"; task: string; node: string; lastReportAt: string | null }
  | { type: "task.available"; task: string; node: string }
  | { type: "released"; task: string; node: string }
  // A group migration started, started a round, or reached its outcome (docs/groups.md).
  | {
      type: "group.migration";
      id: string;
      group: string;
      to: string;
      state: GroupMigrationState;
      round: number;
      parallelism: number | null;
      members: Array<{ task: string; phase: GroupMemberPhase; runsOn: string }>;
    }
  | { type: "node-registered"; node: NodeSpec }
  | { type: "node-removed"; node: string }
  // An agent's load report arrived (nodes.ts): the dashboard's CPU bars follow it.
  | { type: "node.report"; node: string; cpuUsage: number | null; usedCpus: number; cpus: number; placements: number; workloads: number; receivedAt: string }
  | { type: "device-removed"; device: string; reason: "deleted" | "expired" }
  // Reconciliation with the agents' reports (reconcile.ts).
  | { type: "reconcile.missing"; node: string; task: string; workload: string; since: string }
  | { type: "reconcile.unknown"; node: string; workload: string; since: string }
  | ({ type: "reconcile.resolved" } & Discrepancy)
  // Measured latency (samples.ts, docs/latency.md).
  // A device's batch of measured latencies was taken (samples.ts): the batch's figures and the task's view after it.
  | { type: "task.latency"; task: string; device: string; batch: LatencyBatch; latency: TaskLatencyView }
  | { type: "latency.drift"; model: string; outcome: "refitted" | "refit-rejected"; serving: ServedModel; refitR2: number }
  | { type: "model.refitted"; model: string; from: ServedModel; to: ServedModel };

/** A model as it serves, with its held-out R² and where it came from. */
export type ServedModel = LatencyModel & { r2: number; source: ModelSource };

export type SchedulerEvents = EventHub<SchedulerEvent>;

export const SCHEDULER_EVENTS_SUMMARY =
  "{type: placed|refused|migration-requested|migration.transition|group.migration|policy.notify|task.unavailable|task.available|released|node-registered|node-removed|node.report|device-removed|reconcile.missing|reconcile.unknown|reconcile.resolved|task.latency|latency.drift|model.refitted, at, ...}";
