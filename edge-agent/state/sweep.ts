// Migration folders an earlier process of this agent left in its work root
// when it died: a copy coming in is provisional (readopt.ts undid it), so its
// folder goes; a migration out keeps its images while the journal still
// holds its workload frozen mid-move (its manager decides), and goes otherwise.
// Only names this agent gives its migration folders are touched.
import { randomUUID } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";

/** `m-` and eight hex digits: the id an agent gives a migration out (its folder's name). */
export const OUTGOING_DIR = /^m-[0-9a-f]{8}$/;
export function newOutgoingId(): string {
  return `m-${randomUUID().slice(0, 8)}`;
}

/** `in-` and the source's migration id: a migration coming in. */
export const INCOMING_DIR = /^in-[A-Za-z0-9-]{1,64}$/;

/**
 * Outgoing folders to keep: those named (the journal's migrations out), or
 * all of them when nothing is known (no journal: images might be all that is
 * left of a workload, so they are never guessed away).
 */
export type KeptOutgoing = ReadonlySet<string> | "all";

/** The folders among `entries` to remove: every incoming one, and outgoing ones not kept. */
export function leftoverMigrationDirs(entries: readonly string[], kept: KeptOutgoing): string[] {
  return entries.filter((name) => INCOMING_DIR.test(name) || (OUTGOING_DIR.test(name) && kept !== "all" && !kept.has(name)));
}

/** Removes the leftovers under `workRoot` with `remove` (which detaches mounts first); answers a note per folder. */
export async function sweepMigrationDirs(workRoot: string, kept: KeptOutgoing, remove: (dir: string) => Promise<void>): Promise<string[]> {
  const entries = await readdir(workRoot, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const notes: string[] = [];
  for (const name of leftoverMigrationDirs(dirs, kept)) {
    try {
      await remove(path.join(workRoot, name));
      notes.push(`removed ${name}: a migration folder the earlier process left (${INCOMING_DIR.test(name) ? "a copy coming in, undone" : "its migration is over"})`);
    } catch (err) {
      notes.push(`could not remove ${name}: ${(err as Error).message}`);
    }
  }
  return notes;
}
