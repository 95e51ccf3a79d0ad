// What a restarted agent removes from its work root: every folder of a copy
// coming in, folders of migrations out the journal no longer holds, nothing
// it did not name itself, and no outgoing images at all when it has no journal.
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { leftoverMigrationDirs, newOutgoingId, OUTGOING_DIR, sweepMigrationDirs } from "../../../../edge-agent/state/sweep.js";

describe("leftover migration folders", () => {
  const entries = ["state", "in-m-1a2b3c4d", "m-1a2b3c4d", "m-deadbeef", "m-notanid", "in-", "workloads", "in-../x"];

  it("removes incoming folders and outgoing ones not kept; leaves everything else", () => {
    expect(leftoverMigrationDirs(entries, new Set(["m-deadbeef"]))).toEqual(["in-m-1a2b3c4d", "m-1a2b3c4d"]);
  });

  it("without a journal keeps every outgoing folder", () => {
    expect(leftoverMigrationDirs(entries, "all")).toEqual(["in-m-1a2b3c4d"]);
  });

  it("names the agent's own migration ids the way the sweep recognizes them", () => {
    for (let i = 0; i < 20; i++) expect(newOutgoingId()).toMatch(OUTGOING_DIR);
  });

  it("sweeps a real folder, with a note per folder and a failure noted, not thrown", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "fm-sweep-"));
    try {
      for (const d of ["state", "in-m-00000001", "m-00000002", "m-00000003"]) await mkdir(path.join(root, d, "sub"), { recursive: true });
      const notes = await sweepMigrationDirs(root, new Set(["m-00000003"]), async (dir) => {
        if (dir.endsWith("m-00000002")) throw new Error("busy");
        await rm(dir, { recursive: true });
      });
      expect((await readdir(root)).sort()).toEqual(["m-00000002", "m-00000003", "state"]);
      expect(notes).toEqual([expect.stringMatching(/^removed in-m-00000001: .*coming in/), "could not remove m-00000002: busy"]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
