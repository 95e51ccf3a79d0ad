// The agent's embedded store: a JSON-lines journal (agent-state.jsonl) under
// its --state-dir, kept by the one snapshot journal
// (src/journal/snapshot-journal.ts). The agent's workload map stays the
// truth; `sync` writes what differs from the disk.
import { SnapshotJournal, type SnapshotJournalKind, type SnapshotJournalOpened } from "../../src/journal/snapshot-journal.js";
import { type AgentChange, type AgentSnapshot, AgentTables, isAgentChange } from "./records.js";

export const AGENT_STATE_FILE = "agent-state.jsonl";

const KIND: SnapshotJournalKind<AgentChange, AgentSnapshot> = {
  file: AGENT_STATE_FILE,
  what: "agent state",
  isChange: isAgentChange,
  tables: () => new AgentTables(),
};

export type AgentJournal = SnapshotJournal<AgentChange, AgentSnapshot>;
export type AgentJournalOpened = SnapshotJournalOpened<AgentChange, AgentSnapshot>;

export const AgentJournal = {
  open: (dir: string, capture: () => AgentSnapshot): Promise<AgentJournalOpened> => SnapshotJournal.open(KIND, dir, capture),
};
