// Runs a policy over a trace, collecting every decision and the figures the
// compare table shows. The same policy objects as the service; only the
// timing around place() is added here.
import { type DowntimeEstimate, downtimeTable } from "../placement/downtime.js";
import { createPolicy, type PolicyName } from "../placement/policies.js";
import type { Decision, ModelTable, NodeSpec } from "../placement/types.js";
import type { TraceEvent } from "./requests-file.js";

export interface PlanSummary {
  policy: PolicyName;
  requests: number;
  placed: number;
  refused: number;
  /** Placed requests whose predicted delay plus network delay exceeds their budget. */
  deadlineMisses: number;
  /** deadlineMisses / placed (0 when nothing was placed). */
  missRate: number;
  /** Edge CPU in use / edge CPU capacity, averaged over the state after every decision. */
  meanEdgeUsage: number;
  migrations: number;
  /** Requests placed after moves (rule 3, case 3). */
  admittedByMoves: number;
  /** migrations / admittedByMoves (0 when none). */
  movesPerAdmission: number;
  /** CPU the moved requests hold on their new nodes, summed over every move (cores). */
  movedCpu: number;
  /** Requests the moves are expected to make late (frozen past their slack, at their rate; needs the cluster's downtime). */
  lateByMoves: number;
  /** Memory the moves carried (MiB; workloads whose downtime gives a working set). */
  movedMiB: number;
  decisionsPerSec: number;
}

export interface PlanResult {
  decisions: Decision[];
  summary: PlanSummary;
}

/** `minResidenceSec` holds back rule-3 moves of requests placed or moved less than that ago (lines with `at` only). */
export function runPlan(
  policyName: PolicyName,
  cluster: { nodes: NodeSpec[]; models: ModelTable; downtime?: Record<string, DowntimeEstimate> },
  events: TraceEvent[],
  seed = 1,
  minResidenceSec = 0,
): PlanResult {
  const policy = createPolicy(policyName, {
    nodes: cluster.nodes,
    models: cluster.models,
    seed,
    minResidenceSec,
    ...(cluster.downtime ? { downtime: downtimeTable(cluster.downtime) } : {}),
  });
  const nodes = new Map(cluster.nodes.map((n) => [n.name, n]));
  const edgeCap = cluster.nodes.filter((n) => n.tier === "edge").reduce((s, n) => s + n.cpus, 0);
  const running = new Map<string, { node: string; cores: number }>();
  const isEdge = (name: string) => nodes.get(name)?.tier === "edge";
  let edgeUsed = 0;
  let usageSum = 0;
  let placed = 0;
  let misses = 0;
  let migrations = 0;
  let admittedByMoves = 0;
  let movedCpu = 0;
  let lateByMoves = 0;
  let movedMiB = 0;
  let busyNs = 0n;
  const decisions: Decision[] = [];

  for (const ev of events) {
    if (ev.kind === "release") {
      const r = running.get(ev.id);
      if (r && policy.release(ev.id)) {
        if (isEdge(r.node)) edgeUsed -= r.cores;
        running.delete(ev.id);
      }
      continue;
    }
    const t0 = process.hrtime.bigint();
    const d = policy.place(ev.request, ev.atSec === undefined ? {} : { atSec: ev.atSec });
    busyNs += process.hrtime.bigint() - t0;
    decisions.push(d);
    for (const m of d.migrations) {
      const r = running.get(m.request)!;
      if (isEdge(r.node)) edgeUsed -= r.cores;
      r.node = m.to;
      r.cores = m.cpuShare;
      if (isEdge(r.node)) edgeUsed += r.cores;
      migrations++;
      movedCpu += m.cpuShare;
      lateByMoves += m.lateRequests ?? 0;
      movedMiB += m.movedMiB ?? 0;
    }
    if (d.case === 3) admittedByMoves++;
    if (d.node !== null) {
      placed++;
      running.set(d.request, { node: d.node, cores: d.cpuShare! });
      if (isEdge(d.node)) edgeUsed += d.cpuShare!;
      if (missesDeadline(d, nodes.get(d.node)!, ev.request.delayBudgetMs)) misses++;
    }
    usageSum += edgeCap > 0 ? edgeUsed / edgeCap : 0;
  }
  const n = decisions.length;
  return {
    decisions,
    summary: {
      policy: policyName,
      requests: n,
      placed,
      refused: n - placed,
      deadlineMisses: misses,
      missRate: placed > 0 ? misses / placed : 0,
      meanEdgeUsage: n > 0 ? usageSum / n : 0,
      migrations,
      admittedByMoves,
      movesPerAdmission: admittedByMoves > 0 ? migrations / admittedByMoves : 0,
      movedCpu,
      lateByMoves,
      movedMiB,
      decisionsPerSec: busyNs > 0n ? n / (Number(busyNs) / 1e9) : 0,
    },
  };
}

/** A decision misses when its processing delay plus the node's network delay exceeds the budget. */
export function missesDeadline(d: Decision, node: NodeSpec, budgetMs: number): boolean {
  return d.node !== null && (d.predictedDelayMs ?? 0) + node.netDelayMs > budgetMs + 1e-9;
}
