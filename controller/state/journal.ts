// The controller's embedded store: a JSON-lines journal (controller-state.jsonl)
// under its --state-dir, kept by the one snapshot journal
// (src/journal/snapshot-journal.ts). The live parts (DNS table, redirect
// store, nodes, overlay) stay the truth; `sync` writes what differs from the
// disk before a change is acknowledged.
import { SnapshotJournal, type SnapshotJournalKind, type SnapshotJournalOpened } from "../../src/journal/snapshot-journal.js";
import { type ControllerChange, type ControllerSnapshot, ControllerTables, isControllerChange } from "./records.js";

export const CONTROLLER_STATE_FILE = "controller-state.jsonl";

const KIND: SnapshotJournalKind<ControllerChange, ControllerSnapshot> = {
  file: CONTROLLER_STATE_FILE,
  what: "controller state",
  isChange: isControllerChange,
  tables: () => new ControllerTables(),
};

export type ControllerJournal = SnapshotJournal<ControllerChange, ControllerSnapshot>;
export type ControllerJournalOpened = SnapshotJournalOpened<ControllerChange, ControllerSnapshot>;

export const ControllerJournal = {
  /** Reads, compacts and opens the journal under `dir` (made when missing); `capture` reads the live parts. */
  open: (dir: string, capture: () => ControllerSnapshot): Promise<ControllerJournalOpened> => SnapshotJournal.open(KIND, dir, capture),
};
