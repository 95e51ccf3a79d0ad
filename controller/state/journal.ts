// The controller's embedded store: a JSON-lines journal (controller-state.jsonl)
// under its --state-dir, kept by the one snapshot journal
// (src/journal/snapshot-journal.ts). The live parts (DNS table, redirect
// store, nodes, overlay) stay the truth; `sync` writes what differs from the
// disk before a change is acknowledged.
import type { Etcd3 } from "etcd3";
import { EtcdKeyedSink, readKeyed, type WriteGuard } from "../../src/etcd/keyed-records.js";
import { SnapshotJournal, type SnapshotJournalKind, type SnapshotJournalOpened } from "../../src/journal/snapshot-journal.js";
import { type ControllerChange, type ControllerSnapshot, ControllerTables, isControllerChange } from "./records.js";

export const CONTROLLER_STATE_FILE = "controller-state.jsonl";
/** The same records in etcd (--store etcd://...): one key per record under it. */
export const CONTROLLER_STATE_PREFIX = "/fleximigrate/controller/state/";

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
  /** The records kept in etcd instead: read them, then each sync is one etcd transaction (with `guard`, fenced by the leader's term). */
  async openEtcd(client: Etcd3, where: string, capture: () => ControllerSnapshot, onClose: () => void, guard?: WriteGuard): Promise<ControllerJournalOpened> {
    const records = await readKeyed(client, CONTROLLER_STATE_PREFIX, isControllerChange);
    return SnapshotJournal.over(KIND, new EtcdKeyedSink(client, CONTROLLER_STATE_PREFIX, where, onClose, guard), records, capture);
  },
};
