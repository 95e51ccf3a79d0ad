// Following the source agent's migration: a fast poll (every pollMs) until a
// condition holds, failing on the agent's failure, on no phase or progress
// change for progressTimeoutMs, and past the completion timeout (per GiB of
// the migration's total bytes, with a minimum), measured from the agent's start.
import type { MigrationView } from "../../src/api-types/agent.js";
import { type StepEnv, StepFailure } from "./context.js";
import type { ManagedMove } from "./record.js";

const GIB = 1024 ** 3;

export function completionTimeoutMs(totalBytes: number, limits: StepEnv["limits"]): number {
  return Math.max(limits.minCompletionMs, (limits.completionMsPerGiB * Math.max(0, totalBytes)) / GIB);
}

/** Polls the source agent's migration until `done(view)`; answers that view. Its events wake the poll at once. */
export async function waitForAgent(m: ManagedMove, env: StepEnv, what: string, done: (v: MigrationView) => boolean): Promise<MigrationView> {
  const id = m.agentMigrationId;
  if (!id) throw new StepFailure("StateSynchronizer", "no agent migration to follow");
  let wake: (() => void) | undefined;
  const unfollow = env.source(m).followMigration?.(id, () => wake?.());
  try {
    return await pollAgent(m, env, id, what, done, () => new Promise<void>((resolve) => (wake = resolve)));
  } finally {
    unfollow?.();
  }
}

async function pollAgent(
  m: ManagedMove,
  env: StepEnv,
  id: string,
  what: string,
  done: (v: MigrationView) => boolean,
  nextEvent: () => Promise<void>,
): Promise<MigrationView> {
  const started = m.agentStartedAtMs ?? env.now().getTime();
  let lastKey = "";
  let lastChange = env.now().getTime();
  for (;;) {
    env.checkpoint(m);
    const view = await env.source(m).migration(id);
    absorbAgentMetrics(m, view);
    if (done(view)) return view;
    if (view.phase === "failed" || view.status === "failed") {
      throw new StepFailure("StateSynchronizer", `agent migration ${id} failed in ${what}: ${view.error ?? "no reason given"}`);
    }
    const now = env.now().getTime();
    const key = `${view.phase}/${view.progress.bytes}`;
    if (key !== lastKey) {
      lastKey = key;
      lastChange = now;
    } else if (now - lastChange >= env.limits.progressTimeoutMs) {
      throw new StepFailure("StateSynchronizer", `agent migration ${id}: no progress for ${env.limits.progressTimeoutMs} ms (phase ${view.phase})`);
    }
    const limit = completionTimeoutMs(view.progress.totalBytes, env.limits);
    if (now - started >= limit) {
      throw new StepFailure("StateSynchronizer", `agent migration ${id}: not complete within ${Math.round(limit)} ms (phase ${view.phase})`);
    }
    await Promise.race([env.sleep(env.limits.pollMs), nextEvent()]);
  }
}

/** Copies what the agent measured into the move's metrics. */
export function absorbAgentMetrics(m: ManagedMove, view: MigrationView): void {
  if (view.strategy && !m.strategy) m.strategy = view.strategy;
  const x = view.metrics;
  if (x) {
    m.metrics.frozenMs = x.downtimeMs;
    m.metrics.bytesBeforeResume = x.bytesBeforeResume;
    m.metrics.bytesAfterResume = x.bytesAfterResume;
    m.metrics.pagesOnFault = x.pagesOnFault;
    m.metrics.pagesPushed = x.pagesPushed;
    m.metrics.dumpMs = x.breakdown?.dumpMs ?? m.metrics.dumpMs;
    m.metrics.transferMs = x.breakdown?.transferMs ?? m.metrics.transferMs;
    m.metrics.restoreMs = x.breakdown?.restoreMs ?? m.metrics.restoreMs;
  }
  if (view.rollback) {
    m.metrics.destinationRanMs = view.rollback.destinationRanMs ?? null;
    m.metrics.changesDiscarded = view.rollback.changesDiscarded;
  }
}
