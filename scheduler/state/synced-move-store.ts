// The migration journal, kept in step with the state store. A move that ends
// changes where its task runs (COMPLETED: the destination, with the
// workload's new id; rolled back: the source again), so the task's record is
// written BEFORE the move's final record: a crash between the two leaves the
// move unfinished in the journal, and recovery settles it again. Both
// journals may then be separate files (or stores) without a torn view.
import type { ManagedMove } from "../migration/record.js";
import { isFinal } from "../migration/states.js";
import type { MigrationStore } from "../migration/store.js";
import type { DurableState } from "./durable-state.js";

export class SyncedMoveStore implements MigrationStore {
  constructor(
    private readonly inner: MigrationStore,
    private readonly state: DurableState,
    /** A completed move's workload runs under a new id: the binding learns it before it is written. */
    private readonly onCompleted: (taskId: string, workloadId: string) => void,
  ) {}

  async save(m: ManagedMove): Promise<void> {
    if (isFinal(m.state) && this.state.isMoving(m.task.id)) {
      if (m.state === "COMPLETED" && m.destinationWorkloadId) this.onCompleted(m.task.id, m.destinationWorkloadId);
      this.state.setMoving(m.task.id, undefined);
      // Rejects on a write failure: the move's final record is then not written either.
      await this.state.store.apply([this.state.task(m.task.id)]);
    }
    await this.inner.save(m);
  }

  loadAll(): Promise<ManagedMove[]> {
    return this.inner.loadAll();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
