// The executor the service uses: moves between two nodes with agents go to
// the migration manager; the others (no agent runs them) are only recorded,
// as before. One id sequence for both, so ids stay unique.
import type { MigrationExecutor, MigrationOrder, MigrationRecord } from "../executor/executor.js";
import { RecordingExecutor } from "../executor/recording.js";
import type { MigrationManager } from "./manager.js";

export class RoutingExecutor implements MigrationExecutor {
  private readonly recording: RecordingExecutor;
  private readonly order: string[] = [];
  /** Recorded moves' tasks, by id: their status never changes ("requested"). */
  private readonly recordedTask = new Map<string, string>();

  constructor(
    readonly manager: MigrationManager,
    now: () => Date,
  ) {
    this.recording = new RecordingExecutor(now, () => manager.nextId());
    this.order.push(...manager.records().map((r) => r.id));
  }

  async request(order: MigrationOrder): Promise<MigrationRecord> {
    const managed = order.fromEndpoint !== undefined && order.toEndpoint !== undefined;
    const record = managed ? await this.manager.request(order) : await this.recording.request(order);
    this.order.push(record.id);
    if (!managed) this.recordedTask.set(record.id, record.task.id);
    return record;
  }

  records(): MigrationRecord[] {
    return this.order.map((id) => this.record(id)!).filter(Boolean);
  }

  record(id: string): MigrationRecord | undefined {
    return this.recordedTask.has(id) ? this.recording.record(id) : this.manager.record(id);
  }

  /** A task's latest move decides: recorded ones stay "requested" (in flight), managed ones until final. */
  inFlight(): Set<string> {
    const latest = new Map<string, boolean>();
    for (const id of this.order) {
      const task = this.recordedTask.get(id);
      if (task !== undefined) latest.set(task, true);
      else {
        const m = this.manager.peek(id);
        if (m) latest.set(m.task, m.inFlight);
      }
    }
    return new Set([...latest].filter(([, busy]) => busy).map(([task]) => task));
  }

  deviceSamples(taskId: string, samples: ReadonlyArray<{ at: number; e2eMs: number }>): void {
    this.manager.deviceSamples(taskId, samples);
  }

  cancelTask(taskId: string): Promise<void> {
    return this.manager.cancelTask(taskId);
  }

  close(): Promise<void> {
    return this.manager.close();
  }
}
