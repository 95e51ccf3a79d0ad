// The agent's allow-list as configured (--allow-command, --allow-image), its
// executables resolved once to real paths, so a request naming `sh`,
// `/bin/sh` or a symlink to it is compared by what it would run.
import { realpath } from "node:fs/promises";
import { SHIPPED_IMAGE_SERVER_GLOB } from "../../src/shipped-workloads.js";
import { findExecutable } from "../runtime/preflight.js";
import type { AllowedCommand, WorkloadAllowList } from "./workload-policy.js";

export interface AllowListConfig {
  /** Each entry: an executable, then the words that must follow it. */
  commands: string[][];
  images: string[];
}

/**
 * Without configuration: the workloads this project ships, the profiled
 * image server run by this agent's Node, and no image. Anything else is the
 * operator's explicit choice.
 */
export function defaultAllowList(): AllowListConfig {
  return { commands: [[process.execPath, SHIPPED_IMAGE_SERVER_GLOB]], images: [] };
}

/** The executable `command` runs as through this agent's PATH, by its real path; null when there is none. */
export async function resolveExecutable(command: string): Promise<string | null> {
  const file = await findExecutable(command, process.env.PATH ?? "");
  return file ? realpath(file).catch(() => null) : null;
}

/** Resolves every entry; an executable that is not on this host is an error naming it. */
export async function resolveAllowList(config: AllowListConfig): Promise<WorkloadAllowList> {
  const commands: AllowedCommand[] = [];
  for (const [exe, ...args] of config.commands) {
    if (!exe) throw new Error("an allowed command needs at least an executable");
    const executable = await resolveExecutable(exe);
    if (!executable) throw new Error(`allowed command '${[exe, ...args].join(" ")}': no executable '${exe}' on this host`);
    commands.push({ text: [exe, ...args].join(" "), executable, args });
  }
  return { commands, images: [...config.images] };
}
