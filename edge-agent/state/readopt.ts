// What a restarted agent does with the workloads an earlier process of it
// recorded, before it answers anything:
//   - a direct tree still running as recorded (PID, start time, group) is
//     taken back (its ports relayed again); one that ended, or whose PID is now
//     another process, is listed as exited, with why its status is unknown;
//   - a Docker workload is taken back by its container id, exited if the
//     container no longer runs (with its exit code);
//   - a source mid-migration keeps its tree as it is (stopped once dumped:
//     never resumed here, as the destination may run the copy) and its
//     images, listed as frozen with a note; the migration's manager decides
//     (DELETE here once the destination holds it, or it runs there no more);
//   - a copy restored here for a migration in, not committed, is undone (its
//     source rolls back when the commit it asks for finds none);
//   - a create under way (recorded, never answered) is undone: every process
//     in its group, the group, its network.
// Records already ended (exited, failed, stopped) stay as they were.
import type { Reattached, WorkloadRecord, WorkloadSpec } from "../runtime/types.js";
import type { AgentSnapshot } from "./records.js";

export interface ReadoptDeps {
  /** The workload's runtime checks it still runs as recorded, and takes it back (runtime/reattach.ts). */
  reattach(record: WorkloadRecord, startTime: number | undefined): Promise<Reattached>;
  /** Direct runtime (the only one with pending creates): undo a create that never finished. */
  undoStart(id: string, spec: WorkloadSpec, cgroup: string): Promise<void>;
  /** Removes a workload's tree or container and what it holds on the host. */
  remove(record: WorkloadRecord): Promise<void>;
  workRoot: string;
}

export interface Readopted {
  workloads: WorkloadRecord[];
  /** What happened to each, for the log. */
  notes: string[];
}

export async function readoptWorkloads(snap: AgentSnapshot, d: ReadoptDeps): Promise<Readopted> {
  const workloads: WorkloadRecord[] = [];
  const notes: string[] = [];
  const recorded = new Set(snap.workloads.map((w) => w.record.id));
  for (const p of snap.pending) {
    if (recorded.has(p.id)) continue; // the create finished: its record says the rest
    await d.undoStart(p.id, p.spec, p.cgroup).catch((err: Error) => notes.push(`${p.id}: undoing its unfinished create failed: ${err.message}`));
    notes.push(`${p.id}: its create was cut short by the restart; undone (its processes, group ${p.cgroup} and network are gone)`);
  }
  for (const stored of snap.workloads) {
    const r: WorkloadRecord = { ...stored.record };
    if (r.state === "exited" || r.state === "failed" || r.state === "stopped") {
      workloads.push(r);
      continue;
    }
    if (r.state === "migrating" && !stored.outgoing) {
      // A copy restored here, never committed: provisional, so it goes.
      await d.remove(r).catch((err: Error) => notes.push(`${r.id}: removing it failed: ${err.message}`));
      notes.push(`${r.id}: an uncommitted copy of migration ${r.migratedFrom?.migrationId ?? "?"} in; undone`);
      continue;
    }
    let back: Reattached;
    try {
      back = await d.reattach(r, stored.startTime);
    } catch (err) {
      // Runs, but what it needs from this agent (its ports' relay) failed: listed running, with the reason.
      workloads.push({ ...r, note: `taken back, but not whole: ${(err as Error).message}` });
      notes.push(`${r.id}: taken back; ${(err as Error).message}`);
      continue;
    }
    if (!back.runs) {
      workloads.push({ ...r, state: "exited", exit: back.exit });
      notes.push(`${r.id}: ${back.exit.reason ?? "it ended while the agent was down"}; listed as exited`);
      continue;
    }
    if (stored.outgoing) {
      const { migrationId, destination, phase } = stored.outgoing;
      const images = `${d.workRoot}/${migrationId}`;
      workloads.push({
        ...r,
        state: "frozen",
        note: `migration ${migrationId} to ${destination} was in phase ${phase} when the agent restarted: the tree is kept as it was (stopped once dumped, never resumed here) and its images in ${images}; delete it once the destination runs it`,
      });
      notes.push(`${r.id}: mid-migration ${migrationId} (${phase}); kept frozen with its images in ${images}`);
      continue;
    }
    workloads.push(r);
    notes.push(`${r.id}: taken back${r.pid ? ` (PID ${r.pid}, start time and group ${r.cgroup} as recorded)` : ""}`);
  }
  return { workloads, notes };
}
