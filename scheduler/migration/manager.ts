// The migration manager: an executor that drives each move through the state
// machine with the agents, the controller and a prober. Each transition is
// saved before the step of its new state starts; moves wait in PENDING while
// the cluster (maxParallel) or their source node (maxOutboundPerNode) is busy,
// or while more moves are in flight than their policy's cap; the queue starts
// high-priority moves first (a policy's set_priority), then the oldest.
import type { MigrationComponent, MigrationState } from "../../src/api-types/scheduler.js";
import { withCorrelation } from "../../src/http/correlation.js";
import type { MigrationExecutor, MigrationOrder, MigrationRecord } from "../executor/executor.js";
import { Cancelled, type ManagerDeps, ShuttingDown, type StepEnv, StepFailure, type StepResult } from "./context.js";
import { formatFinal, formatTransition, type LogLevel, note } from "./log.js";
import { DeviceAnswers } from "./device-downtime.js";
import { emptyMetrics, type ManagedMove, noChanges, viewOf } from "./record.js";
import { recoverMove } from "./recovery.js";
import { failureTarget, isActive, isFinal, transition } from "./states.js";
import { STEPS } from "./steps/index.js";
import { movesToStart } from "./queue.js";

export interface TransitionEvent {
  move: MigrationRecord;
  from: MigrationState | null;
  to: MigrationState;
}

export interface ManagerOptions extends ManagerDeps {
  /** Called after each transition is saved (the service turns it into a `migration.transition` event). */
  onTransition?(event: TransitionEvent): void;
  /** Lines for the operator's log (the CLI prints them), each "ID LINE", and the move's id. */
  onLog?(line: string, migration: string): void;
}

export class MigrationManager implements MigrationExecutor {
  private readonly moves = new Map<string, ManagedMove>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly cancelled = new Set<string>();
  private readonly untouchedPlacement = new Set<string>();
  private seq = 0;
  private closing = false;
  /** Moving tasks' device answers, for the downtime the device saw. */
  private readonly deviceAnswers = new DeviceAnswers();
  private readonly env: StepEnv;

  private constructor(private readonly opts: ManagerOptions) {
    this.env = {
      ...opts,
      note: (m, level, component, message) => this.note(m, level, component, message),
      save: (m) => this.save(m),
      checkpoint: (m) => {
        if (this.closing) throw new ShuttingDown("the scheduler is stopping");
        if (this.cancelled.has(m.id)) throw new Cancelled();
        if (m.deadlineMs !== undefined && m.state !== "ROLLING_BACK" && opts.now().getTime() > m.deadlineMs) {
          const limit = m.policy?.constraints.migration_duration;
          throw new StepFailure("PolicyEnforcer", `policy ${m.policy?.decidedBy ?? "default"}: migration_duration ${limit} s exceeded in ${m.state}`);
        }
      },
      source: (m) => opts.agents(m.fromEndpoint, m.from),
      destination: (m) => opts.agents(m.toEndpoint, m.to),
      othersInFlight: (m) => [...this.moves.values()].filter((o) => o.id !== m.id && isActive(o.state)).length,
    };
  }

  /** Loads the store and recovers every move left unfinished by an earlier run, then runs them on. */
  static async start(opts: ManagerOptions): Promise<MigrationManager> {
    const manager = new MigrationManager(opts);
    for (const m of await opts.store.loadAll()) {
      manager.moves.set(m.id, m);
      manager.seq = Math.max(manager.seq, Number(/^m-(\d+)$/.exec(m.id)?.[1] ?? 0));
    }
    for (const m of manager.moves.values()) {
      if (isFinal(m.state)) continue;
      await manager.recover(m);
    }
    manager.pump();
    return manager;
  }

  async request(order: MigrationOrder): Promise<MigrationRecord> {
    if (!order.fromEndpoint || !order.toEndpoint) throw new Error(`move of ${order.task.id}: both nodes need an agent endpoint`);
    const at = this.opts.now().toISOString();
    const m: ManagedMove = {
      id: this.nextId(),
      task: order.task,
      from: order.from,
      to: order.to,
      cpuShare: order.cpuShare,
      fromEndpoint: order.fromEndpoint,
      toEndpoint: order.toEndpoint,
      workloadId: order.service?.workloadId ?? order.task.id,
      ...(order.service ? { service: order.service } : {}),
      ...(order.strategy ? { requestedStrategy: order.strategy } : {}),
      ...(order.faults ? { faults: order.faults } : {}),
      state: "PENDING",
      strategy: null,
      reason: null,
      requestedAt: at,
      updatedAt: at,
      changes: noChanges(),
      metrics: emptyMetrics(),
      timeline: [],
      log: [],
    };
    this.moves.set(m.id, m);
    const busy = this.inFlightFor(order.task.id, m.id);
    if (m.service && !busy) this.deviceAnswers.watch(m.task.id, m.id, Date.parse(at));
    this.note(m, "INFO", "MigrationManager", `Move of ${m.task.id} ${m.from} -> ${m.to} requested (${m.cpuShare} cores)`);
    await this.save(m);
    this.opts.onTransition?.({ move: viewOf(m), from: null, to: "PENDING" });
    if (busy) {
      // The placement belongs to the move in flight: this one leaves it alone.
      this.untouchedPlacement.add(m.id);
      await this.fail(m, "MigrationManager", `task ${m.task.id} is already migrating (${busy.id})`);
    } else {
      await this.placeInQueue(m);
      this.pump();
    }
    return viewOf(m);
  }

