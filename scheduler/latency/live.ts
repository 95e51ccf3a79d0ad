// Measured latency, per task and per model class (pure: no clock, no I/O).
// Devices report what each request took end to end (and, when the workload
// says, its own processing time). Per task: bounded windows of both and of
// deadline misses. Per class: bounded windows, and a drift tracker (drift.ts)
// fed with the processing time at the task's CPU share; on drift the class is
// refitted and the caller is told to serve the new model.
//
// A sample only reaches the tracker when the share it ran at is known: not
// while the task is being moved, nor sent before the caller saw its share change.
import { type LatencyModel, predictLatencyMs } from "../../src/latency/model.js";
import { seededRng } from "../../src/random.js";
import { type DriftEvent, type DriftOptions, DriftTracker, type ModelSource, type ServingModel } from "./drift.js";
import type { TaskLatencyView } from "../../src/api-types/scheduler.js";
import { type Quantiles, Window } from "./window.js";

export interface MeasuredSample {
  /** When the request was sent, ms since the epoch (the device's clock). */
  at: number;
  /** Send to answer, as the device saw it. */
  e2eMs: number;
  /** The workload's own time for the request, when it says. */
  processingMs?: number;
}

/** What the caller knows of a placed task now (from the policy). */
export interface TaskNow {
  id: string;
  /** Its placement's sequence number: another number is another task under the same id. */
  seq: number;
  /** Model class, `workload/inputClass`. */
  key: string;
  node: string;
  cpuShare: number;
  netDelayMs: number;
  delayBudgetMs: number;
  /** A move of it is in flight: the share it runs at is not known. */
  moving: boolean;
}

export interface LiveOptions {
  /** Samples kept per task and per class (default 256). */
  window?: number;
  drift?: DriftOptions;
  seed?: number;
}

export interface Intake {
  accepted: number;
  /** How many reached the class's drift tracker. */
  modelled: number;
  /** Refits taken or rejected, in order. */
  events: DriftEvent[];
}

/** A task's predicted against measured latency is what GET /v1/tasks/:id/latency shows: one definition, in src/api-types. */
export type TaskLatency = TaskLatencyView;

export interface ClassLatency extends LatencyModel {
  source: ModelSource;
  /** Held-out R² of the serving model; null when the profile did not say. */
  r2: number | null;
  /** Samples that reached its tracker since this model started serving. */
  samples: number;
  /** Mean |measured - predicted| / predicted since this model started serving; null before any. */
  measuredError: number | null;
  e2eMs: Quantiles;
  processingMs: Quantiles;
  refits: number;
}

interface TaskState {
  key: string;
  seq: number;
  /** Where and at what share it ran when last seen. */
  node: string;
  cpuShare: number;
  e2e: Window;
  processing: Window;
  /** 1 for a late answer, 0 for one in time. */
  misses: Window;
  /** Samples sent before this (ms since the epoch) ran at an older share. */
  shareSince: number;
}

interface ClassState {
  tracker: DriftTracker;
  e2e: Window;
  processing: Window;
  refits: number;
}

export class LiveLatency {
  private readonly tasks = new Map<string, TaskState>();
  private readonly classes = new Map<string, ClassState>();
  private readonly window: number;
  private readonly rng: () => number;

  /** `profile(key)`: the model the policy serves for a class now, with its R² when known. */
  constructor(
    private readonly profile: (key: string) => (LatencyModel & { r2?: unknown }) | undefined,
    private readonly opts: LiveOptions = {},
  ) {
    this.window = opts.window ?? 256;
    this.rng = seededRng(opts.seed ?? 1);
  }

  /** `nowMs`: the caller's clock, ms since the epoch (a share change seen now dates from now). */
  ingest(task: TaskNow, samples: readonly MeasuredSample[], nowMs: number): Intake {
    const t = this.taskState(task);
    // A move (or its end) seen now: samples sent before ran at another share, or while frozen.
    if (task.moving || t.node !== task.node || t.cpuShare !== task.cpuShare) {
      t.shareSince = Math.max(t.shareSince, nowMs);
      t.node = task.node;
      t.cpuShare = task.cpuShare;
    }
    const c = this.classState(task.key);
    const out: Intake = { accepted: 0, modelled: 0, events: [] };
    for (const s of samples) {
      out.accepted++;
      t.e2e.push(s.e2eMs);
      c.e2e.push(s.e2eMs);
      t.misses.push(s.e2eMs > task.delayBudgetMs ? 1 : 0);
      if (s.processingMs !== undefined) {
        t.processing.push(s.processingMs);
        c.processing.push(s.processingMs);
      }
      if (task.moving || s.at < t.shareSince) continue;
      // Without the workload's own time, the network's share of the trip is taken off.
      const ms = s.processingMs ?? s.e2eMs - task.netDelayMs;
      if (!(ms > 0)) continue;
      out.modelled++;
      const e = c.tracker.record(task.cpuShare, ms);
      if (e) {
        if (e.type === "model-refitted") c.refits++;
        out.events.push(e);
      }
    }
    return out;
  }

