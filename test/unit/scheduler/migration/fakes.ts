// Fakes at the manager's ports that record every call, in one shared order,
// so that tests can assert what happened and in which order.
import type { AgentInfo, MigrationInput, MigrationView, WorkloadInput, WorkloadView } from "../../../../src/api-types/agent.js";
import type { MoveRecord } from "../../../../src/api-types/scheduler.js";
import type { ServiceBinding } from "../../../../scheduler/executor/executor.js";
import { DEFAULT_LIMITS, type MigrationLimits } from "../../../../scheduler/migration/context.js";
import { MigrationManager, type ManagerOptions, type TransitionEvent } from "../../../../scheduler/migration/manager.js";
import type { AgentPort, CapacityPort, NetworkPort, PathEnd, ProberPort, RedirectOrder } from "../../../../scheduler/migration/ports.js";
import { ALLOW_ALL, type MigrationPolicyHook } from "../../../../scheduler/migration/ports.js";
import { MemoryStore, type MigrationStore } from "../../../../scheduler/migration/store.js";

export const STRATEGIES_ALL = { stopcopy: { ok: true }, precopy: { ok: true }, postcopy: { ok: true } } as const;

export class FakeAgent implements AgentPort {
  readonly workloadsHeld = new Map<string, WorkloadView>();
  readonly migrationsStarted: MigrationInput[] = [];
  readonly created: WorkloadInput[] = [];
  /** Phases migration(id) answers, one per poll; the last repeats. */
  /** What the agent's TCP dump probe found (undefined: an agent that does not say). */
  tcp: { ok: boolean; reason?: string } | undefined = { ok: true };
  script: Array<Partial<MigrationView>> = [{ phase: "transferring" }, { phase: "awaiting-commit", resumedAt: "2026-01-01T00:00:01Z" }];
  polls = 0;
  reachable = true;
  refuseStart?: string;
  strategies: Record<string, { ok: true } | { ok: false; reason: string }> = { ...STRATEGIES_ALL };
  committed = false;
  rolledBack = false;
  rollbackView: Partial<MigrationView> = { phase: "failed", rollback: { afterResume: true, destinationRanMs: 42, changesDiscarded: true } };
  /** Called when the source's migration resumes: the destination gets the workload. */
  peer?: FakeAgent;
  gate?: Promise<void>;

  constructor(
    readonly node: string,
    readonly calls: string[],
  ) {}

  private call(what: string): void {
    this.calls.push(`${this.node}.${what}`);
    if (!this.reachable) throw new Error(`connect ECONNREFUSED (${this.node})`);
  }

  async info(): Promise<AgentInfo> {
    this.call("info");
    return {
      node: this.node,
      tier: "edge",
      url: `http://${this.node}`,
      capabilities: {
        criu: { present: true, checkOk: true, features: {}, tcpEstablished: this.tcp },
        docker: { present: false },
        cgroupCpu: { ok: true },
        strategies: this.strategies,
      },
    };
  }

  async workloads(): Promise<WorkloadView[]> {
    this.call("workloads");
    return [...this.workloadsHeld.values()];
  }

  async createWorkload(w: WorkloadInput): Promise<WorkloadView> {
    this.call(`createWorkload ${w.id}`);
    if (this.refuseStart) throw new Error(this.refuseStart);
    this.created.push(w);
    const view = workload(w.id!, this.node);
    this.workloadsHeld.set(view.id, view);
    return view;
  }

  async deleteWorkload(id: string): Promise<void> {
    this.call(`deleteWorkload ${id}`);
    this.workloadsHeld.delete(id);
  }

  async startMigration(input: MigrationInput): Promise<MigrationView> {
    this.call(`startMigration ${input.workload}`);
    if (this.refuseStart) throw new Error(this.refuseStart);
    this.migrationsStarted.push(input);
    return this.view({ phase: "pending" }, `am-${this.migrationsStarted.length}`);
  }