  /** The next move id (m-N, after every stored one). */
  nextId(): string {
    return `m-${++this.seq}`;
  }

  records(): MigrationRecord[] {
    return [...this.moves.values()].map(viewOf);
  }

  record(id: string): MigrationRecord | undefined {
    const m = this.moves.get(id);
    return m ? viewOf(m) : undefined;
  }

  /** A move's task and whether it is still in flight, without copying its record. */
  peek(id: string): { task: string; inFlight: boolean } | undefined {
    const m = this.moves.get(id);
    return m ? { task: m.task.id, inFlight: !isFinal(m.state) } : undefined;
  }

  /**
   * A device's measured requests of `taskId` (send time and end-to-end
   * latency): a move of the task in flight, or completed a short while ago,
   * gets the downtime the device saw once the answers cover its window.
   */
  deviceSamples(taskId: string, samples: ReadonlyArray<{ at: number; e2eMs: number }>): void {
    const id = this.deviceAnswers.add(
      taskId,
      samples.map((s) => s.at + s.e2eMs),
      this.opts.now().getTime(),
    );
    const m = id === undefined ? undefined : this.moves.get(id);
    if (m?.state === "COMPLETED" && this.deviceFigure(m)) void this.save(m).catch(() => {});
  }

  async cancelTask(taskId: string): Promise<void> {
    for (const m of this.moves.values()) {
      if (m.task.id !== taskId || isFinal(m.state)) continue;
      this.cancelled.add(m.id);
      const run = this.running.get(m.id);
      if (run) await run;
      else if (m.state === "PENDING") {
        this.cancelled.delete(m.id);
        await this.fail(m, "MigrationManager", "cancelled before it started: the task was released");
      }
    }
  }

  /** Stops every run where it is (the stored state stays for recovery) and closes the store. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.running.values()]);
    await this.opts.store.close();
  }

  /** Resolves once the move is final or stopped; for tests and the CLI. */
  async settled(id: string): Promise<MigrationRecord | undefined> {
    await this.running.get(id);
    return this.record(id);
  }

  /** Resolves once no move is running (queued ones started by the way included). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** The policies' preview: the move's queue priority and concurrency cap (PLANNING decides again). */
  private async placeInQueue(m: ManagedMove): Promise<void> {
    if (!this.opts.policy.queuePlace) return;
    try {
      m.queue = await this.opts.policy.queuePlace(viewOf(m));
    } catch (err) {
      this.note(m, "WARN", "PolicyEnforcer", `no queue preview (${(err as Error).message}): queued with normal priority`);
      return;
    }
    const cap = m.queue.maxConcurrent === undefined ? "" : `, starts while fewer than ${m.queue.maxConcurrent} moves are in flight`;
    this.note(m, "INFO", "PolicyEnforcer", `queued with ${m.queue.priority} priority (${m.queue.decidedBy ? `policy ${m.queue.decidedBy}` : "no policy matched"})${cap}`);
    await this.save(m);
  }

  private inFlightFor(taskId: string, except: string): ManagedMove | undefined {
    for (const m of this.moves.values()) if (m.id !== except && m.task.id === taskId && !isFinal(m.state)) return m;
    return undefined;
  }

  /** Starts queued moves the limits allow: high priority first, then the oldest. */
  private pump(): void {
    if (this.closing) return;
    const all = [...this.moves.values()];
    const running = all.filter((m) => this.running.has(m.id));
    const queued = all.filter((m) => m.state === "PENDING" && !this.running.has(m.id));
    for (const m of movesToStart(queued, running, this.opts.limits)) this.launch(m);
  }

  private launch(m: ManagedMove): void {
    // The move's id is the correlation id of its run: every call to the agents and the controller carries it.
    const run = withCorrelation(m.id, () => this.run(m))
      .catch((err: Error) => {
        // A store that cannot save (disk full, say): the move stops where it is; the next start recovers it.
        this.opts.onLog?.(`${m.id} ERROR [MigrationManager]: stopped in ${m.state}: ${err.message}`, m.id);
        m.error = `stopped in ${m.state}: ${err.message}`;
      })
      .finally(() => {
        this.running.delete(m.id);
        this.cancelled.delete(m.id);
        this.pump();
      });
    this.running.set(m.id, run);
  }

