// Mounts left inside a folder the agent is about to remove: a CRIU restore
// killed midway leaves what it mounted in its work directory (its cgroup
// yard), and `rm -r` cannot remove a folder with a mount in it.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

/** Mount points at or under `dir` in a mountinfo text, deepest first (the order to unmount them). */
export function mountsUnder(dir: string, mountinfo: string): string[] {
  const root = path.resolve(dir);
  const found = new Set<string>();
  for (const line of mountinfo.split("\n")) {
    const point = line.split(" ")[4];
    if (!point) continue;
    const decoded = point.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
    if (decoded === root || decoded.startsWith(`${root}/`)) found.add(decoded);
  }
  return [...found].sort((a, b) => b.split("/").length - a.split("/").length || b.localeCompare(a));
}

/** Detaches (umount -l) every mount at or under `dir`; answers the mount points it detached. */
export async function unmountUnder(dir: string): Promise<string[]> {
  const detached: string[] = [];
  // Mounts can be stacked on one point: a few passes, each detaching the top ones.
  for (let pass = 0; pass < 8; pass++) {
    const points = mountsUnder(dir, await readFile("/proc/self/mountinfo", "utf8"));
    if (points.length === 0) break;
    for (const point of points) await promisify(execFile)("umount", ["-l", point]);
    detached.push(...points);
  }
  return detached;
}
