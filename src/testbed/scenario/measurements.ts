// What a scenario run measured: results/RUN/measurements.json, the report's input.
import type { MoveMetrics, MigrationTimelineEntry } from "../../api-types/scheduler.js";
import type { WanMeasure } from "../testbed.js";
import type { TraceDevice } from "./trace.js";

export interface RequestRecord {
  device: string;
  task: string;
  /** ms from the run's start when the request was sent. */
  t: number;
  ok: boolean;
  latencyMs: number | null;
  budgetMs: number;
  /** The node that served it (its task's node at that moment, moves followed). */
  servedBy: string;
  policy: string;
  error?: string;
}

export interface MigrationRecord {
  id: string;
  task: string;
  from: string;
  to: string;
  strategy: string | null;
  requestedStrategy?: string;
  state: string;
  /** The states it went through, in order. */
  states: string[];
  timeline: MigrationTimelineEntry[];
  metrics: MoveMetrics | null;
  /** ms from the run's start when it was requested, and when it completed (completed moves). */
  t: number;
  completedT?: number;
  policy: string;
  fsmCase?: string;
  sizeMiB?: number;
  error?: string;
}

export interface FsmResult {
  case: string;
  expectedStates: string[];
  states: string[];
  final: string;
  /** Where the workload runs afterwards (every running copy). */
  copies: string[];
  expectedNode: string;
  ok: boolean;
  note?: string;
}

export interface MovedCheck {
  task: string;
  ip: string;
  to: string;
  answered: boolean;
  copies: string[];
}

export interface Measurements {
  scenario: { name: string; kind: string; seed: number; file: string; description: string };
  /** startedAt: the run's (before its testbed is built); times `t` count from each testbed's `runStartedAt` (its services up). */
  run: { id: string; startedAt: string; finishedAt: string };
  testbed: Array<{ policy: string; runStartedAt: string; startupMs: number; teardownMs: number; wan: WanMeasure[]; delays: Array<{ node: string; tier: string; registeredMs: number }> }>;
  trace: TraceDevice[];
  requests: RequestRecord[];
  devices: Array<{ device: string; policy: string; status: string; task?: string; node?: string; requests: number; misses: number; missRate: number; connections?: number }>;
  migrations: MigrationRecord[];
  redirects: Array<{ id: string; reconfigurationMs: number | null; state: string; policy: string }>;
  fsm: FsmResult[];
  moved: MovedCheck[];
  cpu: Array<{ t: number; node: string; tier: string; usage: number; policy: string }>;
  policies: Array<{ policy: string; requests: number; misses: number; missRate: number }>;
  notes: string[];
}
