// Shared vocabulary of placement: nodes, requests, decisions. The placement
// engine (pure) and the scheduler service (I/O) both speak it.
import type { LatencyModel } from "../../src/latency/model.js";
import type { DowntimeModel } from "./downtime.js";

// Nodes and requests are what the scheduler's API takes: one definition, in src/api-types.
import type { NodeSpec, TaskRequest, Tier } from "../../src/api-types/scheduler.js";

export type { NodeSpec, TaskRequest, Tier };

export interface Migration {
  request: string;
  from: string;
  to: string;
  /** The moved request's new CPU share on its new node. */
  cpuShare: number;
  /** With a downtime model: requests the move is expected to make late (its frozen window past its slack, at its rate). */
  lateRequests?: number;
  /** With a downtime model that knows it: the memory the move carries (MiB). */
  movedMiB?: number;
}

export interface Decision {
  request: string;
  node: string | null;
  /** Which placement rule applied (1: edge fits, 2: cloud, 3: edge after moves). */
  case?: 1 | 2 | 3;
  cpuShare?: number;
  predictedDelayMs?: number;
  migrations: Migration[];
  /** Why a request was refused (node === null), or why it went to the cloud by rule 2 (case 2). */
  reason?: string;
  /** A refusal's reason as a stable code (for counting; `reason` says it to people). */
  refusal?: RefusalCode;
}

export type RefusalCode = "invalid_request" | "duplicate_id" | "unknown_model" | "no_nodes" | "budget_infeasible" | "no_capacity" | "regulation";

/** What a decision may know beyond the request: the time, and which requests are being moved right now. */
export interface DecisionContext {
  /** Now, in seconds on the caller's clock; recorded as the placed request's age. Without it, min-residence does not apply. */
  atSec?: number;
  /** Ids of requests whose move is in flight: rule 3 does not move them again. */
  migrating?: ReadonlySet<string>;
}

/** The decision's context with the policy's hold on recent requests: what rule 3 may move. */
export interface MoveLimits extends DecisionContext {
  /** A request placed or moved less than this many seconds ago is not moved. */
  minResidenceSec: number;
  /** The request being placed, and which nodes it and the requests rule 3 moves may run on. */
  request?: TaskRequest;
  admission?: NodeAdmission;
  /**
   * Migration-aware admission: a request whose budget cannot absorb its expected downtime
   * (a move would make some of its requests late) is moved only when no way without such
   * requests frees a node.
   */
  downtime?: DowntimeModel;
}

/**
 * Which nodes a request may run on beyond CPU and budget: data protection (a
 * task's Regulation against a node's attribute certificate). The service
 * builds it from the PCAs it trusts and its clock; the engine only asks it.
 */
export interface NodeAdmission {
  /** False when the request may run on any node: then it is not asked, and the capacity index answers as before. */
  restricts(request: TaskRequest): boolean;
  /** Why `request` may not run on `node`, or undefined when it may. */
  refuse(request: TaskRequest, node: NodeSpec): string | undefined;
  /** Why `node`'s certificate does not verify now (no certificate, untrusted, expired, ...), or undefined when it does. */
  certificateProblem?(node: NodeSpec): string | undefined;
}

export interface Placement {
  request: TaskRequest;
  node: string;
  cpuShare: number;
  predictedDelayMs: number;
  /** Monotonic placement order: ties among moves go to the earliest placed. */
  seq: number;
}

/** A placement exactly as the cluster state holds it: what a durable store keeps to restore it after a restart. */
export interface PlacementRecord {
  request: TaskRequest;
  node: string;
  /** Its CPU share in millicores (exact, unlike the rounded cores of a Placement). */
  shareMilli: number;
  seq: number;
  /** When it was placed or last moved (the policy's clock, seconds); absent: no age. */
  sinceSec?: number;
  /** The model it was placed with, so a restore does not depend on today's model table. */
  model: LatencyModel;
}

export interface NodeUsage extends NodeSpec {
  usedCpus: number;
  /** usedCpus / cpus */
  cpuUsage: number;
  placements: number;
}

export type ModelTable = Record<string, LatencyModel>;

/** A placement policy over a live cluster state. Decisions are atomic: a refusal changes nothing. */
export interface PlacementPolicy {
  readonly name: string;
  /** Data protection, when configured: regulated requests go only where it allows. */
  readonly admission?: NodeAdmission;
  /** Migration-aware admission's downtime model (the service sets it from measured moves; absent: moves cost nothing known). */
  downtime?: DowntimeModel;
  place(request: TaskRequest, context?: DecisionContext): Decision;
  /** Frees the request's share; false when unknown. */
  release(requestId: string): boolean;
  /**
   * Puts a placed request back on `node` with its model's need there (a move
   * that was rolled back: the workload runs there again, even if that node is
   * now over its capacity). False when the request or node is unknown, or the
   * budget cannot be met there.
   */
  relocate(requestId: string, node: string): boolean;
  /**
   * An operator's move: the request goes to `node` with the share its model
   * needs there, if that node has the room; nothing changes otherwise.
   */
  moveTo(requestId: string, node: string): { ok: true; from: string; cpuShare: number } | { ok: false; reason: string };
  /**
   * Serves `model` for class `key` from the next decision on (a model refitted
   * from measured latency). Placed requests keep the share they were given.
   */
  setModel(key: string, model: LatencyModel): void;
  addNode(node: NodeSpec): void;
  /** Replaces a node's attribute certificate (undefined: it has none now); false when the node is unknown. */
  setAttributeCert(name: string, cert: NodeSpec["attributeCert"]): boolean;
  /** Removes a node with no placements; false when unknown or busy. */
  removeNode(name: string): boolean;
  nodes(): NodeUsage[];
  placements(): Placement[];
  /** One placement exactly (node, share, seq, age, model); undefined when not placed. */
  record(requestId: string): PlacementRecord | undefined;
  /**
   * Puts a stored placement back exactly as it was (after a restart): no
   * capacity check, its seq and age kept, later placements numbered after it.
   * Throws when the node is unknown or the request already placed.
   */
  restore(record: PlacementRecord): void;
}
