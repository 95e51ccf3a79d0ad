// Migrations view model: every move the scheduler handed to its migration
// manager, newest first, each with its state as the transition events say,
// its timeline, strategy, downtime, network reconfiguration time and log
// lines (the record GET /v1/migrations/:id answers, fetched again on each
// transition). Pure: events and records in, rows out.
import type { MigrationState, MoveRecord } from "../../../src/api-types/scheduler.js";
import type { SchedulerUiEvent } from "./events.js";

export const FINAL_STATES: ReadonlySet<string> = new Set(["COMPLETED", "FAILED"]);

export interface MigrationRow {
  id: string;
  task: string;
  from: string;
  to: string;
  state: MigrationState;
  /** States in the order they were entered (repeats folded), PENDING first. */
  path: MigrationState[];
  strategy: string | null;
  requestedAt: string;
  /** Frozen on the source until running on the destination (the agent's). */
  downtimeMs: number | null;
  reconfigurationMs: number | null;
  totalMs: number | null;
  error: string | null;
  timeline: Array<{ at: string; state: MigrationState; message: string }>;
  log: string[];
  final: boolean;
}

export type MigrationsState = ReadonlyMap<string, MigrationRow>;

export const emptyMigrations = (): MigrationsState => new Map();

/** A record as answered by GET /v1/migrations[/:id] or carried by migration-requested. */
export function withRecord(state: MigrationsState, r: MoveRecord): MigrationsState {
  const before = state.get(r.id);
  const timeline = (r.timeline ?? []).map((t) => ({ at: t.at, state: t.state, message: t.message }));
  const recordState: MigrationState = r.state ?? coarseState(r.status);
  // A record fetched before the latest event may be older than what the events said: keep the further state.
  const state_ = before && rank(before.state) > rank(recordState) ? before.state : recordState;
  // The timeline is the truth once it has as much as the events did.
  const fromTimeline = fold(timeline.map((t) => t.state));
  const fromEvents = before?.path ?? [];
  const path = fromTimeline.length >= fromEvents.length ? fold([...fromTimeline, state_]) : fromEvents;
  const row: MigrationRow = {
    id: r.id,
    task: r.task.id,
    from: r.from,
    to: r.to,
    state: state_,
    path,
    strategy: r.strategy ?? r.requestedStrategy ?? before?.strategy ?? null,
    requestedAt: r.requestedAt,
    downtimeMs: r.metrics?.frozenMs ?? null,
    reconfigurationMs: r.metrics?.networkReconfigurationMs ?? null,
    totalMs: r.metrics?.totalMs ?? null,
    error: r.error ?? before?.error ?? null,
    timeline: timeline.length >= (before?.timeline.length ?? 0) ? timeline : before!.timeline,
    log: (r.log?.length ?? 0) >= (before?.log.length ?? 0) ? (r.log ?? []) : before!.log,
    final: FINAL_STATES.has(state_),
  };
  return new Map(state).set(r.id, row);
}

/** One event: a new move, or a move's transition (a move not seen yet gets a row from the event alone). */
export function applyMigrationEvent(state: MigrationsState, e: SchedulerUiEvent): MigrationsState {
  if (e.type === "migration-requested") return withRecord(state, e.migration);
  if (e.type !== "migration.transition") return state;
  const before = state.get(e.migration);
  const row: MigrationRow = before
    ? { ...before }
    : {
        id: e.migration,
        task: e.task,
        from: e.from,
        to: e.to,
        state: e.state,
        path: [],
        strategy: null,
        requestedAt: e.at,
        downtimeMs: null,
        reconfigurationMs: null,
        totalMs: null,
        error: null,
        timeline: [],
        log: [],
        final: false,
      };
  row.state = e.state;
  row.path = fold([...row.path, ...(e.previous && row.path.length === 0 ? [e.previous] : []), e.state]);
  row.timeline = [...row.timeline, { at: e.at, state: e.state, message: e.previous ? `${e.previous} -> ${e.state}` : e.state }];
  if (e.error) row.error = e.error;
  row.final = FINAL_STATES.has(e.state);
  return new Map(state).set(e.migration, row);
}

/** Rows newest first (by request time, then id). */
export function migrationRows(state: MigrationsState): MigrationRow[] {
  return [...state.values()].sort((a, b) => b.requestedAt.localeCompare(a.requestedAt) || b.id.localeCompare(a.id, undefined, { numeric: true }));
}

const ORDER: MigrationState[] = ["PENDING", "PLANNING", "PREPARATION", "EXECUTION", "VERIFICATION", "ROLLING_BACK", "COMPLETED", "FAILED"];

function rank(s: MigrationState): number {
  return FINAL_STATES.has(s) ? 100 : ORDER.indexOf(s);
}

function coarseState(status: MoveRecord["status"]): MigrationState {
  return status === "done" ? "COMPLETED" : status === "failed" ? "FAILED" : status === "running" ? "EXECUTION" : "PENDING";
}

/** Consecutive repeats folded: [A, A, B] -> [A, B]. */
function fold(states: MigrationState[]): MigrationState[] {
  return states.filter((s, i) => i === 0 || states[i - 1] !== s);
}
