// The state journal: batches are durable once applied and come back after a
// reopen; a torn last line (a crash mid-append) is dropped whole; opening
// compacts; a failed append keeps nothing and leaves the file clean.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STATE_FILE, StateJournal } from "../../../../scheduler/state/journal.js";
import type { StateChange, StoredTask } from "../../../../scheduler/state/records.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "fmd-state-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NODE: StateChange = { kind: "node", key: "edge1", value: { name: "edge1", tier: "edge", cpus: 1, netDelayMs: 5 } };
const task = (id: string, seq: number): StoredTask => ({
  request: { id, device: "cam", workload: "detect", inputClass: "small", delayBudgetMs: 266 },
  node: "edge1",
  shareMilli: 590,
  seq,
  sinceSec: 100,
  model: { kind: "exponential", a: 900, b: -2.1 },
  binding: { workloadId: id, ip: "10.77.0.2", prefixLen: 16, mac: "02:00:0a:4d:00:02", port: 8080, probePath: "/" },
});

describe("StateJournal", () => {
  it("keeps every applied batch across a reopen, deletions included, tasks in seq order", async () => {
    const { store, existed } = await StateJournal.open(dir);
    expect(existed).toBe(false);
    await store.apply([NODE, { kind: "device", key: "cam", value: { id: "cam", registeredAt: "2026-01-01T00:00:00.000Z", auto: true } }]);
    await store.apply([{ kind: "task", key: "t-2", value: task("t-2", 1) }, { kind: "taskSeq", key: "taskSeq", value: 2 }]);
    await store.apply([{ kind: "task", key: "t-1", value: task("t-1", 0) }]);
    await store.apply([{ kind: "task", key: "t-3", value: task("t-3", 2) }]);
    await store.apply([{ kind: "task", key: "t-3", value: null }]);
    // no close: what a kill -9 leaves
    const again = await StateJournal.open(dir);
    expect(again.existed).toBe(true);
    expect(again.dropped).toEqual([]);
    const snap = await again.store.load();
    expect(snap.nodes).toEqual([NODE.value]);
    expect(snap.devices.map((d) => d.id)).toEqual(["cam"]);
    expect(snap.tasks).toEqual([task("t-1", 0), task("t-2", 1)]);
    expect(snap.taskSeq).toBe(2);
    // compacted: one line per record left
    expect(readFileSync(path.join(dir, STATE_FILE), "utf8").trim().split("\n")).toHaveLength(5);
    await again.store.close();
    await store.close();
  });

  it("drops a torn last line whole (a batch is all or nothing) and says so", async () => {
    const { store } = await StateJournal.open(dir);
    await store.apply([NODE]);
    await store.close();
    const half = JSON.stringify({ changes: [{ kind: "task", key: "t-1", value: task("t-1", 0) }, { kind: "taskSeq", key: "taskSeq", value: 1 }] });
    appendFileSync(path.join(dir, STATE_FILE), half.slice(0, half.length - 20));
    const again = await StateJournal.open(dir);
    expect(again.dropped).toEqual([expect.stringMatching(/^state\.jsonl line 3 \(torn last line\): /)]);
    const snap = await again.store.load();
    expect(snap).toMatchObject({ nodes: [NODE.value], tasks: [], taskSeq: 0 });
    // the next append starts on a clean line
    await again.store.apply([{ kind: "taskSeq", key: "taskSeq", value: 7 }]);
    await again.store.close();
    expect((await (await StateJournal.open(dir)).store.load()).taskSeq).toBe(7);
  });

  it("drops corrupt lines in the middle and keeps the rest", async () => {
    writeFileSync(path.join(dir, STATE_FILE), `${JSON.stringify({ changes: [NODE] })}\n{"changes":[{"kind":"bogus"}]}\nnot json\n`);
    const { store, dropped } = await StateJournal.open(dir);
    expect(dropped).toHaveLength(2);
    expect((await store.load()).nodes).toEqual([NODE.value]);
    await store.close();
  });

  it("a failed append rejects and keeps nothing of the batch", async () => {
    const { store } = await StateJournal.open(dir);
    await store.apply([NODE]);
    // Stand-in for EIO / disk full: the file handle is gone.
    await (store as unknown as { file: { handle: { close(): Promise<void> } } }).file.handle.close();
    await expect(store.apply([{ kind: "node", key: "edge1", value: null }])).rejects.toThrow();
    expect((await store.load()).nodes).toEqual([NODE.value]);
    expect((await (await StateJournal.open(dir)).store.load()).nodes).toEqual([NODE.value]);
  });
});
