// containerd unpacks a checkpoint it restores from into a temporary folder
// (`ctrd-checkpointNNN` in its temp dir, /tmp by default) and, in the
// versions Debian ships, never removes it: every Docker migration in would
// leave a copy of the workload's memory behind. The copy of our restore is
// the one whose `fleximigrate-restore` marker (markRestore) holds the value
// we wrote; only that one is removed.
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";

/** Where containerd makes its temporary folders (its own TMPDIR is not ours to read). */
export const ENGINE_TMP = process.env.FLEXIMIGRATE_CONTAINERD_TMP ?? "/tmp";
const COPY = /^ctrd-checkpoint\d+$/;
export const RESTORE_MARKER = "fleximigrate-restore";

/** Removes the engine's copy of the restore marked `marker`; answers the folder removed, if any. */
export async function removeEngineCopy(marker: string, tmp = ENGINE_TMP): Promise<string | undefined> {
  for (const name of await readdir(tmp).catch(() => [] as string[])) {
    if (!COPY.test(name)) continue;
    const dir = path.join(tmp, name);
    const held = await readFile(path.join(dir, RESTORE_MARKER), "utf8").catch(() => undefined);
    if (held?.trim() !== marker.trim()) continue;
    await rm(dir, { recursive: true, force: true });
    return dir;
  }
  return undefined;
}