  /** Drops tasks that `alive` no longer names (released): memory stays bounded by the placements. */
  prune(alive: (task: string) => boolean): void {
    for (const id of this.tasks.keys()) if (!alive(id)) this.tasks.delete(id);
  }

  /** The model serving `key` now: the live one after a refit, else the profile's. */
  serving(key: string): ServingModel | undefined {
    return this.classes.get(key)?.tracker.view() ?? this.profileModel(key);
  }

  taskView(task: TaskNow): TaskLatency {
    const t = this.tasks.get(task.id);
    const served = this.serving(task.key);
    const processing = served ? predictLatencyMs(served.model, task.cpuShare) : Number.NaN;
    return {
      task: task.id,
      model: task.key,
      node: task.node,
      cpuShare: task.cpuShare,
      delayBudgetMs: task.delayBudgetMs,
      predicted: { processingMs: processing, e2eMs: processing + task.netDelayMs },
      measured: {
        samples: t?.e2e.total ?? 0,
        window: t?.e2e.size ?? 0,
        e2eMs: t?.e2e.quantiles() ?? { p50: null, p95: null },
        processingMs: t?.processing.quantiles() ?? { p50: null, p95: null },
        missRate: t?.misses.mean() ?? null,
      },
      modelSource: served?.source ?? "profile",
    };
  }

  /** One class's serving model and what was measured of it; undefined for a class neither served nor measured. */
  classView(key: string): ClassLatency | undefined {
    const c = this.classes.get(key);
    const served = this.serving(key);
    if (!served) return undefined;
    const v = c?.tracker.view();
    const none = { p50: null, p95: null };
    return {
      ...served.model,
      source: served.source,
      r2: served.source === "live" || typeof this.profile(key)?.r2 === "number" ? served.r2 : null,
      samples: v?.samples ?? 0,
      measuredError: v?.measuredError ?? null,
      e2eMs: c?.e2e.quantiles() ?? none,
      processingMs: c?.processing.quantiles() ?? none,
      refits: c?.refits ?? 0,
    };
  }

  /** Classes measured so far. */
  measuredClasses(): string[] {
    return [...this.classes.keys()];
  }

  private taskState(task: TaskNow): TaskState {
    let t = this.tasks.get(task.id);
    // The same id placed anew is another task: start over.
    if (t && t.seq !== task.seq) t = undefined;
    if (!t) {
      const w = () => new Window(this.window);
      t = { key: task.key, seq: task.seq, node: task.node, cpuShare: task.cpuShare, e2e: w(), processing: w(), misses: w(), shareSince: Number.NEGATIVE_INFINITY };
      this.tasks.set(task.id, t);
    }
    return t;
  }

  private classState(key: string): ClassState {
    let c = this.classes.get(key);
    if (!c) {
      const p = this.profileModel(key);
      if (!p) throw new Error(`no model for class '${key}'`);
      c = {
        tracker: new DriftTracker(key, p, this.rng, this.opts.drift),
        e2e: new Window(this.window),
        processing: new Window(this.window),
        refits: 0,
      };
      this.classes.set(key, c);
    }
    return c;
  }

  private profileModel(key: string): ServingModel | undefined {
    const m = this.profile(key);
    if (!m) return undefined;
    // A profile without an R² (a models file) is beaten by any refit that explains something.
    const r2 = typeof m.r2 === "number" && Number.isFinite(m.r2) ? m.r2 : 0;
    // A refit restored after a restart is served as what it is: live.
    return { model: { kind: m.kind, a: m.a, b: m.b }, r2, source: (m as { source?: unknown }).source === "live" ? "live" : "profile" };
  }
}
