// What a device's requests amount to, as pure arithmetic over their outcomes:
// percentiles of the measured latency, deadline misses against the budget,
// errors by kind, and the longest silence between two answers (what a move
// costs the device). No clock here: outcomes carry their own times.

/** Why a request got no answer: the connection was reset, no answer in time, an HTTP error status, or no connection at all. */
export type ErrorKind = "reset" | "timeout" | "http" | "connect";
export const ERROR_KINDS: readonly ErrorKind[] = ["reset", "timeout", "http", "connect"];

export type Outcome =
  /** `at`: ms since the device started when the request was sent; `latencyMs`: until its answer was read in full. */
  | { ok: true; at: number; latencyMs: number }
  | { ok: false; at: number; kind: ErrorKind; detail?: string };

export interface LatencySummary {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface RequestStats {
  requests: number;
  answered: number;
  errors: Record<ErrorKind, number>;
  latencyMs: LatencySummary;
  /** Answered later than the budget, plus every request that got no answer. */
  deadlineMisses: number;
  /** deadlineMisses / requests (0 without requests). */
  missRate: number;
  /** Longest time between two consecutive answers (by when they arrived); null with fewer than two. */
  longestGapMs: number | null;
}

/** Nearest-rank percentile of ascending `sorted`: the smallest value with at least q of the values at or below it. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function latencySummary(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? null };
}

/** Longest difference between consecutive values of `times` once sorted; null with fewer than two. */
export function longestGap(times: readonly number[]): number | null {
  if (times.length < 2) return null;
  const sorted = [...times].sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, sorted[i]! - sorted[i - 1]!);
  return gap;
}

export function requestStats(outcomes: readonly Outcome[], budgetMs: number): RequestStats {
  const errors: Record<ErrorKind, number> = { reset: 0, timeout: 0, http: 0, connect: 0 };
  const latencies: number[] = [];
  const answeredAt: number[] = [];
  let late = 0;
  for (const o of outcomes) {
    if (!o.ok) {
      errors[o.kind]++;
      continue;
    }
    latencies.push(o.latencyMs);
    answeredAt.push(o.at + o.latencyMs);
    if (o.latencyMs > budgetMs) late++;
  }
  const failed = outcomes.length - latencies.length;
  const misses = late + failed;
  return {
    requests: outcomes.length,
    answered: latencies.length,
    errors,
    latencyMs: latencySummary(latencies),
    deadlineMisses: misses,
    missRate: outcomes.length ? misses / outcomes.length : 0,
    longestGapMs: longestGap(answeredAt),
  };
}

/**
 * Several devices' stats as one: counts add up, percentiles come from every
 * latency together (not an average of percentiles), the longest gap is the
 * worst device's (gaps never span two devices).
 */
export function overallStats(perDevice: ReadonlyArray<{ outcomes: readonly Outcome[]; budgetMs: number }>): RequestStats {
  const all = perDevice.map((d) => requestStats(d.outcomes, d.budgetMs));
  const latencies = perDevice.flatMap((d) => d.outcomes.flatMap((o) => (o.ok ? [o.latencyMs] : [])));
  const sum = (f: (s: RequestStats) => number) => all.reduce((n, s) => n + f(s), 0);
  const requests = sum((s) => s.requests);
  const misses = sum((s) => s.deadlineMisses);
  const gaps = all.map((s) => s.longestGapMs).filter((g): g is number => g !== null);
  return {
    requests,
    answered: sum((s) => s.answered),
    errors: { reset: sum((s) => s.errors.reset), timeout: sum((s) => s.errors.timeout), http: sum((s) => s.errors.http), connect: sum((s) => s.errors.connect) },
    latencyMs: latencySummary(latencies),
    deadlineMisses: misses,
    missRate: requests ? misses / requests : 0,
    longestGapMs: gaps.length ? Math.max(...gaps) : null,
  };
}
