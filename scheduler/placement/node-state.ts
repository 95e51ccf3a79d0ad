// Mutable per-node and per-request records of the cluster state. Loads are
// integer millicores (see share.ts).
import type { LatencyModel } from "../../src/latency/model.js";
import type { OrderedSet } from "./ordered-set.js";
import type { NodeSpec, TaskRequest, Tier } from "./types.js";

export interface NodeState {
  readonly spec: NodeSpec;
  readonly name: string;
  readonly tier: Tier;
  readonly netDelayMs: number;
  readonly capMilli: number;
  usedMilli: number;
  tasks: number;
  /** Edge nodes: millicores held by requests that could not move to any cloud node even if it were empty. */
  pinnedMilli: number;
}

export interface PlacedTask {
  readonly request: TaskRequest;
  readonly model: LatencyModel;
  node: NodeState;
  shareMilli: number;
  /** Placement order; a move keeps it ("placed earliest" means first placed). */
  readonly seq: number;
  /** The move stream holding it while it runs on an edge node. */
  stream?: MoveStream;
  /** On an edge node: whether some cloud node could take it at its budget if that node were empty. */
  movable: boolean;
}

/**
 * Edge requests that share a priority, a model and a kind of edge node (delay, size),
 * in move order. Inside one stream a later request never needs less CPU in the cloud
 * than an earlier one (its budget is not longer), which lets the move planner drop a
 * whole stream when its head fits no cloud node.
 */
export interface MoveStream {
  readonly key: string;
  readonly netDelayMs: number;
  readonly capMilli: number;
  readonly tasks: OrderedSet<PlacedTask>;
}

/** Node names compare by UTF-16 code units: deterministic, locale-free. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function usage(n: NodeState): number {
  return n.usedMilli / n.capMilli;
}

export function fits(n: NodeState, needMilli: number): boolean {
  return needMilli >= 0 && n.usedMilli + needMilli <= n.capMilli;
}
