// The question the placement state asks of its nodes, apart from the two
// answers (the capacity index and the plain scan in capacity-index.ts), so the
// state depends on the question only, not on the plugins the answers use.
import type { NodeState } from "./node-state.js";
import type { NeedAt } from "./share.js";
import type { Tier } from "./types.js";

/** Answers best-fit queries; told about every node and every load change. */
export interface NodeFinder {
  add(node: NodeState): void;
  remove(node: NodeState): void;
  /** Called around a change of `node.usedMilli`: detach before, attach after. */
  detach(node: NodeState): void;
  attach(node: NodeState): void;
  /** Fitting node of `tier` (undefined: of either tier) with the highest usage (ties: name). */
  mostUsedFit(tier: Tier | undefined, need: NeedAt): NodeState | undefined;
  /** Fitting node of `tier` (undefined: of either tier) with the lowest usage (ties: name). */
  leastUsedFit(tier: Tier | undefined, need: NeedAt): NodeState | undefined;
  /** As mostUsedFit, among the nodes of `tier` not in `except` (the move planner's trial targets). */
  mostUsedFitExcept(tier: Tier, need: NeedAt, except: readonly NodeState[]): NodeState | undefined;
  /** The most millicores any node of `tier` would have left after taking `need` (negative: none fits). */
  mostRoomAfter(tier: Tier, need: NeedAt): number;
  /**
   * The nodes of `tier` that fit `need`, in mostUsedFit's order, at most `atMost` of them, put
   * in `out` (emptied first); returns false when more nodes fit than it holds.
   */
  mostUsedFits(tier: Tier, need: NeedAt, atMost: number, out: NodeState[]): boolean;
}
