// The demo IoT load as a pure state machine: it proposes the next action and
// learns from the scheduler's answer. Each round fills the edge with loose,
// low-priority tasks (the overflow goes to the cloud), then sends urgent ones
// that only the edge can serve: once the edge is full, those force moves of
// loose tasks to the cloud (case 3). Then half the running tasks, picked at
// random, are released, and the next round starts on what is left.
//
// Budgets come from the latency models and the nodes' network delays, so the
// moves happen with whatever models the scheduler runs:
//   loose  = cloudNet + latency(s), s in [0.55, 0.85]: the cloud can serve it with s < 1 core;
//   urgent = edgeNet + latency(1 core) + u*(cloudNet - edgeNet), u in [0.3, 0.7]:
//            the cloud would need more than one core, the edge less.
import { type LatencyModel, predictLatencyMs } from "../latency/model.js";
import { between, pick, type Rng, seededRng } from "../random.js";

export interface DemoNode {
  name: string;
  tier: "edge" | "cloud";
  cpus: number;
  netDelayMs: number;
}

export interface DemoTask {
  device: string;
  workload: string;
  inputClass: string;
  delayBudgetMs: number;
  priority: number;
}

export type DemoAction = { kind: "submit"; role: "loose" | "urgent"; task: DemoTask } | { kind: "release"; id: string };

/** What the scheduler answered to a submit. */
export interface SubmitOutcome {
  id?: string;
  node: string | null;
  case?: number | null;
  migrations: number;
}

type Phase = "fill" | "urgent" | "drain";

const LOOSE_DEVICES = ["cam-1", "cam-2", "cam-3", "cam-4", "meter-1"];
const URGENT_DEVICES = ["robot-1", "robot-2", "drone-1"];

export class DemoLoad {
  private readonly rng: Rng;
  private readonly keys: string[];
  private readonly edgeNet: number;
  private readonly cloudNet: number;
  private phase: Phase = "fill";
  private attempts = 0;
  /** Ids of the tasks placed and not yet released. */
  private running: string[] = [];
  /** Drain stops when this few tasks are left. */
  private keep = 0;
  /** Why the load cannot force moves on this cluster; null when it can. */
  readonly caveat: string | null;

  constructor(
    nodes: DemoNode[],
    private readonly models: Record<string, LatencyModel>,
    seed = 1,
  ) {
    this.rng = seededRng(seed);
    this.keys = Object.keys(models).sort();
    if (this.keys.length === 0) throw new Error("the scheduler has no latency models");
    const edge = nodes.filter((n) => n.tier === "edge");
    const cloud = nodes.filter((n) => n.tier === "cloud");
    this.edgeNet = Math.max(0, ...edge.map((n) => n.netDelayMs));
    this.cloudNet = cloud.length ? Math.min(...cloud.map((n) => n.netDelayMs)) : this.edgeNet;
    this.caveat =
      edge.length === 0
        ? "no edge node"
        : cloud.length === 0
          ? "no cloud node"
          : this.cloudNet <= this.edgeNet
            ? "the cloud is not farther than the edge"
            : null;
  }

  next(): DemoAction {
    if (this.phase === "drain") {
      const i = Math.floor(this.rng() * this.running.length);
      const [id] = this.running.splice(i, 1);
      if (this.running.length <= this.keep) this.startRound();
      return { kind: "release", id: id! };
    }
    this.attempts++;
    return this.phase === "fill" ? { kind: "submit", role: "loose", task: this.loose() } : { kind: "submit", role: "urgent", task: this.urgent() };
  }

  observe(action: DemoAction, outcome: SubmitOutcome): void {
    if (action.kind !== "submit") return;
    if (outcome.node !== null && outcome.id) this.running.push(outcome.id);
    const limit = 60; // bounds a phase whatever the cluster's size
    if (this.phase === "fill") {
      // The edge is full once a loose task lands elsewhere or needed moves to land there.
      const edgeFull = outcome.node === null || outcome.case === 2 || outcome.migrations > 0;
      if (edgeFull || this.attempts >= limit) this.enter("urgent");
    } else if (this.phase === "urgent") {
      if (outcome.migrations > 0 || outcome.node === null || this.attempts >= limit) this.enter("drain");
    }
  }

  private enter(phase: Phase): void {
    this.attempts = 0;
    this.phase = phase;
    if (phase !== "drain") return;
    this.keep = Math.floor(this.running.length / 2);
    if (this.running.length <= this.keep) this.startRound();
  }

  private startRound(): void {
    this.phase = "fill";
    this.attempts = 0;
  }

  private loose(): DemoTask {
    const key = pick(this.rng, this.keys);
    const budget = this.cloudNet + predictLatencyMs(this.models[key]!, between(this.rng, 0.55, 0.85));
    return this.task(key, pick(this.rng, LOOSE_DEVICES), budget, 1 + Math.floor(this.rng() * 2));
  }

  private urgent(): DemoTask {
    const key = pick(this.rng, this.keys);
    const gap = this.cloudNet - this.edgeNet;
    const budget = this.edgeNet + predictLatencyMs(this.models[key]!, 1) + between(this.rng, 0.3, 0.7) * gap;
    return this.task(key, pick(this.rng, URGENT_DEVICES), budget, 5 + Math.floor(this.rng() * 5));
  }

  private task(key: string, device: string, budget: number, priority: number): DemoTask {
    const [workload, inputClass] = key.split("/") as [string, string];
    return { device, workload, inputClass, delayBudgetMs: Math.round(budget * 10) / 10, priority };
  }
}