  /** The loop: the step of the current state, then the transition it asks for (saved), until final. */
  private async run(m: ManagedMove): Promise<void> {
    while (!isFinal(m.state)) {
      const step = STEPS[m.state]!;
      let result: StepResult;
      try {
        if (m.state !== "ROLLING_BACK") this.env.checkpoint(m);
        result = await step(m, this.env);
      } catch (err) {
        if (err instanceof ShuttingDown) {
          this.note(m, "WARN", "MigrationManager", `stopped in ${m.state}: the scheduler is stopping (recovered at the next start)`);
          await this.save(m);
          return;
        }
        const component: MigrationComponent = err instanceof StepFailure ? err.component : "MigrationManager";
        const message = (err as Error).message;
        m.error = m.state === "ROLLING_BACK" ? `rollback incomplete: ${message}${m.error ? ` (after: ${m.error})` : ""}` : message;
        result = { next: failureTarget(m.state), component, message: `${m.state} failed: ${message}` };
        await this.moveTo(m, result, "ERROR");
        continue;
      }
      await this.moveTo(m, result, "INFO");
    }
  }

  private async moveTo(m: ManagedMove, r: StepResult, level: LogLevel): Promise<void> {
    const from = m.state;
    m.state = transition(from, r.next);
    const at = this.opts.now();
    m.updatedAt = at.toISOString();
    m.log.push(formatTransition(level, r.component, r.message, from, r.next));
    m.timeline.push({ at: m.updatedAt, state: r.next, component: r.component, message: r.message });
    this.opts.onLog?.(`${m.id} ${m.log.at(-1)}`, m.id);
    if (isFinal(m.state)) this.finish(m, at);
    await this.save(m);
    this.opts.onTransition?.({ move: viewOf(m), from, to: m.state });
  }

  /** Final bookkeeping: the placement shows where the workload runs, the total time, the final line. */
  private finish(m: ManagedMove, at: Date): void {
    const view = viewOf(m);
    if (!this.untouchedPlacement.delete(m.id)) {
      const problem = m.state === "COMPLETED" ? this.opts.placement.release(view) : this.opts.placement.undo(view);
      const where = m.state === "COMPLETED" ? `placement shows ${m.to}; ${m.from}'s share released` : `placement shows ${m.from} again`;
      this.note(m, problem ? "WARN" : "INFO", "ResourceAllocator", problem ?? where);
    }
    m.metrics.totalMs = at.getTime() - Date.parse(m.requestedAt);
    if (m.state === "COMPLETED") this.deviceFigure(m);
    else this.deviceAnswers.forget(m.task.id, m.id);
    m.log.push(formatFinal(m.state === "COMPLETED" ? "INFO" : "ERROR", "MigrationManager", m.state));
    this.opts.onLog?.(`${m.id} ${m.log.at(-1)}`, m.id);
  }

  private async fail(m: ManagedMove, component: MigrationComponent, message: string): Promise<void> {
    m.error = message;
    await this.moveTo(m, { next: "FAILED", component, message }, "ERROR");
  }

  private async recover(m: ManagedMove): Promise<void> {
    this.note(m, "WARN", "StateSynchronizer", `Recovering after a restart in ${m.state}`);
    const verdict = await recoverMove(m, this.env).catch((err: Error) => ({ to: "ROLLING_BACK" as const, message: `cannot tell: ${err.message}` }));
    this.note(m, "INFO", "StateSynchronizer", verdict.message);
    if (verdict.to !== m.state) {
      if (verdict.to === "FAILED") m.error = verdict.message;
      await this.moveTo(m, { next: verdict.to, component: "StateSynchronizer", message: verdict.message }, "WARN");
    } else {
      await this.save(m);
    }
    if (!isFinal(m.state) && isActive(m.state)) this.launch(m);
  }

  /** Sets the move's device-seen downtime when its device's answers cover the frozen window; true when set. */
  private deviceFigure(m: ManagedMove): boolean {
    if (m.resumedAtMs === undefined) return false;
    const frozenAtMs = m.frozenAtMs ?? m.resumedAtMs - (m.metrics.frozenMs ?? 0);
    const f = this.deviceAnswers.figure(m.task.id, m.id, { frozenAtMs, resumedAtMs: m.resumedAtMs });
    if (!f) return false;
    m.metrics.deviceSeenDowntimeMs = f.downtimeMs;
    this.note(m, "INFO", "StateSynchronizer", `the device saw ${f.downtimeMs} ms of downtime (longest gap between answers ${f.longestGapMs} ms, normal ${f.normalGapMs} ms)`);
    return true;
  }

  private note(m: ManagedMove, level: LogLevel, component: MigrationComponent, message: string): void {
    note(m, this.opts.now().toISOString(), level, component, message);
    this.opts.onLog?.(`${m.id} ${m.log.at(-1)}`, m.id);
  }

  private save(m: ManagedMove): Promise<void> {
    return this.opts.store.save(m);
  }
}
