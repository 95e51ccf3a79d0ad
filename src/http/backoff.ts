// How long a retried request waits: exponential in the attempt, capped, and
// jittered so that clients failing together do not retry together.

export interface BackoffPolicy {
  /** Tries in all, the first included (1 = no retry). */
  attempts: number;
  /** Wait before the first retry, before jitter. */
  baseMs: number;
  /** Cap of any one wait. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { attempts: 3, baseMs: 200, maxMs: 2000 };

/**
 * The wait before retry number `retry` (1 for the first): a uniform pick in
 * [d/2, d] with d = min(maxMs, baseMs * 2^(retry-1)), `random` in [0, 1).
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