  async migration(id: string): Promise<MigrationView> {
    this.call("migration");
    if (this.gate) await this.gate;
    const step = this.script[Math.min(this.polls++, this.script.length - 1)]!;
    const v = this.view(step, id);
    if (v.resumedAt && this.peer && !this.peer.workloadsHeld.has(v.workloadId)) {
      this.peer.workloadsHeld.set(v.workloadId, workload(v.workloadId, this.peer.node));
      const mine = this.workloadsHeld.get(v.workloadId);
      if (mine) mine.state = "frozen";
    }
    return v;
  }

  async migrations(): Promise<MigrationView[]> {
    this.call("migrations");
    const now = this.script[Math.min(this.polls, this.script.length - 1)]!;
    return this.migrationsStarted.map((_, i) => this.view(now, `am-${i + 1}`));
  }

  async commitMigration(id: string): Promise<MigrationView> {
    this.call("commitMigration");
    this.committed = true;
    this.workloadsHeld.delete(this.inputOf(id)!.workload);
    return this.view({ phase: "done", status: "succeeded" }, id);
  }

  async rollbackMigration(id: string): Promise<MigrationView> {
    this.call("rollbackMigration");
    this.rolledBack = true;
    const w = this.workloadsHeld.get(this.inputOf(id)?.workload ?? "");
    if (w) w.state = "running";
    // The destination's copy goes only after the source runs again.
    if (this.peer && w) {
      this.calls.push(`${this.peer.node}.dropIncoming`);
      this.peer.workloadsHeld.delete(w.id);
    }
    return this.view(this.rollbackView, id);
  }

  private inputOf(id: string): MigrationInput | undefined {
    return this.migrationsStarted[Number(id.slice(3)) - 1];
  }

  private view(p: Partial<MigrationView>, id = "am-1"): MigrationView {
    const input = this.inputOf(id);
    return {
      id,
      workloadId: input?.workload ?? "t-1",
      destination: input?.destination ?? "",
      requested: input?.strategy ?? "auto",
      phase: "pending",
      status: "running",
      progress: { bytes: this.polls, totalBytes: 1 << 20, rateBps: 0 },
      startedAt: "2026-01-01T00:00:00.000Z",
      destinationWorkloadId: input?.workload ?? "t-1",
      ...p,
    } as MigrationView;
  }
}

export function workload(id: string, node: string): WorkloadView {
  return {
    id,
    runtime: "direct",
    spec: { id, command: ["sleep"], cpuLimit: 0.5, ports: [8080], labels: {} },
    state: "running",
    createdAt: "2026-01-01T00:00:00.000Z",
    network: {
      ip: "10.77.0.2",
      prefixLen: 16,
      mac: "02:00:0a:4d:00:02",
      namespace: `fm-${id}`,
      bridge: "br0",
      port: `v-${id}`,
      ofport: node === "cloud1" ? 7 : 3,
      dpid: node === "cloud1" ? "0000000000000002" : "0000000000000001",
    },
  };
}

export class FakeNetwork implements NetworkPort {
  readonly configured = true;
  failEnsurePath?: string;
  failRedirect?: string;
  redirects: RedirectOrder[] = [];
  private nextId = 1;
  constructor(readonly calls: string[]) {}
  async ensurePath(fromEnd: PathEnd, toEnd: PathEnd): Promise<string> {
    const [from, to] = [fromEnd.node, toEnd.node];
    this.calls.push(`net.ensurePath ${from}->${to}`);
    if (this.failEnsurePath) throw new Error(this.failEnsurePath);
    return `overlay ${from} <-> ${to} up`;
  }
  async redirect(order: RedirectOrder): Promise<{ reconfigurationMs: number; redirectIds: number[] }> {
    this.calls.push(`net.redirect ${order.ip}->${order.to.switch}:${order.to.port}`);
    if (this.failRedirect) throw new Error(this.failRedirect);
    this.redirects.push(order);
    return { reconfigurationMs: 3.5, redirectIds: [this.nextId++] };
  }
  async rollbackRedirects(ids: number[]): Promise<void> {
    this.calls.push(`net.rollbackRedirects ${ids.join(",")}`);
  }
  async setDns(name: string, ip: string): Promise<void> {
    this.calls.push(`net.setDns ${name}=${ip}`);
  }
  async deleteDns(name: string): Promise<void> {
    this.calls.push(`net.deleteDns ${name}`);
  }
}

