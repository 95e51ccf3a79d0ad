// cgroup v1 groups for direct workloads: a CPU limit (cfs quota), and the
// counters the agent reports (cpuacct usage, memory usage).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { CPU_PERIOD_US, cfsBandwidth } from "../../src/cpu-period.js";

export const CGROUP_ROOT = process.env.FLEXIMIGRATE_CGROUP_ROOT ?? "/sys/fs/cgroup";
const CONTROLLERS = ["cpu", "cpuacct", "memory"] as const;

/**
 * Relative group path for one incarnation of a workload on one node:
 * fleximigrate/NODE/ID.SUFFIX, the suffix random per create or restore, so a
 * new workload with the id of an old one never joins the old one's group
 * (say one a restarted agent could not take back).
 */
export function groupPath(node: string, workloadId: string, incarnation = newIncarnation()): string {
  return path.join("fleximigrate", node, `${workloadId}.${incarnation}`);
}

export function newIncarnation(): string {
  return randomBytes(4).toString("hex");
}

/** The PIDs in the group (its cpu hierarchy's cgroup.procs); none when it does not exist. */
export async function groupPids(group: string): Promise<number[]> {
  const text = await readFile(path.join(CGROUP_ROOT, "cpu", group, "cgroup.procs"), "utf8").catch(() => "");
  return text.split("\n").filter(Boolean).map(Number);
}

export function cpuControlAvailable(): { ok: boolean; path?: string; error?: string } {
  const p = path.join(CGROUP_ROOT, "cpu", "cpu.cfs_quota_us");
  return existsSync(p) ? { ok: true, path: path.join(CGROUP_ROOT, "cpu") } : { ok: false, error: `${p} not found (no cgroup v1 cpu controller)` };
}

export async function createGroup(group: string, cpuLimit: number): Promise<void> {
  for (const c of CONTROLLERS) await mkdir(path.join(CGROUP_ROOT, c, group), { recursive: true });
  // The profiler's period (src/cpu-period.ts); quota -1 is unlimited.
  const { periodUs, quotaUs } = cpuLimit > 0 ? cfsBandwidth(cpuLimit) : { periodUs: CPU_PERIOD_US, quotaUs: -1 };
  await writeFile(path.join(CGROUP_ROOT, "cpu", group, "cpu.cfs_period_us"), String(periodUs));
  await writeFile(path.join(CGROUP_ROOT, "cpu", group, "cpu.cfs_quota_us"), String(quotaUs));
}

/** Files a shell writes `$$` into before exec, so the tree starts inside the group. */
export function procsFiles(group: string): string[] {
  return CONTROLLERS.map((c) => path.join(CGROUP_ROOT, c, group, "cgroup.procs"));
}

export async function movePids(group: string, pids: number[]): Promise<void> {
  for (const file of procsFiles(group)) for (const pid of pids) await writeFile(file, String(pid)).catch(() => undefined);
}

/** Removes the workload's group, then its node's and the project's parent groups once they are empty. */
export async function removeGroup(group: string): Promise<void> {
  for (const c of CONTROLLERS) {
    // rmdir fails on a group that still has tasks or children: the parents of a live workload stay.
    for (let g = group; g !== "." && g !== ""; g = path.dirname(g)) {
      if (!(await rmdir(path.join(CGROUP_ROOT, c, g)).then(() => true, () => false))) break;
    }
  }
}

export interface GroupCounters {
  cpuNs: number;
  memoryBytes: number;
}

export async function readCounters(group: string): Promise<GroupCounters> {
  const read = (c: string, f: string) => readFile(path.join(CGROUP_ROOT, c, group, f), "utf8").then(Number, () => 0);
  return { cpuNs: await read("cpuacct", "cpuacct.usage"), memoryBytes: await read("memory", "memory.usage_in_bytes") };
}
