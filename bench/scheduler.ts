// `fleximigrate bench scheduler` (or `npm run bench -- scheduler`):
// places a seeded trace (requests with releases, steady state; each with a
// request rate) on a synthetic cluster with delay-aware, delay-aware with the
// synthetic downtime model (migration-aware admission) and least-loaded in the
// same process, and prints decisions per second, p50/p99 decision latency and
// peak RSS with the ratio, moves per case-3 admission, moved CPU and memory, and
// the requests the moves make late (every row's moves judged by the same model).
// Beside each delay-aware row runs the same policy with the rule-3 planner as
// merged before the indexed scan (bench/scan-move-planner.ts): the rows take
// turns event by event, so both see the same machine load.
import { formatTable, printJson } from "../src/cli/output.js";
import { defineCommand } from "../src/cli/define.js";
import * as flag from "../src/cli/flags.js";
import { IndexedFinder } from "../scheduler/placement/capacity-index.js";
import { DelayAwarePolicy } from "../scheduler/placement/delay-aware.js";
import { downtimeTable, lateRequests } from "../scheduler/placement/downtime.js";
import type { MovePlanner } from "../scheduler/placement/plugins/make-room.js";
import { createPolicy, type PolicyName } from "../scheduler/placement/policies.js";
import type { PlacementPolicy } from "../scheduler/placement/types.js";
import { scanPlanMoves } from "./scan-move-planner.js";
import { MILLI } from "../scheduler/placement/share.js";
import { SYNTHETIC_DOWNTIME, SYNTHETIC_MODELS, syntheticNodes, syntheticTrace } from "../scheduler/planner/trace-generator.js";
import type { TraceEvent } from "../scheduler/planner/requests-file.js";
import type { NodeSpec, TaskRequest } from "../scheduler/placement/types.js";

/** The bench trace's shape and seed; bench rule3-bound replays the same trace with the same flags. */
export const TRACE_FLAGS = {
  requests: flag.number("N", "requests in the trace", { integer: true, min: 1, default: 100_000 }),
  edge: flag.number("N", "edge nodes", { integer: true, min: 0, default: 900 }),
  cloud: flag.number("N", "cloud nodes", { integer: true, min: 0, default: 100 }),
  concurrent: flag.number("N", "requests running at once, on average", { integer: true, min: 1, default: 22_000 }),
  seed: flag.number("N", "seed of the trace", { integer: true, min: 0, default: 42 }),
};

/** The rows: a policy, with or without the downtime model (migration-aware admission), with the current or the previous rule-3 planner. */
export interface RowSpec {
  label: string;
  policy: PolicyName;
  downtime: boolean;
  /** Rule 3's planner (default: the policy's own). */
  planner?: MovePlanner;
}

const ROWS: RowSpec[] = [
  { label: "delay-aware", policy: "delay-aware", downtime: false },
  { label: "delay-aware:scan", policy: "delay-aware", downtime: false, planner: scanPlanMoves },
  { label: "delay-aware+downtime", policy: "delay-aware", downtime: true },
  { label: "delay-aware+downtime:scan", policy: "delay-aware", downtime: true, planner: scanPlanMoves },
  { label: "least-loaded", policy: "least-loaded", downtime: false },
];

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
  /** A hash of every decision (node, case, reason, moves): rows with equal digests decided alike. */
  digest: string;
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
  const rows = measureTogether(ROWS, nodes, trace);

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
  const [da, scan, dt, dtScan, ll] = rows as [BenchRow, BenchRow, BenchRow, BenchRow, BenchRow];
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  process.stdout.write(
    `\ndelay-aware / least-loaded: ${x(da.decisionsPerSec, ll.decisionsPerSec)} decisions/s, p99 ${x(da.p99Ms, ll.p99Ms)}\n` +
      `delay-aware / previous scan planner (same decisions: ${sameDecisions(da, scan) && sameDecisions(dt, dtScan) ? "yes" : "NO"}): ` +
      `${x(da.decisionsPerSec, scan.decisionsPerSec)} decisions/s, p99 ${x(da.p99Ms, scan.p99Ms)}; ` +
      `with downtime ${x(dt.decisionsPerSec, dtScan.decisionsPerSec)} decisions/s, p99 ${x(dt.p99Ms, dtScan.p99Ms)}\n` +
      `goal: 50000 decisions/s and p99 < 1 ms: ${da.decisionsPerSec >= 50_000 && da.p99Ms < 1 ? "met" : "NOT met"}; ` +
      `at most 1.5 moves per case-3 admission: ${da.movesPerAdmission <= 1.5 ? "met" : "NOT met"}\n`,
  );
  return 0;
}

/** Whether two rows made the same decisions (their digests: every decision's node, case, moves and reason). */
function sameDecisions(a: BenchRow, b: BenchRow): boolean {
  return a.digest === b.digest;
}

/** Runs one row over the trace (see measureTogether). */
export function measure(policyName: PolicyName, nodes: NodeSpec[], trace: TraceEvent[], downtime = false, label: string = policyName): BenchRow {
  return measureTogether([{ label, policy: policyName, downtime }], nodes, trace)[0]!;
}

