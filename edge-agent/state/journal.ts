// The agent's embedded store: a JSON-lines journal (agent-state.jsonl) under
// its --state-dir, with the scheduler's discipline (src/journal/jsonl-file.ts):
// each batch one fsynced line, a torn last line dropped on open, compacted at
// open. The agent's workload map stays the truth: `sync` captures it, writes
// what differs from the disk as one batch, and resolves once it is there;
// syncs run one at a time, each against what the previous one wrote, so a
// failed one leaves its changes to the next.
import { ApiError } from "../../src/http/api-error.js";
import { JsonlFile } from "../../src/journal/jsonl-file.js";
import { type AgentChange, type AgentSnapshot, AgentTables, isAgentChange } from "./records.js";

export const AGENT_STATE_FILE = "agent-state.jsonl";

interface Batch {
  changes: AgentChange[];
}

function parseBatch(value: unknown): Batch {
  const batch = value as { changes?: unknown };
  if (!Array.isArray(batch?.changes) || !batch.changes.every(isAgentChange)) throw new Error("not an agent state batch");
  return batch as Batch;
}

function tablesOf(batches: Batch[]): AgentTables {
  const tables = new AgentTables();
  for (const b of batches) for (const c of b.changes) tables.apply(c);
  return tables;
}

export interface AgentJournalOpened {
  journal: AgentJournal;
  snapshot: AgentSnapshot;
  /** Lines dropped while reading (a torn last line, or corrupt ones), for the log. */
  dropped: string[];
}

export class AgentJournal {
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: JsonlFile<Batch>,
    private readonly onDisk: AgentTables,
    private readonly capture: () => AgentSnapshot,
  ) {}

  get path(): string {
    return this.file.path;
  }

  static async open(dir: string, capture: () => AgentSnapshot): Promise<AgentJournalOpened> {
    const opened = await JsonlFile.open(dir, AGENT_STATE_FILE, parseBatch, (batches) => {
      const changes = tablesOf(batches).changes();
      return changes.length ? [{ changes }] : [];
    });
    const tables = tablesOf(opened.lines);
    return { journal: new AgentJournal(opened.file, tables, capture), snapshot: tables.snapshot(), dropped: opened.dropped };
  }

  /** Writes what changed since the last write; a failed write rejects with a 503 naming the cause. */
  sync(): Promise<void> {
    const run = this.queue.then(async () => {
      const changes = this.onDisk.diff(this.capture());
      if (changes.length === 0) return;
      try {
        await this.file.append({ changes }, () => {
          for (const c of changes) this.onDisk.apply(c);
        });
      } catch (err) {
        const reason = `agent state write failed: ${(err as Error).message}`;
        throw new ApiError(503, "UNAVAILABLE", reason, { reason });
      }
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.file.close();
  }
}
