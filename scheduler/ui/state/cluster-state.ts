// Nodes view model: the edge and cloud nodes with the CPU the scheduler
// reserved and the CPU the agent measured, and on each node its tasks with
// budget, predicted and measured latency. Fed by GET /v1/nodes, GET
// /v1/placements, GET /v1/tasks/:id/latency, then by events: placed, released,
// a move COMPLETED (the task runs at its destination), node-registered,
// node-removed, node.report, task.latency, task.(un)available. Pure.
import type { NodeView, PlacementView, TaskLatencyView, Tier } from "../../../src/api-types/scheduler.js";
import type { SchedulerUiEvent } from "./events.js";

export interface NodeRow {
  name: string;
  tier: Tier;
  cpus: number;
  /** Reserved by placements (cores). */
  usedCpus: number;
  /** The agent's measured machine CPU use, 0..1; null before a report. */
  measuredCpu: number | null;
  reportedAt: string | null;
  netDelayMs: number;
}

export interface TaskRow {
  id: string;
  device: string;
  node: string;
  workload: string;
  inputClass: string;
  cpuShare: number;
  budgetMs: number;
  predictedMs: number;
  /** Measured e2e p50/p95 in the scheduler's window; null before samples. */
  measuredP50: number | null;
  measuredP95: number | null;
  missRate: number | null;
  serviceIp: string | null;
  unavailable: boolean;
}

export interface ClusterState {
  nodes: ReadonlyMap<string, NodeRow>;
  tasks: ReadonlyMap<string, TaskRow>;
}

export const emptyCluster = (): ClusterState => ({ nodes: new Map(), tasks: new Map() });

export function withNodes(state: ClusterState, nodes: NodeView[]): ClusterState {
  const map = new Map<string, NodeRow>();
  for (const n of nodes) {
    const cpu = (n.report?.cpu as { usage?: unknown } | undefined)?.usage;
    map.set(n.name, {
      name: n.name,
      tier: n.tier,
      cpus: n.cpus,
      usedCpus: n.usedCpus,
      measuredCpu: typeof cpu === "number" ? cpu : null,
      reportedAt: n.reportedAt ?? null,
      netDelayMs: n.netDelayMs,
    });
  }
  return { ...state, nodes: map };
}

export function withPlacements(state: ClusterState, placements: PlacementView[]): ClusterState {
  const tasks = new Map<string, TaskRow>();
  for (const p of placements) {
    const before = state.tasks.get(p.request.id);
    tasks.set(p.request.id, {
      id: p.request.id,
      device: p.request.device,
      node: p.node,
      workload: p.request.workload,
      inputClass: p.request.inputClass,
      cpuShare: p.cpuShare,
      budgetMs: p.request.delayBudgetMs,
      predictedMs: p.predictedDelayMs,
      measuredP50: before?.measuredP50 ?? null,
      measuredP95: before?.measuredP95 ?? null,
      missRate: before?.missRate ?? null,
      serviceIp: p.serviceIp ?? null,
      unavailable: p.unavailable ?? false,
    });
  }
  return { ...state, tasks };
}

/** One task's placement read again (GET /v1/tasks/:id): its service IP arrives this way after a placed event. */
export function withPlacement(state: ClusterState, p: PlacementView): ClusterState {
  const t = state.tasks.get(p.request.id);
  if (!t) return state;
  return { ...state, tasks: new Map(state.tasks).set(t.id, { ...t, node: p.node, serviceIp: p.serviceIp ?? t.serviceIp, unavailable: p.unavailable ?? false }) };
}

export function withLatency(state: ClusterState, l: TaskLatencyView): ClusterState {
  const t = state.tasks.get(l.task);
  if (!t) return state;
  const tasks = new Map(state.tasks).set(l.task, {
    ...t,
    node: l.node,
    cpuShare: l.cpuShare,
    predictedMs: l.predicted.e2eMs,
    measuredP50: l.measured.e2eMs.p50,
    measuredP95: l.measured.e2eMs.p95,
    missRate: l.measured.missRate,
  });
  return { ...state, tasks };
}

