// The live cluster: nodes with their loads and placed requests. Every change
// goes through here so the node finder's index and the move index stay in step.
import { type LatencyModel, predictLatencyMs } from "../../src/latency/model.js";
import type { NodeFinder } from "./node-finder.js";
import { MoveIndex } from "./move-index.js";
import { byName, type NodeState, type PlacedTask } from "./node-state.js";
import { capacityMilli, toCores } from "./share.js";
import type { NodeSpec, NodeUsage, Placement, TaskRequest } from "./types.js";

export class ClusterState {
  readonly nodes = new Map<string, NodeState>();
  readonly tasks = new Map<string, PlacedTask>();
  /** Running edge requests as rule 3 sees them. */
  readonly moves = new MoveIndex();
  /** How many nodes have each network delay, for refusal reasons. */
  readonly netDelays = new Map<number, number>();
  private seq = 0;

  constructor(readonly finder: NodeFinder) {}

  /** Throws on a malformed spec or a duplicate name (a caller error, not a decision). */
  addNode(spec: NodeSpec): NodeState {
    validateNode(spec);
    if (this.nodes.has(spec.name)) throw new Error(`node '${spec.name}' already exists`);
    const node: NodeState = {
      spec: { ...spec },
      name: spec.name,
      tier: spec.tier,
      netDelayMs: spec.netDelayMs,
      capMilli: capacityMilli(spec.cpus),
      usedMilli: 0,
      pinnedMilli: 0,
      tasks: 0,
    };
    this.nodes.set(node.name, node);
    this.netDelays.set(node.netDelayMs, (this.netDelays.get(node.netDelayMs) ?? 0) + 1);
    this.finder.add(node);
    this.moves.nodeAdded(node);
    return node;
  }

  removeNode(name: string): boolean {
    const node = this.nodes.get(name);
    if (!node || node.tasks > 0) return false;
    this.finder.remove(node);
    this.nodes.delete(name);
    this.moves.nodeRemoved(node);
    const left = (this.netDelays.get(node.netDelayMs) ?? 1) - 1;
    if (left === 0) this.netDelays.delete(node.netDelayMs);
    else this.netDelays.set(node.netDelayMs, left);
    return true;
  }

  /** `atSec`: when (caller's clock), for min-residence; undefined: the request has no age. */
  assign(request: TaskRequest, model: LatencyModel, node: NodeState, shareMilli: number, atSec?: number): PlacedTask {
    const task: PlacedTask = {
      request,
      model,
      node,
      shareMilli,
      seq: this.seq++,
      movable: false,
      sinceSec: atSec,
    };
    this.load(node, shareMilli, 1);
    this.tasks.set(request.id, task);
    if (node.tier === "edge") this.moves.enter(task);
    return task;
  }

  /** A stored placement back as it was: its own seq (later ones come after it) and age; no capacity check. */
  restore(request: TaskRequest, model: LatencyModel, node: NodeState, shareMilli: number, seq: number, sinceSec?: number): PlacedTask {
    if (this.tasks.has(request.id)) throw new Error(`request '${request.id}' is already placed`);
    if (!(Number.isInteger(seq) && seq >= 0)) throw new Error(`request '${request.id}': seq must be an integer >= 0`);
    if (!(Number.isInteger(shareMilli) && shareMilli >= 0)) throw new Error(`request '${request.id}': shareMilli must be an integer >= 0`);
    const task: PlacedTask = { request, model, node, shareMilli, seq, movable: false, sinceSec };
    this.seq = Math.max(this.seq, seq + 1);
    this.load(node, shareMilli, 1);
    this.tasks.set(request.id, task);
    if (node.tier === "edge") this.moves.enter(task);
    return task;
  }

  release(id: string): PlacedTask | undefined {
    const task = this.tasks.get(id);
    if (!task) return undefined;
    if (task.node.tier === "edge") this.moves.leave(task);
    this.load(task.node, -task.shareMilli, -1);
    this.tasks.delete(id);
    return task;
  }

  /** Moves a placed request to `to` with a new share (its model's need there); keeps its seq, restarts its age at `atSec`. */
  move(task: PlacedTask, to: NodeState, shareMilli: number, atSec?: number): void {
    if (task.node.tier === "edge") this.moves.leave(task);
    this.load(task.node, -task.shareMilli, -1);
    task.node = to;
    task.shareMilli = shareMilli;
    task.sinceSec = atSec;
    this.load(to, shareMilli, 1);
    if (to.tier === "edge") this.moves.enter(task);
  }

  usage(): NodeUsage[] {
    return [...this.nodes.values()]
      .sort((a, b) => byName(a.name, b.name))
      .map((n) => ({
        ...n.spec,
        usedCpus: toCores(n.usedMilli),
        cpuUsage: n.usedMilli / n.capMilli,
        placements: n.tasks,
      }));
  }

  placements(): Placement[] {
    return [...this.tasks.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((t) => ({
        request: t.request,
        node: t.node.name,
        cpuShare: toCores(t.shareMilli),
        predictedDelayMs: predictLatencyMs(t.model, toCores(t.shareMilli)),
        seq: t.seq,
      }));
  }

  private load(node: NodeState, deltaMilli: number, deltaTasks: number): void {
    this.finder.detach(node);
    node.usedMilli += deltaMilli;
    node.tasks += deltaTasks;
    this.finder.attach(node);
    if (node.tier === "edge") this.moves.loadChanged(node);
  }
}

function validateNode(spec: NodeSpec): void {
  if (typeof spec.name !== "string" || spec.name === "") throw new Error("node name must be a non-empty string");
  if (spec.tier !== "edge" && spec.tier !== "cloud") throw new Error(`node '${spec.name}': tier must be 'edge' or 'cloud'`);
  if (!(Number.isFinite(spec.cpus) && spec.cpus > 0)) throw new Error(`node '${spec.name}': cpus must be a positive number`);
  if (capacityMilli(spec.cpus) < 1) throw new Error(`node '${spec.name}': cpus must be at least 0.001`);
  if (!(Number.isFinite(spec.netDelayMs) && spec.netDelayMs >= 0))
    throw new Error(`node '${spec.name}': netDelayMs must be a number >= 0`);
}
