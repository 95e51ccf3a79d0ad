// Seeded synthetic clusters and request traces (for the benchmark, tests and
// demos). Each request is released after a random lifetime counted in later
// requests, so the cluster reaches a steady state around `meanConcurrent`.
import { seededRng } from "../../src/random.js";
import type { DowntimeEstimate } from "../placement/downtime.js";
import type { ModelTable, NodeSpec, TaskRequest } from "../placement/types.js";
import type { TraceEvent } from "./requests-file.js";

export interface ClusterShape {
  edge: number;
  cloud: number;
  edgeDelaysMs?: number[];
  cloudDelaysMs?: number[];
  edgeCpus?: number[];
  cloudCpus?: number[];
}

/** Nodes named edge0001.., cloud001..; delays and sizes cycle through the given lists. */
export function syntheticNodes(shape: ClusterShape): NodeSpec[] {
  const { edgeDelaysMs = [2, 5, 10], cloudDelaysMs = [30, 60], edgeCpus = [2, 4, 8], cloudCpus = [16, 32] } = shape;
  const pad = (i: number, n: number) => String(i + 1).padStart(String(n).length, "0");
  const nodes: NodeSpec[] = [];
  for (let i = 0; i < shape.edge; i++) {
    nodes.push({
      name: `edge${pad(i, shape.edge)}`,
      tier: "edge",
      cpus: edgeCpus[i % edgeCpus.length]!,
      netDelayMs: edgeDelaysMs[Math.floor(i / edgeCpus.length) % edgeDelaysMs.length]!,
    });
  }
  for (let i = 0; i < shape.cloud; i++) {
    nodes.push({
      name: `cloud${pad(i, shape.cloud)}`,
      tier: "cloud",
      cpus: cloudCpus[i % cloudCpus.length]!,
      netDelayMs: cloudDelaysMs[Math.floor(i / cloudCpus.length) % cloudDelaysMs.length]!,
    });
  }
  return nodes;
}

/** Models shaped like the profiled defaults: 60-240 ms at one core. */
export const SYNTHETIC_MODELS: ModelTable = {
  "detect/small": { kind: "exponential", a: 900, b: -2.1 },
  "detect/large": { kind: "exponential", a: 1200, b: -1.6 },
  "classify/small": { kind: "power", a: 60, b: -0.9 },
  "transcode/large": { kind: "power", a: 180, b: -1.1 },
};

/**
 * Moves' downtime per workload, shaped like measured ones (larger working sets freeze longer),
 * for the bench's migration-aware row.
 */
export const SYNTHETIC_DOWNTIME: Record<string, DowntimeEstimate> = {
  detect: { frozenMs: 600, workingSetMiB: 400 },
  classify: { frozenMs: 150, workingSetMiB: 60 },
  transcode: { frozenMs: 900, workingSetMiB: 700 },
};

export interface TraceShape {
  requests: number;
  meanConcurrent: number;
  seed: number;
  models?: ModelTable;
  budgetsMs?: number[];
  /** Fraction of requests with an explicit priority 0..3. */
  prioritized?: number;
  /**
   * Give requests a rate (requestsPerSec 0..10, one in eleven none), from their index: the
   * random draws, hence the trace otherwise, stay the same.
   */
  rates?: boolean;
}

export function syntheticTrace(shape: TraceShape): TraceEvent[] {
  const rand = seededRng(shape.seed);
  const keys = Object.keys(shape.models ?? SYNTHETIC_MODELS);
  const budgets = shape.budgetsMs ?? [150, 200, 250, 300, 400, 600, 800, 1000, 1500, 2000];
  const prioritized = shape.prioritized ?? 0.1;
  // Release slots keyed by request index.
  const due = new Map<number, string[]>();
  const events: TraceEvent[] = [];
  for (let i = 0; i < shape.requests; i++) {
    for (const id of due.get(i) ?? []) events.push({ kind: "release", id, line: events.length + 1 });
    due.delete(i);
    const [workload, inputClass] = keys[Math.floor(rand() * keys.length)]!.split("/") as [string, string];
    const id = `r${i}`;
    const request: TaskRequest = {
      id,
      device: `iot${Math.floor(rand() * 5000)}`,
      workload,
      inputClass,
      delayBudgetMs: budgets[Math.floor(rand() * budgets.length)]!,
    };
    if (rand() < prioritized) request.priority = Math.floor(rand() * 4);
    if (shape.rates && (i * 7) % 11 !== 10) request.requestsPerSec = (i * 7) % 11;
    events.push({ kind: "place", request, line: events.length + 1 });
    // Uniform lifetime in [1, 2*mean): mean concurrency ≈ meanConcurrent.
    const at = i + 1 + Math.floor(rand() * 2 * shape.meanConcurrent);
    const slot = due.get(at);
    if (slot) slot.push(id);
    else due.set(at, [id]);
  }
  return events;
}

/** The trace as REQUESTS.jsonl text. */
export function traceJsonl(events: TraceEvent[]): string {
  return events.map((e) => JSON.stringify(e.kind === "release" ? { release: e.id } : e.request)).join("\n") + "\n";
}