/**
 * Runs the rows over the trace in turns (each event goes to every row before the next), timing
 * every place() and each row's whole run (releases included). With `downtime`, a row's policy
 * knows the synthetic downtime model; either way its moves are judged by it (late requests,
 * moved memory), outside the timed calls.
 */
export function measureTogether(specs: readonly RowSpec[], nodes: NodeSpec[], trace: TraceEvent[]): BenchRow[] {
  const model = downtimeTable(SYNTHETIC_DOWNTIME);
  const delayOf = new Map(nodes.map((n) => [n.name, n.netDelayMs]));
  const runs = specs.map((spec) => new RowRun(spec, nodes, trace.length));
  // Turns alternate in direction, so no row always runs right after another one's event (caches).
  const reversed = [...runs].reverse();
  for (let i = 0; i < trace.length; i++) for (const run of i % 2 === 0 ? runs : reversed) run.apply(trace[i]!, model, delayOf);
  return runs.map((run) => run.row());
}

/** One row's policy and figures while the trace runs. */
class RowRun {
  private readonly policy: PlacementPolicy;
  /** Each running request and its share where it runs, to judge its moves. */
  private readonly running = new Map<string, { request: TaskRequest; shareMilli: number }>();
  private readonly latNs: Float64Array;
  private readonly cases: Record<string, number> = {};
  private wallNs = 0;
  private decisions = 0;
  private placed = 0;
  private migrations = 0;
  private movedCpu = 0;
  private movedMiB = 0;
  private lateByMoves = 0;
  private digest = 0;

  constructor(
    private readonly spec: RowSpec,
    nodes: NodeSpec[],
    events: number,
  ) {
    const opts = { nodes, models: SYNTHETIC_MODELS, seed: 1, ...(spec.downtime ? { downtime: downtimeTable(SYNTHETIC_DOWNTIME) } : {}) };
    this.policy = spec.planner ? new DelayAwarePolicy(opts, new IndexedFinder(), spec.planner) : createPolicy(spec.policy, opts);
    this.latNs = new Float64Array(events);
  }

  apply(ev: TraceEvent, model: ReturnType<typeof downtimeTable>, delayOf: Map<string, number>): void {
    if (ev.kind === "release") {
      const t0 = process.hrtime.bigint();
      this.policy.release(ev.id);
      this.wallNs += Number(process.hrtime.bigint() - t0);
      this.running.delete(ev.id);
      return;
    }
    const t0 = process.hrtime.bigint();
    const d = this.policy.place(ev.request);
    const ns = Number(process.hrtime.bigint() - t0);
    this.wallNs += ns;
    this.latNs[this.decisions++] = ns;
    this.digest = hash(this.digest, `${d.node}|${d.case}|${d.reason ?? ""}|${d.migrations.map((m) => `${m.request}>${m.to}`).join(",")}`);
    if (d.node !== null) this.placed++;
    this.migrations += d.migrations.length;
    for (const m of d.migrations) {
      this.movedCpu += m.cpuShare;
      const r = this.running.get(m.request)!;
      const cost = model.estimate(r.request);
      const key = `${r.request.workload}/${r.request.inputClass}`;
      if (cost) {
        this.movedMiB += cost.workingSetMiB ?? 0;
        this.lateByMoves += lateRequests(r.request, SYNTHETIC_MODELS[key]!, r.shareMilli, delayOf.get(m.from)!, cost.frozenMs);
      }
      r.shareMilli = Math.round(m.cpuShare * MILLI);
    }
    if (d.node !== null) this.running.set(d.request, { request: ev.request, shareMilli: Math.round(d.cpuShare! * MILLI) });
    const c = d.node === null ? "refused" : d.case === undefined ? (d.node.startsWith("edge") ? "edge" : "cloud") : `case${d.case}`;
    this.cases[c] = (this.cases[c] ?? 0) + 1;
  }

  row(): BenchRow {
    const n = this.decisions;
    const sorted = this.latNs.subarray(0, n).sort();
    const q = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))]! / 1e6;
    return {
      policy: this.spec.label,
      decisionsPerSec: Math.round(n / (this.wallNs / 1e9)),
      p50Ms: round4(q(0.5)),
      p99Ms: round4(q(0.99)),
      // maxRSS is the process's peak so far (KiB): the rows run together, so it is the same for all.
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      decisions: n,
      placed: this.placed,
      refused: n - this.placed,
      migrations: this.migrations,
      movesPerAdmission: round4(this.cases.case3 ? this.migrations / this.cases.case3 : 0),
      movedCpu: Math.round(this.movedCpu * 1000) / 1000,
      movedMiB: Math.round(this.movedMiB),
      lateByMoves: Math.round(this.lateByMoves * 10) / 10,
      cases: this.cases,
      digest: this.digest.toString(16).padStart(8, "0"),
    };
  }
}

/** FNV-1a over the text, continuing from `h`. */
function hash(h: number, text: string): number {
  h = (h ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
