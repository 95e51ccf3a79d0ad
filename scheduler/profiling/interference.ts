// Neighbours on a shared host slow the CPU itself (a busy hyperthread sibling,
// shared caches): the same request then burns more CPU time at every limit, and
// its latency under a quota grows with it (latency ≈ CPU time / share). That
// spread is the host's load, not the curve being measured, and at small shares it
// is multiplied by 1/share. Each sample's own CPU time measures it, so a sample is
// scaled to the run's median CPU time for its input size: the latency it would
// have had at the host's typical speed. The raw latency stays in the file.

/** What scaling needs of a sample (the profiler's samples have more). */
export interface TimedSample {
  inputClass: string;
  latencyMs: number;
  rawLatencyMs: number;
  cpuMs: number;
}

export type InterferenceMode = "normalize" | "keep";

/** Samples with latencyMs scaled to the median CPU time of their size; rawLatencyMs keeps the measured one. */
export function normalizeForInterference<S extends TimedSample>(samples: S[]): S[] {
  const cpuBySize = new Map<string, number[]>();
  for (const s of samples) {
    if (s.cpuMs > 0) cpuBySize.set(s.inputClass, [...(cpuBySize.get(s.inputClass) ?? []), s.cpuMs]);
  }
  const typical = new Map([...cpuBySize].map(([size, xs]) => [size, medianOf(xs)]));
  return samples.map((s) => {
    const median = typical.get(s.inputClass);
    // No CPU time measured (a request too short for the clock): nothing to scale by.
    if (!(s.cpuMs > 0) || median === undefined) return s;
    return { ...s, latencyMs: (s.rawLatencyMs * median) / s.cpuMs };
  });
}

function medianOf(xs: number[]): number {
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
