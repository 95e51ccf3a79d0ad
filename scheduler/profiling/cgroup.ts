// Caps one process's CPU with a cgroup v1 `cpu` controller group of its own:
// quota/period = the CPU share. A short period (5 ms) keeps the cap smooth at
// request scale: with the kernel's 100 ms default, a short request can finish on
// a full core inside one period's quota and never feel the cap.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CPU_SHARES, type CpuLimiter, type ProfileRuntime, quotaUs } from "./runtime.js";
import { CPU_PERIOD_US } from "../../src/cpu-period.js";

export const CGROUP_V1_CPU = "/sys/fs/cgroup/cpu";
const PREFIX = "fleximigrate-profile-";

/** Why the cgroup runtime cannot run here, or null when it can. */
export function cgroupUnavailable(root = CGROUP_V1_CPU): string | null {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return "cgroup CPU limits need root";
  if (!existsSync(join(root, "cpu.cfs_quota_us"))) return `no cgroup v1 cpu controller at ${root}`;
  return null;
}

/** The workload runs as a plain child process; its limit is a cgroup of its own. */
export const cgroupRuntime: ProfileRuntime = {
  name: "cgroup",
  prepare: async () => {},
  serverCommand: (server) => ({ command: process.execPath, args: ["--import", "tsx", server] }),
  limit: async (pid) => new CgroupV1Limiter(pid),
};

export class CgroupV1Limiter implements CpuLimiter {
  readonly dir: string;
  private disposed = false;

  /** Creates the group fleximigrate-profile-<our pid> and moves `pid` (all its threads) into it. */
  constructor(
    pid: number,
    private readonly root = CGROUP_V1_CPU,
  ) {
    removeStaleGroups(root);
    this.dir = join(root, `${PREFIX}${process.pid}`);
    removeGroup(this.dir, root);
    mkdirSync(this.dir);
    writeFileSync(join(this.dir, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
    writeFileSync(join(this.dir, "cpu.shares"), String(CPU_SHARES));
    writeFileSync(join(this.dir, "cgroup.procs"), String(pid));
  }

  async setLimit(share: number): Promise<void> {
    writeFileSync(join(this.dir, "cpu.cfs_quota_us"), String(quotaUs(share)));
  }

  /** Current quota as a share, read back from the kernel. */
  currentLimit(): number {
    return Number(readFileSync(join(this.dir, "cpu.cfs_quota_us"), "utf8")) / CPU_PERIOD_US;
  }

  /** Pids in the group, as the kernel sees them. */
  members(): number[] {
    return readFileSync(join(this.dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    removeGroup(this.dir, this.root);
  }
}

/** Moves any remaining processes back to the root group, then removes the directory. */
function removeGroup(dir: string, root: string): void {
  if (!existsSync(dir)) return;
  const procs = readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean);
  for (const pid of procs) {
    try {
      writeFileSync(join(root, "cgroup.procs"), pid);
    } catch {
      // Exited in between: nothing to move.
    }
  }
  rmdirSync(dir);
}

/** Groups left by profiler runs that crashed: their owner pid no longer exists. */
function removeStaleGroups(root: string): void {
  for (const name of readdirSync(root)) {
    if (!name.startsWith(PREFIX)) continue;
    const owner = Number(name.slice(PREFIX.length));
    if (Number.isInteger(owner) && !existsSync(`/proc/${owner}`)) removeGroup(join(root, name), root);
  }
}
