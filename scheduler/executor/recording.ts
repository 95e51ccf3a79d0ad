// The executor used until agents can move workloads: it records each move as
// "requested" and does nothing else, so the API and the demo show the moves.
import type { MigrationExecutor, MigrationOrder, MigrationRecord } from "./executor.js";

export class RecordingExecutor implements MigrationExecutor {
  private readonly log: MigrationRecord[] = [];
  private readonly byId = new Map<string, MigrationRecord>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    /** Ids from a shared sequence (the routing executor's); m-1, m-2, ... by default. */
    private readonly nextId: () => string = () => `m-${this.log.length + 1}`,
  ) {}

  async request(order: MigrationOrder): Promise<MigrationRecord> {
    const record: MigrationRecord = {
      id: this.nextId(),
      task: order.task,
      from: order.from,
      to: order.to,
      cpuShare: order.cpuShare,
      ...(order.fromEndpoint === undefined ? {} : { fromEndpoint: order.fromEndpoint }),
      ...(order.toEndpoint === undefined ? {} : { toEndpoint: order.toEndpoint }),
      status: "requested",
      requestedAt: this.now().toISOString(),
    };
    this.log.push(record);
    this.byId.set(record.id, record);
    return record;
  }

  records(): MigrationRecord[] {
    return this.log.map((r) => ({ ...r }));
  }

  record(id: string): MigrationRecord | undefined {
    const r = this.byId.get(id);
    return r ? { ...r } : undefined;
  }
}
