// A placement policy: one profile of plugins run by the framework's decision
// loop, inside what every policy shares: request checks that turn bad input
// into refusals, release, live node registration, and the read-only views.
import { type LatencyModel, modelKey, predictLatencyMs } from "../../src/latency/model.js";
import type { NodeFinder } from "./node-finder.js";
import { ClusterState } from "./cluster-state.js";
import { Framework, type Profile, withFilter } from "./framework.js";
import { regulationFilter } from "./plugins/regulation.js";
import type { DowntimeModel } from "./downtime.js";
import type { NodeState } from "./node-state.js";
import { INFEASIBLE, infeasibleReason, type NeedAt, toCores } from "./share.js";
import type {
  Decision,
  DecisionContext,
  Migration,
  ModelTable,
  MoveLimits,
  NodeAdmission,
  NodeSpec,
  NodeUsage,
  Placement,
  PlacementPolicy,
  PlacementRecord,
  RefusalCode,
  TaskRequest,
} from "./types.js";

export interface PolicyOptions {
  nodes: NodeSpec[];
  /** Looked up at decision time, so a caller may add models later. */
  models: ModelTable;
  seed?: number;
  /** Rule 3 does not move a request placed or moved less than this many seconds ago (default 0: no limit). */
  minResidenceSec?: number;
  /** Data protection: which nodes regulated requests may run on (every pass gets the regulation filter; rule 3 asks it too). */
  admission?: NodeAdmission;
  /** Migration-aware admission: each workload's expected downtime (absent: moves cost nothing known). */
  downtime?: DowntimeModel;
}

export class BasePolicy implements PlacementPolicy {
  readonly name: string;
  private readonly state: ClusterState;
  private readonly models: ModelTable;
  private readonly framework: Framework;
  private readonly minResidenceSec: number;
  readonly admission?: NodeAdmission;
  /** Replaceable: the service refreshes it from measured moves. */
  downtime?: DowntimeModel;

  /** `finder` answers the passes the capacity index knows: IndexedFinder, or ScanFinder as the plain reference. */
  constructor(profile: Profile, opts: PolicyOptions, finder: NodeFinder) {
    this.name = profile.name;
    this.admission = opts.admission;
    this.framework = new Framework(opts.admission ? withFilter(profile, regulationFilter(opts.admission)) : profile);
    this.state = new ClusterState(finder);
    this.models = opts.models;
    this.minResidenceSec = opts.minResidenceSec ?? 0;
    if (opts.downtime) this.downtime = opts.downtime;
    for (const n of opts.nodes) this.state.addNode(n);
    this.framework.nodesChanged(this.state.nodes);
  }

  place(request: TaskRequest, context: DecisionContext = {}): Decision {
    const bad = invalidRequest(request);
    if (bad) return refusal(String((request as Partial<TaskRequest>)?.id ?? ""), bad, "invalid_request");
    if (this.state.tasks.has(request.id)) return refusal(request.id, `request '${request.id}' is already placed`, "duplicate_id");
    const key = modelKey(request.workload, request.inputClass);
    const model = Object.hasOwn(this.models, key) ? this.models[key] : undefined;
    if (!model) return refusal(request.id, `unknown model class '${key}'`, "unknown_model");
    if (this.state.nodes.size === 0) return refusal(request.id, "no nodes registered", "no_nodes");
    const limits: MoveLimits = { ...context, minResidenceSec: this.minResidenceSec, request };
    if (this.admission) limits.admission = this.admission;
    if (this.downtime) limits.downtime = this.downtime;
    return this.decide(request, model, limits);
  }

  /** Decides for a valid, new request with a known model; changes state only when it places. */
  private decide(request: TaskRequest, model: LatencyModel, limits: MoveLimits): Decision {
    const profile = this.framework.profile;
    const need = profile.share.needAt(model, request);
    const notes: string[] = [];
    const outcome = this.framework.schedule(this.state, need, limits, notes);
    const note = `${profile.refusalNote ?? ""}${notes.join("")}`;
    if (!outcome) return this.noRoom(request, model, need, note);
    const shareMilli = need(outcome.node.netDelayMs);
    this.state.assign(request, model, outcome.node, shareMilli, limits.atSec);
    const decision = decisionFor(request.id, model, outcome.node, shareMilli, outcome.case, outcome.migrations);
    // A fallback after post-filters failed (rule 2) says why the first pass could not be used.
    if (notes.length > 0) decision.reason = `no edge node has room${note}`;
    this.framework.reserve(outcome.node);
    return decision;
  }

  release(requestId: string): boolean {
    return this.state.release(requestId) !== undefined;
  }

  relocate(requestId: string, nodeName: string): boolean {
    const task = this.state.tasks.get(requestId);
    const node = this.state.nodes.get(nodeName);
    if (!task || !node) return false;
    if (task.node === node) return true;
    const share = this.framework.profile.share.needAt(task.model, task.request)(node.netDelayMs);
    if (share === INFEASIBLE) return false;
    this.state.move(task, node, share, task.sinceSec);
    return true;
  }

