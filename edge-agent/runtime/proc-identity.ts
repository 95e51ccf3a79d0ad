// Who a PID is, as the kernel tells it: its start time (field 22 of
// /proc/PID/stat, clock ticks since boot, which no later process with the same
// PID can share) and the cgroup v1 group it is in. A restarted agent checks
// both before it takes a recorded workload back: a PID alone may have been
// reused by an unrelated process. The parsers are pure; the readers are not.
import { readFileSync } from "node:fs";

/** Field 22 (starttime) of a /proc/PID/stat line; undefined when the line is not one. */
export function parseStartTime(stat: string): number | undefined {
  // The command (field 2) is in parentheses and may hold spaces and ')': fields resume after the last ')'.
  const close = stat.lastIndexOf(")");
  if (close < 0) return undefined;
  const rest = stat.slice(close + 2).split(" ");
  // rest[0] is field 3 (state), so field 22 is rest[19].
  const v = Number(rest[19]);
  return Number.isInteger(v) && v >= 0 ? v : undefined;
}

/** The group path (without the leading "/") of `controller` in a /proc/PID/cgroup text (v1 lines "N:ctl,ctl:/path"). */
export function parseCgroupOf(text: string, controller: string): string | undefined {
  for (const line of text.split("\n")) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m?.[1]?.split(",").includes(controller)) return (m[2] as string).replace(/^\//, "");
  }
  return undefined;
}

export interface ProcessIdentity {
  startTime: number;
  /** Its cgroup v1 cpu group, relative to the hierarchy's root. */
  cgroup?: string;
  zombie: boolean;
}

/** The PID's identity now, or undefined when no such process exists. */
export function processIdentity(pid: number): ProcessIdentity | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const startTime = parseStartTime(stat);
    if (startTime === undefined) return undefined;
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    let cgroup: string | undefined;
    try {
      cgroup = parseCgroupOf(readFileSync(`/proc/${pid}/cgroup`, "utf8"), "cpu");
    } catch {
      cgroup = undefined;
    }
    return { startTime, cgroup, zombie: state === "Z" || state === "X" };
  } catch {
    return undefined;
  }
}
