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

/** strategies: one move of the same workload at one working-set size by one strategy, edge→cloud over the WAN. */
export interface StrategyMove {
  /** As the scenario names it: stopcopy, postcopy, precopy, docker. */
  strategy: string;
  /** What the agents ran (their metrics' strategy); null when the move never started. */
  ran: string | null;
  sizeMiB: number;
  /** scheduler: a managed move (POST /v1/migrations, the FSM); agents: the source agent's migration API (Docker workloads; see notes). */
  via: "scheduler" | "agents";
  task: string;
  from: string;
  to: string;
  /** The FSM's final state (scheduler), or the agent migration's status (agents). */
  state: string;
  states: string[];
  /** The move's id at the scheduler (m-N) or at the source agent. */
  migration: string | null;
  /** Frozen on the source until running on the destination, ms. */
  downtimeMs: number | null;
  /** scheduler: its decision until the final state; agents: the source agent's migration from start to end. */
  totalMs: number | null;
  transferMs: number | null;
  bytesBeforeResume: number | null;
  bytesAfterResume: number | null;
  /** Both, ms and bytes: what crossed the WAN for this move. */
  bytes: number | null;
  /** bytes over totalMs, Mbit/s: the move's effective rate. */
  rateMbit: number | null;
  /** bytesBeforeResume over transferMs, Mbit/s: the rate of the frozen transfer (absent when not measured). */
  transferMbit: number | null;
  error?: string;
}

/** group: one member of the group's move. */
export interface GroupMemberResult {
  task: string;
  member: string;
  order: number;
  from: string;
  runsOn: string;
  /** Where its workload runs afterwards (every running copy, asked of every agent). */
  copies: string[];
  phase: string;
  state: string | null;
  migration: string | null;
  downtimeMs: number | null;
  error?: string;
}

export interface GroupResult {
  group: string;
  id: string;
  to: string;
  strategy: string;
  state: string;
  totalMs: number | null;
  rounds: Array<{ round: number; parallelism: number; tasks: string[]; reason: string }>;
  members: GroupMemberResult[];
  error?: string;
}

export interface Measurements {
  scenario: { name: string; kind: string; seed: number; file: string; description: string };
  /** startedAt: the run's (before its testbed is built); times `t` count from each testbed's `runStartedAt` (its services up). */
  run: { id: string; startedAt: string; finishedAt: string };
  testbed: Array<{
    policy: string;
    runStartedAt: string;
    startupMs: number;
    teardownMs: number;
    wan: WanMeasure[];
    delays: Array<{ node: string; tier: string; registeredMs: number }>;
    /** How the services were reached: mutual TLS (https) unless the run was --insecure; each agent's URL on its site address. */
    services?: { tls: boolean; scheduler: string; controller: string; agents: Record<string, string> };
  }>;
  trace: TraceDevice[];
  requests: RequestRecord[];
  devices: Array<{ device: string; policy: string; status: string; task?: string; node?: string; requests: number; misses: number; missRate: number; connections?: number }>;
  migrations: MigrationRecord[];
  redirects: Array<{ id: string; reconfigurationMs: number | null; state: string; policy: string }>;
  fsm: FsmResult[];
  moved: MovedCheck[];
  cpu: Array<{ t: number; node: string; tier: string; usage: number; policy: string }>;
  policies: Array<{ policy: string; requests: number; misses: number; missRate: number }>;
  /** strategies scenario (absent in runs of other kinds and of earlier versions). */
  strategies?: StrategyMove[];
  /** group scenario. */
  groups?: GroupResult[];
  notes: string[];
}