  moveTo(requestId: string, nodeName: string): { ok: true; from: string; cpuShare: number } | { ok: false; reason: string } {
    const task = this.state.tasks.get(requestId);
    if (!task) return { ok: false, reason: `no task '${requestId}'` };
    const node = this.state.nodes.get(nodeName);
    if (!node) return { ok: false, reason: `no node '${nodeName}'` };
    if (task.node === node) return { ok: false, reason: `task '${requestId}' already runs on ${nodeName}` };
    const share = this.framework.profile.share.needAt(task.model, task.request)(node.netDelayMs);
    if (share === INFEASIBLE) return { ok: false, reason: `the ${task.request.delayBudgetMs} ms budget cannot be met on ${nodeName}` };
    const free = node.capMilli - node.usedMilli;
    if (share > free) return { ok: false, reason: `${nodeName} has ${toCores(free)} free cores, the task needs ${toCores(share)} there` };
    const from = task.node.name;
    this.state.move(task, node, share, task.sinceSec);
    return { ok: true, from, cpuShare: toCores(share) };
  }

  setModel(key: string, model: LatencyModel): void {
    // A new object, never an edit of the old one: move classes memoize per model object.
    this.models[key] = { kind: model.kind, a: model.a, b: model.b };
  }

  addNode(node: NodeSpec): void {
    this.state.addNode(node);
    this.framework.nodesChanged(this.state.nodes);
  }

  setAttributeCert(name: string, cert: NodeSpec["attributeCert"]): boolean {
    const node = this.state.nodes.get(name);
    if (!node) return false;
    if (cert) node.spec.attributeCert = cert;
    else delete node.spec.attributeCert;
    return true;
  }

  removeNode(name: string): boolean {
    const removed = this.state.removeNode(name);
    if (removed) this.framework.nodesChanged(this.state.nodes);
    return removed;
  }

  nodes(): NodeUsage[] {
    return this.state.usage();
  }

  placements(): Placement[] {
    return this.state.placements();
  }

  record(requestId: string): PlacementRecord | undefined {
    const t = this.state.tasks.get(requestId);
    if (!t) return undefined;
    const r: PlacementRecord = { request: t.request, node: t.node.name, shareMilli: t.shareMilli, seq: t.seq, model: t.model };
    if (t.sinceSec !== undefined) r.sinceSec = t.sinceSec;
    return r;
  }

  restore(r: PlacementRecord): void {
    const node = this.state.nodes.get(r.node);
    if (!node) throw new Error(`cannot restore '${r.request.id}': no node '${r.node}'`);
    this.state.restore(r.request, r.model, node, r.shareMilli, r.seq, r.sinceSec);
  }

  /** Why nothing fits: the regulation allows no node, the budget is impossible everywhere, or no node has room. */
  private noRoom(request: TaskRequest, model: LatencyModel, need: NeedAt, extra = ""): Decision {
    if (this.admission?.restricts(request)) {
      const refused: string[] = [];
      for (const n of this.state.nodes.values()) {
        const why = this.admission.refuse(request, n.spec);
        if (why) refused.push(why);
      }
      if (refused.length === this.state.nodes.size) return refusal(request.id, `no node satisfies the task's regulation: ${listed(refused)}`, "regulation");
      if (refused.length > 0) extra += ` (${refused.length} node(s) not allowed by the regulation: ${listed(refused)})`;
    }
    let least = Number.POSITIVE_INFINITY;
    let leastAt = 0;
    let fastest = Number.POSITIVE_INFINITY;
    for (const d of this.state.netDelays.keys()) {
      fastest = Math.min(fastest, d);
      const m = need(d);
      if (m !== INFEASIBLE && m < least) {
        least = m;
        leastAt = d;
      }
    }
    if (least === Number.POSITIVE_INFINITY) {
      const why = infeasibleReason(model, request.delayBudgetMs, fastest);
      return refusal(request.id, `the ${request.delayBudgetMs} ms budget cannot be met on any node (at ${fastest} ms network delay: ${why})`, "budget_infeasible");
    }
    return refusal(
      request.id,
      `no node has enough free CPU (needs ${toCores(least)} cores at ${leastAt} ms network delay)${extra}`,
      "no_capacity",
    );
  }
}

function decisionFor(
  request: string,
  model: LatencyModel,
  node: NodeState,
  shareMilli: number,
  rule: Decision["case"],
  migrations: Migration[],
): Decision {
  const d: Decision = {
    request,
    node: node.name,
    cpuShare: toCores(shareMilli),
    predictedDelayMs: predictLatencyMs(model, toCores(shareMilli)),
    migrations,
  };
  if (rule !== undefined) d.case = rule;
  return d;
}

/** The first few reasons, and how many more. */
function listed(reasons: string[], most = 5): string {
  const shown = reasons.slice(0, most).join("; ");
  return reasons.length > most ? `${shown}; and ${reasons.length - most} more` : shown;
}

export function refusal(request: string, reason: string, code: RefusalCode): Decision {
  return { request, node: null, migrations: [], reason, refusal: code };
}

function invalidRequest(r: TaskRequest): string | undefined {
  if (typeof r !== "object" || r === null) return "request must be an object";
  if (typeof r.id !== "string" || r.id === "") return "request id must be a non-empty string";
  for (const f of ["device", "workload", "inputClass"] as const) {
    if (typeof r[f] !== "string" || r[f] === "") return `request '${r.id}': ${f} must be a non-empty string`;
  }
  if (typeof r.delayBudgetMs !== "number" || !(r.delayBudgetMs > 0) || !Number.isFinite(r.delayBudgetMs))
    return `request '${r.id}': delayBudgetMs must be a positive number`;
  if (r.priority !== undefined && !Number.isInteger(r.priority)) return `request '${r.id}': priority must be an integer`;
  return undefined;
}
