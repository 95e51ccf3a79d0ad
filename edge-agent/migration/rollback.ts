// The order of a rollback, so that the workload never has zero copies: once
// the destination ran it, the source's copy runs again FIRST (its frozen tree
// resumed, or restored from its images), and only then is the destination's
// copy dropped. Before the destination ran anything, the destination is
// dropped first (as before): an unreachable one drops its uncommitted copy by
// itself after its orphan time, so the source waits that long before it runs
// on. Should the source fail to run again after resume, the destination's copy
// is kept (committed) rather than killed. The steps are given; this is pure
// ordering, unit-tested with fakes.

export interface RollbackSteps {
  /** The source's copy runs again (strategy.resumeSource). */
  resumeSource(): Promise<void>;
  /** The destination drops its copy and images; rejects when it cannot be reached. */
  abortDestination(): Promise<void>;
  /** The destination keeps its copy as the workload (its commit). */
  commitDestination(): Promise<void>;
  /** Waits out the destination's orphan time (it drops an uncommitted copy by itself by then). */
  waitOrphanTime(): Promise<void>;
  log(message: string): void;
}

export interface RollbackOutcome {
  /** Where the workload runs now. */
  runsOn: "source" | "destination";
  /** Whether the destination's copy was told to go (false: unreachable, it drops it itself). */
  destinationAborted: boolean;
  /** When the destination's copy was dropped (ms epoch), when it was. */
  destinationDroppedAt?: number;
  /** Why the source could not run again, when it could not. */
  sourceError?: string;
}

export async function rollBack(steps: RollbackSteps, state: { destinationOpen: boolean; resumed: boolean }): Promise<RollbackOutcome> {
  const abort = () =>
    steps.abortDestination().then(
      () => true,
      (err: Error) => {
        steps.log(`abort on the destination: ${err.message}`);
        return false;
      },
    );
  if (!state.resumed) {
    const aborted = state.destinationOpen ? await abort() : false;
    const droppedAt = Date.now();
    if (state.destinationOpen && !aborted) await steps.waitOrphanTime();
    await steps.resumeSource();
    return { runsOn: "source", destinationAborted: aborted, ...(aborted && { destinationDroppedAt: droppedAt }) };
  }
  try {
    await steps.resumeSource();
  } catch (err) {
    // The destination's copy is the only one that runs: keep it.
    const sourceError = (err as Error).message;
    steps.log(`the source could not run the workload again (${sourceError}); keeping the destination's copy`);
    await steps.commitDestination();
    return { runsOn: "destination", destinationAborted: false, sourceError };
  }
  const aborted = await abort();
  return { runsOn: "source", destinationAborted: aborted, ...(aborted && { destinationDroppedAt: Date.now() }) };
}
