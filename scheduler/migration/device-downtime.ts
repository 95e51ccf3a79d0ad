// The downtime a device saw during a move, from the answers it measured
// (pure). A device on one keep-alive connection sends at its interval and
// gets answers at about that interval; a move shows as one long gap between
// two answers around the frozen window. The figure is that gap minus the
// normal gap (the median of the gaps before the freeze), as `bench loop`
// counts it. Clocks: the answers' and the window's must be comparable (one
// machine in the loop; NTP-synchronised hosts otherwise).

export interface FrozenWindow {
  /** When the source froze (ms since epoch). */
  frozenAtMs: number;
  /** When the destination ran it (ms since epoch). */
  resumedAtMs: number;
}

export interface DeviceDowntime {
  downtimeMs: number;
  normalGapMs: number;
  /** The longest gap between two answers around the window. */
  longestGapMs: number;
}

/** Gaps before the freeze that the normal gap is the median of. */
const NORMAL_GAPS = 20;

/**
 * `answers`: when the device got each answer (ms since epoch, any order).
 * Undefined until there are three answers before the freeze and one after
 * the resume.
 */
export function deviceSeenDowntime(answers: readonly number[], w: FrozenWindow): DeviceDowntime | undefined {
  const a = [...answers].sort((x, y) => x - y);
  const before = a.filter((t) => t < w.frozenAtMs);
  if (before.length < 3 || !a.some((t) => t >= w.resumedAtMs)) return undefined;
  const gaps = before.slice(1).map((t, i) => t - before[i]!);
  const normal = median(gaps.slice(-NORMAL_GAPS));
  let longest = 0;
  for (let i = 0; i + 1 < a.length; i++) {
    // Gaps that overlap the window: from an answer before the resume to one after the freeze.
    if (a[i + 1]! >= w.frozenAtMs && a[i]! <= w.resumedAtMs) longest = Math.max(longest, a[i + 1]! - a[i]!);
  }
  return { downtimeMs: Math.max(0, Math.round(longest - normal)), normalGapMs: Math.round(normal), longestGapMs: Math.round(longest) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The answers of each moving task's device, kept from the move's request
 * until its figure is known or `keepMs` passed (bounded: at most
 * `maxAnswers` per task, the oldest dropped).
 */
export class DeviceAnswers {
  private readonly byTask = new Map<string, { moveId: string; answers: number[]; sinceMs: number }>();

  constructor(
    private readonly maxAnswers = 4096,
    private readonly keepMs = 120_000,
  ) {}

  /** A move of `task` starts: its device's answers count from now on (a newer move replaces an older one). */
  watch(task: string, moveId: string, nowMs: number): void {
    this.byTask.set(task, { moveId, answers: [], sinceMs: nowMs });
  }

  /** Adds answer times of `task`; answers the watched move's id, or undefined when none is watched. */
  add(task: string, answerTimes: readonly number[], nowMs: number): string | undefined {
    this.expire(nowMs);
    const w = this.byTask.get(task);
    if (!w) return undefined;
    w.answers.push(...answerTimes);
    if (w.answers.length > this.maxAnswers) w.answers.splice(0, w.answers.length - this.maxAnswers);
    return w.moveId;
  }

  /** The move's figure once its device's answers cover its window; the task is then forgotten. */
  figure(task: string, moveId: string, window: FrozenWindow): DeviceDowntime | undefined {
    const w = this.byTask.get(task);
    if (!w || w.moveId !== moveId) return undefined;
    const f = deviceSeenDowntime(w.answers, window);
    if (f) this.byTask.delete(task);
    return f;
  }

  forget(task: string, moveId: string): void {
    if (this.byTask.get(task)?.moveId === moveId) this.byTask.delete(task);
  }

  get size(): number {
    return this.byTask.size;
  }

  private expire(nowMs: number): void {
    for (const [task, w] of this.byTask) if (nowMs - w.sinceMs > this.keepMs) this.byTask.delete(task);
  }
}
