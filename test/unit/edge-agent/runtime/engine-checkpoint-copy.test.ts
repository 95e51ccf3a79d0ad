// containerd's unpacked copy of a checkpoint is found by the marker our
// restore wrote into it, and only that copy goes: other copies, folders with
// another marker or none, and look-alike names stay.
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { RESTORE_MARKER, removeEngineCopy } from "../../../../edge-agent/runtime/engine-checkpoint-copy.js";

let tmp = "";
afterEach(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

it("removes exactly the engine's copy holding our marker", async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "fm-engine-tmp-"));
  const make = async (name: string, marker?: string) => {
    await mkdir(path.join(tmp, name));
    await writeFile(path.join(tmp, name, "pages-1.img"), "x");
    if (marker) await writeFile(path.join(tmp, name, RESTORE_MARKER), `${marker}\n`);
  };
  await make("ctrd-checkpoint111", "ours");
  await make("ctrd-checkpoint222", "another-restore");
  await make("ctrd-checkpoint333");
  await make("ctrd-checkpoint444x", "ours");
  expect(await removeEngineCopy("ours", tmp)).toBe(path.join(tmp, "ctrd-checkpoint111"));
  expect((await readdir(tmp)).sort()).toEqual(["ctrd-checkpoint222", "ctrd-checkpoint333", "ctrd-checkpoint444x"]);
  expect(await removeEngineCopy("ours", tmp)).toBeUndefined();
  expect(await removeEngineCopy("ours", path.join(tmp, "missing"))).toBeUndefined();
});
