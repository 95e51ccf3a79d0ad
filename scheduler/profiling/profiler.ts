// The profiling loop: start the workload server, cap it at each CPU limit in turn
// and time real requests of each input size. Rounds interleave the limits, so that
// background load drifting over the run spreads over every limit instead of one.
import type { Sample } from "../latency/samples.js";
import { type InterferenceMode, normalizeForInterference } from "./interference.js";
import type { CpuLimiter, ProfileRuntime } from "./runtime.js";
import { SERVER_PATH, type WorkloadResult, WorkloadProcess } from "./workload-process.js";

export const WORKLOAD = "detect";

export interface ProfileOptions {
  sizes: string[];
  limits: number[];
  repeats: number;
  /** Back-to-back requests per sample; the sample is their median latency (damps one-off spikes). */
  burst: number;
  /** Untimed requests per size before measuring (JIT, image generation). */
  warmup: number;
  /** normalize (default): latencies scaled to the run's typical CPU speed (interference.ts); keep: as measured. */
  interference?: InterferenceMode;
  onProgress?: (done: number, total: number, detail: string) => void;
  /** Checked between requests; true stops the run early (cleanup still happens). */
  aborted?: () => boolean;
}

/** latencyMs is what the fit uses; rawLatencyMs what the request took. */
export type ProfileSample = Omit<Sample, "line"> & { checksum: string; cpuMs: number; rawLatencyMs: number };

export interface ProfileResult {
  runtime: string;
  samples: ProfileSample[];
}

export async function runProfile(opts: ProfileOptions, runtime: ProfileRuntime): Promise<ProfileResult> {
  const total = opts.sizes.length * (opts.warmup + opts.limits.length * opts.repeats);
  let done = 0;
  const tick = (detail: string) => opts.onProgress?.(++done, total, detail);
  await runtime.prepare();
  const workload = await WorkloadProcess.start(runtime.serverCommand(SERVER_PATH));
  let limiter: CpuLimiter | undefined;
  try {
    limiter = await runtime.limit(workload.pid);
    await limiter.setLimit(Math.max(...opts.limits));
    const expected = new Map<string, string>();
    for (const size of opts.sizes) {
      for (let i = 0; i < opts.warmup; i++) {
        expected.set(size, (await workload.process(size)).checksum);
        tick(`warm-up ${size}`);
      }
    }
    const samples: ProfileSample[] = [];
    for (let r = 0; r < opts.repeats; r++) {
      for (const share of opts.limits) {
        await limiter.setLimit(share);
        for (const size of opts.sizes) {
          if (opts.aborted?.()) throw new Error("profiling interrupted");
          const results: WorkloadResult[] = [];
          for (let b = 0; b < opts.burst; b++) {
            const res = await workload.process(size);
            // Same input, same output: a differing checksum means the work did not really run.
            const want = expected.get(size);
            if (want !== undefined && want !== res.checksum) {
              throw new Error(`workload answered checksum ${res.checksum} for ${size}, expected ${want}`);
            }
            expected.set(size, res.checksum);
            results.push(res);
          }
          const latencyMs = median(results.map((x) => x.latencyMs));
          const cpuMs = median(results.map((x) => x.cpuMs));
          samples.push({ workload: WORKLOAD, inputClass: size, cpuShare: share, latencyMs, rawLatencyMs: latencyMs, checksum: results[0]!.checksum, cpuMs });
          tick(`round ${r + 1}/${opts.repeats} limit ${share} ${size} ${latencyMs.toFixed(1)} ms`);
        }
      }
    }
    return { runtime: runtime.name, samples: opts.interference === "keep" ? samples : normalizeForInterference(samples) };
  } finally {
    // Stop the child first, so that removing the group finds it empty.
    await workload.stop();
    await limiter?.dispose();
  }
}

/** Median latency per (size, limit), for the summary table. */
export function summarize(samples: ProfileSample[]): Array<{ inputClass: string; cpuShare: number; n: number; medianMs: number }> {
  const groups = new Map<string, ProfileSample[]>();
  for (const s of samples) {
    const key = `${s.inputClass}\0${s.cpuShare}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((g) => {
    return { inputClass: g[0]!.inputClass, cpuShare: g[0]!.cpuShare, n: g.length, medianMs: median(g.map((s) => s.latencyMs)) };
  });
}

export function median(xs: number[]): number {
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
