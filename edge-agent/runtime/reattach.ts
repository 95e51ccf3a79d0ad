// Whether a restarted agent may take back a direct workload an earlier
// process of it recorded. Pure: the PID's identity is read by the caller
// (proc-identity.ts).
import type { ProcessIdentity } from "./proc-identity.js";
import type { WorkloadRecord } from "./types.js";

export type Adoption = { adopt: true } | { adopt: false; reason: string };

/**
 * Whether a restarted agent may take back a direct workload it recorded:
 * only when its PID still runs, started at the recorded time (else the PID
 * was reused) and sits in the recorded group. `now`: the PID's identity now
 * (undefined: no such process).
 */
export function adoptionDecision(record: WorkloadRecord, startTime: number | undefined, now: ProcessIdentity | undefined): Adoption {
  if (!record.pid) return { adopt: false, reason: "no process tree was recorded for it" };
  if (!now || now.zombie) return { adopt: false, reason: "its process tree ended while the agent was down; exit status unknown" };
  if (startTime === undefined) return { adopt: false, reason: `its start time was not recorded, so PID ${record.pid} cannot be told from a reused one` };
  if (now.startTime !== startTime) return { adopt: false, reason: `its process tree ended while the agent was down (PID ${record.pid} is now another process); exit status unknown` };
  if (record.cgroup && now.cgroup !== record.cgroup) return { adopt: false, reason: `PID ${record.pid} is in group ${now.cgroup ?? "none"}, not its own ${record.cgroup}` };
  return { adopt: true };
}