export function applyClusterEvent(state: ClusterState, e: SchedulerUiEvent): ClusterState {
  switch (e.type) {
    case "placed": {
      const tasks = new Map(state.tasks).set(e.task.id, {
        id: e.task.id,
        device: e.task.device,
        node: e.node,
        workload: e.task.workload,
        inputClass: e.task.inputClass,
        cpuShare: e.cpuShare,
        budgetMs: e.task.delayBudgetMs,
        predictedMs: e.predictedDelayMs,
        measuredP50: null,
        measuredP95: null,
        missRate: null,
        serviceIp: state.tasks.get(e.task.id)?.serviceIp ?? null,
        unavailable: false,
      });
      return { nodes: reserve(state.nodes, e.node, e.cpuShare), tasks };
    }
    case "released": {
      const t = state.tasks.get(e.task);
      if (!t) return state;
      const tasks = new Map(state.tasks);
      tasks.delete(e.task);
      return { nodes: reserve(state.nodes, t.node, -t.cpuShare), tasks };
    }
    case "migration.transition": {
      const t = state.tasks.get(e.task);
      if (e.state !== "COMPLETED" || !t || t.node === e.to) return state;
      const tasks = new Map(state.tasks).set(e.task, { ...t, node: e.to });
      return { nodes: reserve(reserve(state.nodes, t.node, -t.cpuShare), e.to, t.cpuShare), tasks };
    }
    case "node-registered": {
      const before = state.nodes.get(e.node.name);
      const row: NodeRow = {
        name: e.node.name,
        tier: e.node.tier,
        cpus: e.node.cpus,
        usedCpus: before?.usedCpus ?? 0,
        measuredCpu: before?.measuredCpu ?? null,
        reportedAt: before?.reportedAt ?? null,
        netDelayMs: e.node.netDelayMs,
      };
      return { ...state, nodes: new Map(state.nodes).set(row.name, row) };
    }
    case "node-removed": {
      const nodes = new Map(state.nodes);
      nodes.delete(e.node);
      return { ...state, nodes };
    }
    case "node.report": {
      const n = state.nodes.get(e.node);
      if (!n) return state;
      return { ...state, nodes: new Map(state.nodes).set(e.node, { ...n, cpus: e.cpus, usedCpus: e.usedCpus, measuredCpu: e.cpuUsage, reportedAt: e.receivedAt }) };
    }
    case "task.latency":
      return withLatency(state, e.latency);
    case "task.unavailable":
    case "task.available": {
      const t = state.tasks.get(e.task);
      if (!t) return state;
      return { ...state, tasks: new Map(state.tasks).set(e.task, { ...t, unavailable: e.type === "task.unavailable" }) };
    }
    default:
      return state;
  }
}

/** Nodes edge first then cloud, by name; each with its tasks by id. */
export function nodeRows(state: ClusterState): Array<NodeRow & { tasks: TaskRow[] }> {
  const tierRank = (t: Tier) => (t === "edge" ? 0 : 1);
  return [...state.nodes.values()]
    .sort((a, b) => tierRank(a.tier) - tierRank(b.tier) || a.name.localeCompare(b.name))
    .map((n) => ({ ...n, tasks: [...state.tasks.values()].filter((t) => t.node === n.name).sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true })) }));
}

/** A CPU fraction for a bar: 0..1, clamped. */
export function barFraction(used: number, total: number): number {
  return total > 0 ? Math.min(1, Math.max(0, used / total)) : 0;
}

function reserve(nodes: ReadonlyMap<string, NodeRow>, name: string, cores: number): ReadonlyMap<string, NodeRow> {
  const n = nodes.get(name);
  if (!n) return nodes;
  return new Map(nodes).set(name, { ...n, usedCpus: Math.max(0, round(n.usedCpus + cores)) });
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
