// Sends the devices' measured latencies to the scheduler (POST
// /v1/tasks/:id/samples) every few seconds, in batches of at most
// MAX_SAMPLES_PER_BATCH. Bounded: at most `maxPending` samples wait; beyond
// that the oldest are dropped (counted). A failed report is counted and its
// samples are dropped: reporting never stops or slows a device.
import { type LatencySample, MAX_SAMPLES_PER_BATCH } from "../api-types/scheduler.js";
import type { SchedulerClient } from "../clients/scheduler.js";

export interface ReporterCounts {
  /** Samples the scheduler accepted. */
  reported: number;
  /** Calls that failed (the scheduler down, the task gone, a timeout). */
  failedBatches: number;
  /** Samples lost: in failed calls, or dropped past the pending bound. */
  lost: number;
}

export interface ReporterOptions {
  /** ms between two flushes (default 2000). */
  everyMs?: number;
  /** Samples waiting at most, over all tasks (default 20 000). */
  maxPending?: number;
  /** Timeout of one call (default 3000 ms). */
  timeoutMs?: number;
}

export class SampleReporter {
  readonly counts: ReporterCounts = { reported: 0, failedBatches: 0, lost: 0 };
  private readonly pending = new Map<string, LatencySample[]>();
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly maxPending: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly scheduler: Pick<SchedulerClient, "reportSamples">,
    private readonly opts: ReporterOptions = {},
  ) {
    this.maxPending = opts.maxPending ?? 20_000;
    this.timeoutMs = opts.timeoutMs ?? 3000;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.opts.everyMs ?? 2000);
    this.timer.unref();
  }

  add(task: string, sample: LatencySample): void {
    let list = this.pending.get(task);
    if (!list) {
      list = [];
      this.pending.set(task, list);
    }
    list.push(sample);
    this.size++;
    if (this.size > this.maxPending) this.dropOldest();
  }

  /** Sends what waits (one task's, or all); resolves once sent or failed, never rejects. */
  flush(task?: string): Promise<void> {
    // One flush at a time, so that batches of a task arrive in order.
    this.flushing = this.flushing.then(() => this.send(task));
    return this.flushing;
  }

  /** Stops the timer and sends what waits. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async send(only?: string): Promise<void> {
    const tasks = only === undefined ? [...this.pending.keys()] : [only];
    for (const task of tasks) {
      const list = this.pending.get(task);
      if (!list?.length) continue;
      this.pending.delete(task);
      this.size -= list.length;
      for (let i = 0; i < list.length; i += MAX_SAMPLES_PER_BATCH) {
        const samples = list.slice(i, i + MAX_SAMPLES_PER_BATCH);
        try {
          const receipt = await this.scheduler.reportSamples(task, { samples }, { retry: false, timeoutMs: this.timeoutMs });
          this.counts.reported += receipt.accepted;
        } catch {
          this.counts.failedBatches++;
          this.counts.lost += samples.length;
        }
      }
    }
  }

  private dropOldest(): void {
    // The task with the most waiting loses its oldest sample.
    let worst: LatencySample[] | undefined;
    for (const list of this.pending.values()) if (!worst || list.length > worst.length) worst = list;
    worst?.shift();
    this.size--;
    this.counts.lost++;
  }
}
