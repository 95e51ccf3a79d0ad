// Score: nodes in name order, in turn: the first after the node used last comes
// first. Keeps its place in a ring of the nodes sorted by name; when nodes join
// or leave, the place stays at the same name (or the next one).
import type { ScorePlugin } from "../framework.js";
import { byName, type NodeState } from "../node-state.js";

export class RoundRobin implements ScorePlugin {
  readonly name = "round-robin";
  private ring: NodeState[] = [];
  private readonly position = new Map<NodeState, number>();
  /** Position in the ring of the node to try first. */
  private cursor = 0;

  compare(a: NodeState, b: NodeState): number {
    return this.turn(a) - this.turn(b);
  }

  reserve(node: NodeState): void {
    this.cursor = (this.position.get(node)! + 1) % this.ring.length;
  }

  nodesChanged(nodes: ReadonlyMap<string, NodeState>): void {
    const next = this.ring[this.cursor]?.name;
    this.ring = [...nodes.values()].sort((a, b) => byName(a.name, b.name));
    this.position.clear();
    for (const [i, n] of this.ring.entries()) this.position.set(n, i);
    const at = next === undefined ? -1 : this.ring.findIndex((x) => byName(x.name, next) >= 0);
    this.cursor = Math.max(at, 0);
  }

  /** How many nodes come before `node` from the cursor on. */
  private turn(node: NodeState): number {
    return (this.position.get(node)! - this.cursor + this.ring.length) % this.ring.length;
  }
}
