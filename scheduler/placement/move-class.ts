// Edge requests of one model and budget need the same share on every cloud
// node, so rule 3 asks its cloud questions once per such class and decision.
// The registry hands every edge request its class when it enters, so a
// decision finds the answers by one field read instead of two map lookups.
import type { LatencyModel } from "../../src/latency/model.js";
import { type NeedAt, needMilli, perDelay } from "./share.js";

/** Generic in the node record, so that record (node-state.ts) may name its class without an import cycle. */
export interface MoveClass<Node> {
  readonly model: LatencyModel;
  readonly budgetMs: number;
  /** Its need per network delay (memoized: a model never changes). */
  readonly need: NeedAt;
  /** Edge requests of this class now. */
  refs: number;
  // What one decision learned; valid only while `stamp` is that decision's (see move-planner.ts).
  stamp: number;
  /** The most room a cloud node would have left after taking one (negative: none fits). */
  room: number;
  /** The most its share can be on any node that fits it. */
  maxShare: number;
  /**
   * The cloud nodes that fit one as the cloud is, most used first, at most TOP_TARGETS of
   * them (undefined: not asked yet this decision); `allTargets` when no other node fits.
   */
  targets?: Node[];
  allTargets: boolean;
}

export class MoveClasses<Node> {
  private readonly byModel = new Map<LatencyModel, Map<number, MoveClass<Node>>>();

  /** The class of a request entering the edge (counted until `leave`). */
  enter(model: LatencyModel, budgetMs: number): MoveClass<Node> {
    let byBudget = this.byModel.get(model);
    if (!byBudget) {
      byBudget = new Map();
      this.byModel.set(model, byBudget);
    }
    let c = byBudget.get(budgetMs);
    if (!c) {
      c = { model, budgetMs, need: perDelay((d) => needMilli(model, budgetMs, d)), refs: 0, stamp: -1, room: 0, maxShare: 0, allTargets: false };
      byBudget.set(budgetMs, c);
    }
    c.refs++;
    return c;
  }

  /** Forgets a class with no edge request left, so replaced models do not pile up. */
  leave(c: MoveClass<Node>): void {
    if (--c.refs > 0) return;
    const byBudget = this.byModel.get(c.model);
    byBudget?.delete(c.budgetMs);
    if (byBudget?.size === 0) this.byModel.delete(c.model);
  }
}
