// `fleximigrate bench scheduler` (or `npm run bench -- scheduler`):
// places a seeded trace (requests with releases, steady state; each with a
// request rate) on a synthetic cluster with delay-aware, delay-aware with the
// synthetic downtime model (migration-aware admission) and least-loaded in the
// same process, and prints decisions per second, p50/p99 decision latency and
// peak RSS with the ratio, moves per case-3 admission, moved CPU and memory, and
// the requests the moves make late (every row's moves judged by the same model).
import { formatTable, printJson } from "../src/cli/output.js";
import { defineCommand } from "../src/cli/define.js";
import * as flag from "../src/cli/flags.js";
import { downtimeTable, lateRequests } from "../scheduler/placement/downtime.js";
import { createPolicy, type PolicyName } from "../scheduler/placement/policies.js";
import { MILLI } from "../scheduler/placement/share.js";
import { SYNTHETIC_DOWNTIME, SYNTHETIC_MODELS, syntheticNodes, syntheticTrace } from "../scheduler/planner/trace-generator.js";
import type { TraceEvent } from "../scheduler/planner/requests-file.js";
import type { NodeSpec, TaskRequest } from "../scheduler/placement/types.js";

/** The rows: a policy, with or without the downtime model (migration-aware admission). */
/** The bench trace's shape and seed; bench rule3-bound replays the same trace with the same flags. */
export const TRACE_FLAGS = {
  requests: flag.number("N", "requests in the trace", { integer: true, min: 1, default: 100_000 }),
  edge: flag.number("N", "edge nodes", { integer: true, min: 0, default: 900 }),
  cloud: flag.number("N", "cloud nodes", { integer: true, min: 0, default: 100 }),
  concurrent: flag.number("N", "requests running at once, on average", { integer: true, min: 1, default: 22_000 }),
  seed: flag.number("N", "seed of the trace", { integer: true, min: 0, default: 42 }),
};

const ROWS = [
  { label: "delay-aware", policy: "delay-aware", downtime: false },
  { label: "delay-aware+downtime", policy: "delay-aware", downtime: true },
  { label: "least-loaded", policy: "least-loaded", downtime: false },
] as const;

export interface BenchRow {
  policy: string;
  decisionsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMiB: number;
  decisions: number;
  placed: number;
  refused: number;
  migrations: number;
  /** migrations / case-3 admissions (requests placed after moves); 0 when none. */
  movesPerAdmission: number;
  /** CPU the moved requests hold on their new nodes, summed over every move (cores). */
  movedCpu: number;
  /** Memory the moves carried (MiB, the synthetic downtime model's working sets). */
  movedMiB: number;
  /** Requests the moves make late (frozen past their slack at their rate, by the synthetic downtime model). */
  lateByMoves: number;
  cases: Record<string, number>;
}

export const command = defineCommand({
  name: "bench scheduler",
  description: `Places a seeded trace on a synthetic cluster and prints, for delay-aware, delay-aware
with a downtime model (migration-aware admission) and least-loaded: decisions/s,
p50 and p99 decision latency, peak RSS of the process so far, moves per case-3
admission, moved CPU and memory, requests late by moves, and how decisions split by case.`,
  flags: {
    ...TRACE_FLAGS,
    json: flag.boolean("print the rows as JSON"),
  },
  run: async (parsed) => bench(parsed.values),
});

