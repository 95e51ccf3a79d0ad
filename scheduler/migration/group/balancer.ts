// The group's balancer (pure): how many member transfers go at once in the
// next round. The first round sends one, to measure what one transfer gets
// alone (the baseline). After each round: when every transfer of it kept
// close to the baseline the link was not the bottleneck, so the next round
// doubles; when they slowed each other down, the round's aggregate bandwidth
// over the baseline says how many fit at full speed. Always within the
// manager's limits.

/** One finished transfer: its bytes and how long they took. */
export interface Transfer {
  bytes: number;
  ms: number;
}

export interface RoundMeasure {
  parallelism: number;
  transfers: Transfer[];
}

export interface BalancerBounds {
  /** The manager's moves at once in the cluster. */
  maxParallel: number;
  /** The manager's moves at once out of one node ... */
  maxOutboundPerNode: number;
  /** ... and how many nodes the members still to move leave from. */
  sourceNodes: number;
}

export interface ParallelismChoice {
  parallelism: number;
  reason: string;
}

/** A transfer keeping this share of the baseline did not compete for the link. */
export const HELD_FRACTION = 0.8;

export function mbps(t: Transfer): number {
  return t.ms > 0 ? (t.bytes * 8) / (t.ms * 1000) : 0;
}

/** Measured transfers only (a failed one, or one with no bytes or time, says nothing about the link). */
function measured(r: RoundMeasure): Transfer[] {
  return r.transfers.filter((t) => t.bytes > 0 && t.ms > 0);
}

export function cap(b: BalancerBounds): { limit: number; why: string } {
  const outbound = b.maxOutboundPerNode * Math.max(1, b.sourceNodes);
  return outbound < b.maxParallel
    ? { limit: Math.max(1, outbound), why: `${b.maxOutboundPerNode} outbound per node × ${Math.max(1, b.sourceNodes)} source node(s)` }
    : { limit: Math.max(1, b.maxParallel), why: `${b.maxParallel} at once in the cluster` };
}

const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

/** The next round's parallelism from the rounds so far (oldest first), with the reason. */
export function nextParallelism(rounds: readonly RoundMeasure[], bounds: BalancerBounds): ParallelismChoice {
  const { limit, why } = cap(bounds);
  const bounded = (want: number, reason: string): ParallelismChoice =>
    want > limit ? { parallelism: limit, reason: `${reason}; bounded to ${limit} by the limits (${why})` } : { parallelism: Math.max(1, want), reason };

  const withData = rounds.filter((r) => measured(r).length > 0);
  const last = withData.at(-1);
  if (!last) return bounded(1, rounds.length === 0 ? "first round: one transfer, to measure what one gets alone" : "nothing measured yet: one transfer");
  // The baseline: the best a transfer got alone (or, before any lone one, the best seen).
  const alone = withData.filter((r) => measured(r).length === 1).flatMap(measured);
  const baseline = Math.max(...(alone.length ? alone : withData.flatMap(measured)).map(mbps));
  const lastRates = measured(last).map(mbps);
  const n = lastRates.length;
  const aggregate = lastRates.reduce((a, b) => a + b, 0);
  const slowest = Math.min(...lastRates);
  if (n === 1 && slowest >= HELD_FRACTION * baseline) {
    return bounded(2 * n, `1 transfer at ${f(slowest)} Mbit/s (baseline ${f(baseline)}): trying ${2 * n} at once`);
  }
  if (slowest >= HELD_FRACTION * baseline) {
    return bounded(2 * n, `${n} transfers each kept ≥${HELD_FRACTION * 100}% of the ${f(baseline)} Mbit/s one gets alone (slowest ${f(slowest)}): the link is not saturated, doubling to ${2 * n}`);
  }
  const fit = Math.max(1, Math.floor(aggregate / baseline + 1e-9));
  return bounded(
    fit,
    `${n} transfer(s) slowed to ${f(slowest)} Mbit/s (<${HELD_FRACTION * 100}% of the ${f(baseline)} one gets alone): together ${f(aggregate)} Mbit/s, room for ${fit} at full speed`,
  );
}
