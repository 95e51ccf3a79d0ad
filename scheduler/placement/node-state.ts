// Mutable per-node and per-request records of the cluster state. Loads are
// integer millicores (see share.ts).
import type { LatencyModel } from "../../src/latency/model.js";
import type { MoveClass } from "./move-class.js";
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
  /** Edge nodes: the requests running here (kept by the move index). */
  edgeTasks?: Set<PlacedTask>;
  /** Edge nodes: the movable requests running here, in move order (kept by the move index; rule 3 walks it). */
  movableTasks?: PlacedTask[];
}

export interface PlacedTask {
  readonly request: TaskRequest;
  readonly model: LatencyModel;
  node: NodeState;
  shareMilli: number;
  /** Placement order; a move keeps it ("placed earliest" means first placed). */
  readonly seq: number;
  /** On an edge node: whether some cloud node could take it at its budget if that node were empty. */
  movable: boolean;
  /** On an edge node: its model and budget, as the move planner caches them per decision (set by the move index). */
  moveClass?: MoveClass<NodeState>;
  /** When it was placed or last moved (seconds on the caller's clock); undefined: no age, min-residence does not hold it. */
  sinceSec?: number;
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
