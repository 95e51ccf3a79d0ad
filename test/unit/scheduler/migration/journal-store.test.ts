import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { JOURNAL_FILE, JournalStore } from "../../../../scheduler/migration/journal-store.js";
import { emptyMetrics, type ManagedMove, noChanges } from "../../../../scheduler/migration/record.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "fmm-journal-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const move = (id: string, state: ManagedMove["state"]): ManagedMove => ({
  id,
  task: { id: "t-1", device: "d", workload: "detect", inputClass: "small", delayBudgetMs: 100 },
  from: "edge1",
  to: "cloud1",
  cpuShare: 0.5,
  fromEndpoint: "http://edge1",
  toEndpoint: "http://cloud1",
  workloadId: "t-1",
  state,
  strategy: null,
  reason: null,
  requestedAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  changes: noChanges(),
  metrics: emptyMetrics(),
  timeline: [],
  log: [],
});

describe("JournalStore", () => {
  it("appends one line per save and fsyncs before the save resolves", async () => {
    const { store } = await JournalStore.open(dir);
    const handle = (store as unknown as { file: { handle: { sync(): Promise<void> } } }).file.handle;
    const sync = vi.spyOn(handle, "sync");
    await store.save(move("m-1", "PENDING"));
    await store.save(move("m-1", "PLANNING"));
    expect(sync).toHaveBeenCalledTimes(2);
    const lines = readFileSync(path.join(dir, JOURNAL_FILE), "utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).state)).toEqual(["PENDING", "PLANNING"]);
    await store.close();
  });

  it("reopens with the latest record per id, in first-save order, and compacts the file", async () => {
    const { store } = await JournalStore.open(dir);
    await store.save(move("m-1", "PENDING"));
    await store.save(move("m-2", "PENDING"));
    await store.save(move("m-1", "EXECUTION"));
    await store.close();
    const { store: again, dropped } = await JournalStore.open(dir);
    expect(dropped).toEqual([]);
    expect((await again.loadAll()).map((m) => [m.id, m.state])).toEqual([
      ["m-1", "EXECUTION"],
      ["m-2", "PENDING"],
    ]);
    expect(readFileSync(path.join(dir, JOURNAL_FILE), "utf8").trim().split("\n")).toHaveLength(2);
    await again.close();
  });

  it("tolerates a torn last line (a crash mid-append) and reports it", async () => {
    writeFileSync(path.join(dir, JOURNAL_FILE), `${JSON.stringify(move("m-1", "PREPARATION"))}\n`);
    appendFileSync(path.join(dir, JOURNAL_FILE), JSON.stringify(move("m-1", "EXECUTION")).slice(0, 40));
    const { store, dropped } = await JournalStore.open(dir);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatch(/line 2 \(torn last line\)/);
    expect((await store.loadAll()).map((m) => m.state)).toEqual(["PREPARATION"]);
    await store.save(move("m-1", "ROLLING_BACK"));
    await store.close();
    const { store: again } = await JournalStore.open(dir);
    expect((await again.loadAll()).map((m) => m.state)).toEqual(["ROLLING_BACK"]);
    await again.close();
  });

  it("creates the directory on first use", async () => {
    const { store } = await JournalStore.open(path.join(dir, "a", "b"));
    expect(await store.loadAll()).toEqual([]);
    await store.close();
  });
});