function bench(v: { requests: number; edge: number; cloud: number; concurrent: number; seed: number; json: boolean }): number {
  const { requests, edge, cloud, concurrent, seed } = v;

  const nodes = syntheticNodes({ edge, cloud });
  const trace = syntheticTrace({ requests, meanConcurrent: concurrent, seed, rates: true });
  const rows = ROWS.map((r) => measure(r.policy, nodes, trace, r.downtime, r.label));

  if (v.json) {
    printJson(rows);
    return 0;
  }
  process.stdout.write(
    `${edge} edge + ${cloud} cloud nodes, ${requests} requests (${trace.length - requests} releases), ~${concurrent} running\n\n`,
  );
  process.stdout.write(
    formatTable(
      ["POLICY", "DECISIONS/S", "P50_MS", "P99_MS", "PEAK_RSS_MIB", "PLACED", "REFUSED", "MIGRATIONS", "MOVES/ADMIT", "MOVED_CPU", "MOVED_MIB", "LATE_BY_MOVES", "CASES"],
      rows.map((r) => [
        r.policy,
        r.decisionsPerSec,
        r.p50Ms.toFixed(4),
        r.p99Ms.toFixed(4),
        r.peakRssMiB,
        r.placed,
        r.refused,
        r.migrations,
        r.movesPerAdmission.toFixed(2),
        r.movedCpu.toFixed(1),
        r.movedMiB.toFixed(0),
        r.lateByMoves.toFixed(1),
        Object.entries(r.cases)
          .map(([k, n]) => `${k}:${n}`)
          .join(" "),
      ]),
    ),
  );
  const [da, , ll] = rows as [BenchRow, BenchRow, BenchRow];
  process.stdout.write(
    `\ndelay-aware / least-loaded: ${(da.decisionsPerSec / ll.decisionsPerSec).toFixed(2)}x decisions/s, ` +
      `p99 ${(da.p99Ms / ll.p99Ms).toFixed(2)}x\n` +
      `goal: 50000 decisions/s and p99 < 1 ms: ${da.decisionsPerSec >= 50_000 && da.p99Ms < 1 ? "met" : "NOT met"}; ` +
      `at most 1.5 moves per case-3 admission: ${da.movesPerAdmission <= 1.5 ? "met" : "NOT met"}\n`,
  );
  return 0;
}

/**
 * Runs one policy over the trace; times every place() and the whole run (releases included).
 * With `downtime`, the policy knows the synthetic downtime model; either way its moves are
 * judged by it (late requests, moved memory), outside the timed calls.
 */
export function measure(policyName: PolicyName, nodes: NodeSpec[], trace: TraceEvent[], downtime = false, label: string = policyName): BenchRow {
  const model = downtimeTable(SYNTHETIC_DOWNTIME);
  const policy = createPolicy(policyName, { nodes, models: SYNTHETIC_MODELS, seed: 1, ...(downtime ? { downtime: model } : {}) });
  const delayOf = new Map(nodes.map((n) => [n.name, n.netDelayMs]));
  // Each running request and its share where it runs, to judge its moves.
  const running = new Map<string, { request: TaskRequest; shareMilli: number }>();
  let movedMiB = 0;
  let lateByMoves = 0;
  const latNs = new Float64Array(trace.length);
  const cases: Record<string, number> = {};
  let decisions = 0;
  let placed = 0;
  let migrations = 0;
  let movedCpu = 0;
  const start = process.hrtime.bigint();
  for (const ev of trace) {
    if (ev.kind === "release") {
      policy.release(ev.id);
      running.delete(ev.id);
      continue;
    }
    const t0 = process.hrtime.bigint();
    const d = policy.place(ev.request);
    latNs[decisions++] = Number(process.hrtime.bigint() - t0);
    if (d.node !== null) placed++;
    migrations += d.migrations.length;
    for (const m of d.migrations) {
      movedCpu += m.cpuShare;
      const r = running.get(m.request)!;
      const cost = model.estimate(r.request);
      const key = `${r.request.workload}/${r.request.inputClass}`;
      if (cost) {
        movedMiB += cost.workingSetMiB ?? 0;
        lateByMoves += lateRequests(r.request, SYNTHETIC_MODELS[key]!, r.shareMilli, delayOf.get(m.from)!, cost.frozenMs);
      }
      r.shareMilli = Math.round(m.cpuShare * MILLI);
    }
    if (d.node !== null) running.set(d.request, { request: ev.request, shareMilli: Math.round(d.cpuShare! * MILLI) });
    const c = d.node === null ? "refused" : d.case === undefined ? d.node.startsWith("edge") ? "edge" : "cloud" : `case${d.case}`;
    cases[c] = (cases[c] ?? 0) + 1;
  }
  const wallNs = Number(process.hrtime.bigint() - start);
  const sorted = latNs.subarray(0, decisions).sort();
  const q = (p: number) => sorted[Math.min(decisions - 1, Math.floor(p * decisions))]! / 1e6;
  return {
    policy: label,
    decisionsPerSec: Math.round(decisions / (wallNs / 1e9)),
    p50Ms: round4(q(0.5)),
    p99Ms: round4(q(0.99)),
    // maxRSS is the process's peak so far (KiB): the second policy's figure includes the first's.
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    decisions,
    placed,
    refused: decisions - placed,
    migrations,
    movesPerAdmission: round4(cases.case3 ? migrations / cases.case3 : 0),
    movedCpu: Math.round(movedCpu * 1000) / 1000,
    movedMiB: Math.round(movedMiB),
    lateByMoves: Math.round(lateByMoves * 10) / 10,
    cases,
  };
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
