// A migration's folder on this agent goes whole: what a CRIU run killed
// midway left mounted in it (its cgroup yard) is detached first, or `rm -r`
// fails on it and every page of the workload's memory stays on the host.
import { rm } from "node:fs/promises";
import { unmountUnder } from "../runtime/mounts.js";

export async function removeMigrationDir(dir: string, log: (message: string) => void): Promise<void> {
  const detached = await unmountUnder(dir).catch((err: Error) => {
    log(`unmounting under ${dir} failed: ${err.message}`);
    return [];
  });
  if (detached.length) log(`detached ${detached.length} mount(s) a CRIU run left in ${dir}: ${detached.join(", ")}`);
  await rm(dir, { recursive: true, force: true });
}
