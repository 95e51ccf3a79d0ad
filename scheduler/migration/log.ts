// The migration log (pure): one line per event in a fixed shape that people
// and tests read alike:
//   INFO [MigrationManager]: Starting - Transitioning: PENDING -> PLANNING
//   INFO [MigrationManager]: Final State: COMPLETED
//   WARN [NetworkManager]: no controller configured; path assumed
import type { MigrationComponent, MigrationState, MigrationTimelineEntry } from "../../src/api-types/scheduler.js";

export type { MigrationComponent, MigrationTimelineEntry };

export const COMPONENTS: readonly MigrationComponent[] = [
  "MigrationManager",
  "PolicyEnforcer",
  "ResourceAllocator",
  "StateSynchronizer",
  "NetworkManager",
  "DataProtection",
];

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

export function formatMessage(level: LogLevel, component: MigrationComponent, message: string): string {
  return `${level} [${component}]: ${message}`;
}

export function formatTransition(level: LogLevel, component: MigrationComponent, message: string, from: MigrationState, to: MigrationState): string {
  return `${level} [${component}]: ${message} - Transitioning: ${from} -> ${to}`;
}

export function formatFinal(level: LogLevel, component: MigrationComponent, state: MigrationState): string {
  return `${level} [${component}]: Final State: ${state}`;
}

/** A record's journal of what happened: timeline entries and log lines. */
export interface Journaled {
  state: MigrationState;
  timeline: MigrationTimelineEntry[];
  log: string[];
}

/** Appends a plain line, and a timeline entry at the record's current state. */
export function note(rec: Journaled, at: string, level: LogLevel, component: MigrationComponent, message: string): void {
  rec.log.push(formatMessage(level, component, message));
  rec.timeline.push({ at, state: rec.state, component, message });
}
