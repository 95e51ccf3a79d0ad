// The one bounded wait: poll a condition until it holds, and fail naming what
// was awaited instead of hanging or racing the clock. Used by the `up`
// launcher, the benchmarks and the tests (test/helpers/wait.ts re-exports it).
import { setTimeout as sleep } from "node:timers/promises";

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between two polls (default 50 ms). */
  intervalMs?: number;
  /** What is awaited, for the timeout's message (a function is asked at the timeout, to show the last state). */
  what?: string | (() => string);
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;

/**
 * Polls `cond` until it answers something truthy and returns that answer.
 * A throw from `cond` ends the wait with that error.
 */
export async function waitFor<T>(cond: () => T | Promise<T>, opts: WaitOptions = {}): Promise<Truthy<T>> {
  const { timeoutMs = 10_000, intervalMs = 50, what = "a condition" } = opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await cond();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "function" ? what() : what}`);
    await sleep(intervalMs);
  }
}
