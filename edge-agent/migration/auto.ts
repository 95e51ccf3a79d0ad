// Auto: picks a strategy from what works here, the working set and the
// measured bandwidth, and says why. Pure.
import type { Availability } from "./strategy.js";

export interface AutoInput {
  available: Record<string, Availability>;
  workingSetBytes: number;
  bandwidthBps?: number;
  /** Downtime above which stop-and-copy is not acceptable when post-copy exists. */
  maxStopCopyDowntimeMs?: number;
}

export interface AutoChoice {
  strategy: "stopcopy" | "precopy" | "postcopy";
  reason: string;
}

const MiB = 1 << 20;

export function chooseStrategy(input: AutoInput): AutoChoice {
  const ok = (n: string) => input.available[n]?.ok === true;
  const budget = input.maxStopCopyDowntimeMs ?? 1000;
  const bw = input.bandwidthBps && input.bandwidthBps > 0 ? input.bandwidthBps : undefined;
  const ws = `${(input.workingSetBytes / MiB).toFixed(1)} MiB`;
  const copyMs = bw ? (input.workingSetBytes / bw) * 1000 : undefined;
  const est = copyMs === undefined ? "unknown bandwidth" : `~${Math.round(copyMs)} ms to copy ${ws} at ${(bw! / MiB).toFixed(1)} MiB/s`;
  if (copyMs !== undefined && copyMs > budget && ok("postcopy"))
    return { strategy: "postcopy", reason: `stop-and-copy would stop the workload ${est} (> ${budget} ms); post-copy resumes before the memory moves` };
  if (copyMs !== undefined && copyMs > budget && ok("precopy"))
    return { strategy: "precopy", reason: `stop-and-copy would stop the workload ${est}; pre-copy moves memory while it runs` };
  if (ok("stopcopy")) {
    const why = copyMs === undefined ? `${ws} working set, bandwidth not measured yet` : `${est} fits the ${budget} ms downtime budget`;
    const others = ["postcopy", "precopy"].filter((n) => !ok(n)).map((n) => `${n}: ${(input.available[n] as { reason?: string } | undefined)?.reason ?? "not registered"}`);
    return { strategy: "stopcopy", reason: `stop-and-copy: ${why}${others.length && copyMs !== undefined && copyMs > budget ? `; ${others.join("; ")}` : ""}` };
  }
  if (ok("postcopy")) return { strategy: "postcopy", reason: "post-copy is the only strategy available here" };
  throw new Error(`no migration strategy works here: ${Object.entries(input.available).map(([n, a]) => `${n}: ${a.ok ? "ok" : a.reason}`).join("; ")}`);
}
