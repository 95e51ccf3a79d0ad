// What the agent SIGKILL test reads off the host: the processes of its
// workloads (each a `sleep N` with an N of its own, the root of its PID
// namespace) and the cgroup v1 groups of its node that hold processes.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { CGROUP_ROOT } from "../../../../edge-agent/runtime/cgroup.js";
import { parseCgroupOf } from "../../../../edge-agent/runtime/proc-identity.js";

/** The argv of workload number `n`: unique on this host, so its processes can be counted. */
export const argvOf = (n: number): string[] => ["sleep", String(2_400_000 + n)];

/** PIDs whose whole command line is `argv` (the launcher `unshare ... sleep N` is not counted). */
export function pidsRunning(argv: string[]): number[] {
  const want = `${argv.join("\0")}\0`;
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8") !== want) continue;
      // A zombie keeps no command line, but be sure: only live ones count.
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${entry}/status`, "utf8"))) continue;
      out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function cgroupOfPid(pid: number): string | undefined {
  try {
    return parseCgroupOf(readFileSync(`/proc/${pid}/cgroup`, "utf8"), "cpu");
  } catch {
    return undefined;
  }
}

/** The node's groups of workload `id` (ID.SUFFIX) that hold at least one process. */
export function busyGroupsOf(node: string, id: string): string[] {
  const dir = path.join(CGROUP_ROOT, "cpu", "fleximigrate", node);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(`${id}.`))
    .filter((n) => readFileSync(path.join(dir, n, "cgroup.procs"), "utf8").trim() !== "")
    .map((n) => path.join("fleximigrate", node, n));
}