export class FakeProber implements ProberPort {
  ok = true;
  constructor(readonly calls: string[]) {}
  async probe(t: { ip: string; port: number; path: string }) {
    this.calls.push(`probe ${t.ip}:${t.port}${t.path}`);
    return this.ok ? { ok: true, detail: "answered 200" } : { ok: false, detail: "timed out 3 times" };
  }
}

export class FakeCapacity implements CapacityPort {
  isPlaced = true;
  isRegistered = true;
  recheckProblem?: string;
  constructor(readonly calls: string[]) {}
  placed(): boolean {
    return this.isPlaced;
  }
  registered(): boolean {
    return this.isRegistered;
  }
  recheck(m: MoveRecord) {
    this.calls.push(`cap.recheck ${m.to}`);
    return this.recheckProblem;
  }
  reserve(m: MoveRecord) {
    this.calls.push(`cap.reserve ${m.to}`);
    return undefined;
  }
  release(m: MoveRecord) {
    this.calls.push(`cap.release ${m.from}`);
    return undefined;
  }
  undo(m: MoveRecord) {
    this.calls.push(`cap.undo ${m.from}`);
    return undefined;
  }
}

export const SERVICE: ServiceBinding = {
  workloadId: "t-1",
  ip: "10.77.0.2",
  prefixLen: 16,
  mac: "02:00:0a:4d:00:02",
  port: 8080,
  probePath: "/process?size=small",
  dnsName: "t-1.svc.fleximigrate.local",
};

export const TASK = { id: "t-1", device: "cam-1", workload: "detect", inputClass: "small", delayBudgetMs: 250 };

export interface World {
  calls: string[];
  edge: FakeAgent;
  cloud: FakeAgent;
  agents: Map<string, FakeAgent>;
  network: FakeNetwork;
  prober: FakeProber;
  capacity: FakeCapacity;
  store: MigrationStore;
  events: TransitionEvent[];
  options(over?: Partial<ManagerOptions>): ManagerOptions;
  start(over?: Partial<ManagerOptions>): Promise<MigrationManager>;
}

export function world(opts: { limits?: Partial<MigrationLimits>; policy?: MigrationPolicyHook; store?: MigrationStore } = {}): World {
  const calls: string[] = [];
  const edge = new FakeAgent("edge1", calls);
  const cloud = new FakeAgent("cloud1", calls);
  edge.peer = cloud;
  edge.workloadsHeld.set("t-1", workload("t-1", "edge1"));
  const agents = new Map([
    ["http://edge1", edge],
    ["http://cloud1", cloud],
  ]);
  const w: World = {
    calls,
    edge,
    cloud,
    agents,
    network: new FakeNetwork(calls),
    prober: new FakeProber(calls),
    capacity: new FakeCapacity(calls),
    store: opts.store ?? new MemoryStore(),
    events: [],
    options: (over = {}) => ({
      agents: (endpoint) => {
        const a = agents.get(endpoint);
        if (!a) throw new Error(`no fake agent at ${endpoint}`);
        return a;
      },
      network: w.network,
      prober: w.prober,
      placement: w.capacity,
      policy: opts.policy ?? ALLOW_ALL,
      store: w.store,
      limits: { ...DEFAULT_LIMITS, pollMs: 1, ...opts.limits },
      redirectStrategy: "per-service",
      now: () => new Date(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      onTransition: (e) => w.events.push(e),
      ...over,
    }),
    start: (over) => MigrationManager.start(w.options(over)),
  };
  return w;
}

export const ORDER = {
  request: "t-1",
  from: "edge1",
  to: "cloud1",
  cpuShare: 0.7,
  task: TASK,
  fromEndpoint: "http://edge1",
  toEndpoint: "http://cloud1",
  service: SERVICE,
};
