// Fan-out of scheduler events to WebSocket subscribers (and tests). Events are
// plain JSON so that any client, in any language, can read the stream.
import type { MigrationRecord } from "../executor/executor.js";
import type { NodeSpec, TaskRequest } from "../placement/types.js";

export type SchedulerEvent =
  | {
      type: "placed";
      at: string;
      task: TaskRequest;
      node: string;
      endpoint: string | null;
      cpuShare: number;
      predictedDelayMs: number;
      case: number | null;
      migrations: string[];
    }
  | { type: "refused"; at: string; task: TaskRequest; reason: string }
  | { type: "migration-requested"; at: string; migration: MigrationRecord }
  | { type: "released"; at: string; task: string; node: string }
  | { type: "node-registered"; at: string; node: NodeSpec }
  | { type: "node-removed"; at: string; node: string };

/** An event before the bus stamps it with its time. */
export type EventInput = SchedulerEvent extends infer E ? (E extends SchedulerEvent ? Omit<E, "at"> : never) : never;

export type Listener = (event: SchedulerEvent) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  emit(input: EventInput): SchedulerEvent {
    const event = { ...input, at: this.now().toISOString() } as SchedulerEvent;
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }
}
