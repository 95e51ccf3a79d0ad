// The store against the agents: each report of an agent's node says which
// workloads run there. A task the scheduler placed there whose workload the
// agent does not report is flagged missing; a workload the agent reports that
// no task of the scheduler owns is flagged unknown. This is what a restart
// relies on (the store says where things run; the agents say what runs), and
// it keeps checking after that.
//
// A difference counts once two reports in a row show it: a report is built
// before it is sent, so one taken while a workload starts or stops may be
// behind the scheduler by a moment. Tasks whose move is in flight, and the
// nodes such a move touches, are left alone until it ends. Pure: no I/O; the
// caller emits the changes this answers.

export interface ReportedWorkload {
  id: string;
  /** An agent that reports ended workloads marks them; absent means running. */
  state?: string;
}

export interface NodeExpectation {
  node: string;
  /** Workload id -> the task that owns it, for every task placed on this node with a workload. */
  expected: ReadonlyMap<string, string>;
  /** Tasks whose move is in flight from or to this node: their workloads are not judged now. */
  moving: ReadonlySet<string>;
}

export interface MissingWorkload {
  kind: "missing";
  node: string;
  task: string;
  workload: string;
  since: string;
}

export interface UnknownWorkload {
  kind: "unknown";
  node: string;
  workload: string;
  since: string;
}

export type Discrepancy = MissingWorkload | UnknownWorkload;

export interface ReconcileChanges {
  flagged: Discrepancy[];
  resolved: Discrepancy[];
}

export class Reconciler {
  /** Per node: what one report showed (not yet flagged), and what two in a row showed (flagged). */
  private readonly seen = new Map<string, Map<string, Discrepancy>>();
  private readonly flagged = new Map<string, Map<string, Discrepancy>>();

  /** One report of `node`; answers what became flagged and what was resolved. */
  report(exp: NodeExpectation, workloads: readonly ReportedWorkload[], at: string): ReconcileChanges {
    const running = new Set(workloads.filter((w) => w.state === undefined || w.state === "running").map((w) => w.id));
    const now = new Map<string, Discrepancy>();
    for (const [workload, task] of exp.expected) {
      if (exp.moving.has(task) || running.has(workload)) continue;
      now.set(`missing:${workload}`, { kind: "missing", node: exp.node, task, workload, since: at });
    }
    // While a move touches the node, a workload under a new id may be the move's own.
    if (exp.moving.size === 0) {
      for (const workload of running) {
        if (!exp.expected.has(workload)) now.set(`unknown:${workload}`, { kind: "unknown", node: exp.node, workload, since: at });
      }
    }
    const seenBefore = this.seen.get(exp.node) ?? new Map<string, Discrepancy>();
    const flaggedBefore = this.flagged.get(exp.node) ?? new Map<string, Discrepancy>();
    const flaggedNow = new Map<string, Discrepancy>();
    const seenNow = new Map<string, Discrepancy>();
    const changes: ReconcileChanges = { flagged: [], resolved: [] };
    for (const [key, d] of now) {
      const kept = flaggedBefore.get(key);
      if (kept && sameOwner(kept, d)) flaggedNow.set(key, kept);
      else if (seenBefore.has(key) && sameOwner(seenBefore.get(key)!, d)) {
        const first = { ...d, since: seenBefore.get(key)!.since };
        flaggedNow.set(key, first);
        changes.flagged.push(first);
      } else seenNow.set(key, d);
    }
    for (const [key, d] of flaggedBefore) if (!flaggedNow.has(key)) changes.resolved.push(d);
    this.setOrDrop(this.flagged, exp.node, flaggedNow);
    this.setOrDrop(this.seen, exp.node, seenNow);
    return changes;
  }

  /** The node is gone: its flags go too (answered as resolved). */
  forgetNode(node: string): Discrepancy[] {
    const gone = [...(this.flagged.get(node)?.values() ?? [])];
    this.flagged.delete(node);
    this.seen.delete(node);
    return gone;
  }

  /** Everything flagged now, node by node. */
  all(): Discrepancy[] {
    return [...this.flagged.values()].flatMap((m) => [...m.values()]);
  }

  /** The flag on this task, if its workload is missing. */
  missing(task: string): MissingWorkload | undefined {
    for (const m of this.flagged.values()) for (const d of m.values()) if (d.kind === "missing" && d.task === task) return d;
    return undefined;
  }

  private setOrDrop(table: Map<string, Map<string, Discrepancy>>, node: string, m: Map<string, Discrepancy>): void {
    if (m.size === 0) table.delete(node);
    else table.set(node, m);
  }
}

function sameOwner(a: Discrepancy, b: Discrepancy): boolean {
  return a.kind !== "missing" || b.kind !== "missing" || a.task === b.task;
}
