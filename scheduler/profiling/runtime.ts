// What the profiler needs from a CPU-limiting runtime: how to start the workload
// server under it, and how to change the server's CPU limit while it runs.
import { cfsBandwidth, MIN_PERIOD_LIMIT } from "../../src/cpu-period.js";

/** A process to spawn; its stdout's first line must be `{"port":N}`. */
export interface ServerCommand {
  command: string;
  args: string[];
}

export interface CpuLimiter {
  /** Caps the workload to `share` cores from now on. */
  setLimit(share: number): Promise<void>;
  /** Releases the workload from the limit and removes what was created; safe to call twice. */
  dispose(): Promise<void>;
}

export interface ProfileRuntime {
  /** Recorded in the samples file's header comment. */
  readonly name: string;
  /** Gets the runtime ready (e.g. an image) before the server starts. */
  prepare(): Promise<void>;
  /** Starts `node --import tsx SERVER` under this runtime. */
  serverCommand(serverPath: string): ServerCommand;
  /** Limits the started process (its PID as seen by us). */
  limit(pid: number): Promise<CpuLimiter>;
}

/**
 * Highest CFS weight (cgroup v1 cpu.shares): other processes on the host must not
 * eat into the quota, or the curve would measure the neighbours' load, not the limit.
 */
export const CPU_SHARES = 262_144;
/** Every sample is measured under the one period, so limits stop where it needs the smallest quota. */
export const MIN_LIMIT = MIN_PERIOD_LIMIT;

/** Quota (µs per CPU_PERIOD_US) for a limit the period expresses exactly. */
export function quotaUs(share: number): number {
  if (!(share >= MIN_LIMIT)) throw new Error(`CPU limit ${share} is below the smallest quota (${MIN_LIMIT} cores)`);
  return cfsBandwidth(share).quotaUs;
}
