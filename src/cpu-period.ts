// The one CFS bandwidth period of every CPU limit FlexiMigrate sets: the
// profiler measures latency under it and the agent enforces the scheduler's
// shares with it, so the latency models are applied under the regime they were
// fitted in. Why 5 ms: docs/latency.md, "One CPU period".

/** CFS period in µs: short against a request (tens of ms), so the cap is smooth at request scale. */
export const CPU_PERIOD_US = 5_000;

/** The kernel refuses quotas under 1 ms. */
export const MIN_QUOTA_US = 1_000;

/** The kernel refuses periods over 1 s. */
export const MAX_PERIOD_US = 1_000_000;

/** Smallest limit the period expresses with a quota the kernel accepts: 0.2 cores. */
export const MIN_PERIOD_LIMIT = MIN_QUOTA_US / CPU_PERIOD_US;

export interface CfsBandwidth {
  periodUs: number;
  quotaUs: number;
}

/**
 * Period and quota for a limit of `cores` (> 0): quota = cores x CPU_PERIOD_US.
 * A limit under MIN_PERIOD_LIMIT gets the 1 ms minimum quota over a longer
 * period (1 ms / cores) rather than more CPU than it was granted; a request
 * under it still spans as many periods as its CPU work has milliseconds, so the
 * cap stays smooth. Throws for a limit no period can express (under 0.001 cores).
 */
export function cfsBandwidth(cores: number): CfsBandwidth {
  if (!(cores > 0) || !Number.isFinite(cores)) throw new Error(`CPU limit must be a positive number of cores, got ${cores}`);
  if (cores >= MIN_PERIOD_LIMIT) return { periodUs: CPU_PERIOD_US, quotaUs: Math.round(cores * CPU_PERIOD_US) };
  const periodUs = Math.round(MIN_QUOTA_US / cores);
  if (periodUs > MAX_PERIOD_US) throw new Error(`CPU limit ${cores} is below the smallest the kernel can enforce (${MIN_QUOTA_US / MAX_PERIOD_US} cores)`);
  return { periodUs, quotaUs: MIN_QUOTA_US };
}
