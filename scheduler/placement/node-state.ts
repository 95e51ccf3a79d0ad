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
  /** Edge nodes: the shares and classes of `movableTasks`, side by side (rule 3's walks read these, not the requests). */
  movableShares?: number[];
  movableClasses?: MoveClass<NodeState>[];
  /** Edge nodes: its slot in its kind's dense summaries (edge-kind-table.ts, kept by the move index). */
  kindSlot?: number;
  /**
   * Edge nodes: the largest shares of the movable requests, descending, at most TOP_SHARES
   * of them (kept by the move index): k moves free at most the first k, so a node whose
   * sum falls short of its deficit needs more than k moves and the planner skips it.
   */
  topShares?: number[];
  /**
   * Edge nodes: the shares and classes of the first LEADS movable requests in move order,
   * and the latest time one of them was placed or moved (kept by the move index): the move
   * planner counts most tries from these alone, without visiting the requests.
   */
  leadShares?: number[];
  leadClasses?: MoveClass<NodeState>[];
  leadSinceSec?: number;
  /**
   * Edge nodes: the classes of the movable requests and their shares summed per class (kept
   * by the move index, side by side): what moves of requests some cloud node fits could free.
   */
  classes?: MoveClass<NodeState>[];
  classShares?: number[];
  /** How many movable requests of each of `classes` run here. */
  classCounts?: number[];
}

/** How many of a node's largest movable shares the move index keeps (rule 3's bound on few moves). */
export const TOP_SHARES = 16;

/** How many of a node's first movable requests the move index keeps in `leadShares` and `leadClasses`. */
export const LEADS = 8;

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
  /** Whether a move would make requests late, as last judged (move-planner.ts makesLate), and for what. */
  late?: { frozenMs: number; shareMilli: number; node: NodeState; late: boolean };
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
