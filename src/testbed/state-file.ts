// What a testbed run made, on disk before it makes it: `fleximigrate testbed
// clean` (and the next run) remove a crashed run's objects from this file, by
// exact name and PID, never by pattern.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export const STATE_DIR = "/run/fleximigrate-testbed";

export interface TestbedState {
  prefix: string;
  /** The testbed process itself. */
  pid: number;
  startedAt: string;
  /** argv arrays that remove every host object, in order; "not there" counts as removed. */
  removal: string[][];
  /** Children by name, with the command line they were started with (checked before a kill, so a reused PID is left alone). */
  children: Array<{ name: string; pid: number; cmdlineHas: string }>;
  /** Folders of the run (agents' work folders, the ip shim, the scheduler's state). */
  dirs: string[];
}

export const statePath = (prefix: string, dir = STATE_DIR) => path.join(dir, `${prefix}.json`);

export function readState(prefix: string, dir = STATE_DIR): TestbedState | null {
  const file = statePath(prefix, dir);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, "utf8")) as TestbedState;
}

/** Atomic: a crash mid-write leaves the earlier version. */
export function writeState(state: TestbedState, dir = STATE_DIR): void {
  mkdirSync(dir, { recursive: true });
  const file = statePath(state.prefix, dir);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}

export function dropState(prefix: string, dir = STATE_DIR): void {
  rmSync(statePath(prefix, dir), { force: true });
}
