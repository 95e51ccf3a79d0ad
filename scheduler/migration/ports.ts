// What the migration manager needs of the world, as interfaces: the agents,
// the network (controller), a prober, the capacity bookkeeping and a policy
// hook. Adapters over the typed clients live beside (agent-adapter.ts,
// network-adapter.ts, http-prober.ts); tests plug in fakes.
import type { AgentInfo, MigrationInput, MigrationView, WorkloadInput, WorkloadView } from "../../src/api-types/agent.js";
import type { RedirectStrategy } from "../../src/api-types/controller.js";
import type { MoveRecord } from "../../src/api-types/scheduler.js";
import type { PolicyEffects, QueuePriority } from "../policy/actions.js";

export interface AgentPort {
  info(): Promise<AgentInfo>;
  workloads(): Promise<WorkloadView[]>;
  createWorkload(workload: WorkloadInput): Promise<WorkloadView>;
  deleteWorkload(id: string): Promise<void>;
  startMigration(input: MigrationInput): Promise<MigrationView>;
  migration(id: string): Promise<MigrationView>;
  migrations(): Promise<MigrationView[]>;
  commitMigration(id: string): Promise<MigrationView>;
  rollbackMigration(id: string): Promise<MigrationView>;
  /** Optional push: calls `listener` on each event the agent publishes about migration `id`; answers the unsubscribe. */
  followMigration?(id: string, listener: (event: Record<string, unknown>) => void): () => void;
}

/** The agent at a node's endpoint. */
export type AgentDirectory = (endpoint: string, node: string) => AgentPort;

/** A node and the bridge its workloads attach to (its agent's info), when it has one. */
export interface PathEnd {
  node: string;
  dpid: string | null;
}

export interface RedirectOrder {
  service: string;
  ip: string;
  mac: string;
  to: { switch: string; port: number };
  strategy: RedirectStrategy;
  /** The controller holds the service's frames while the port is down, and sends them there the moment it comes up. */
  hold?: boolean;
}

export interface NetworkPort {
  /** False when no controller is configured: every call is a logged no-op. */
  readonly configured: boolean;
  /** Makes sure traffic can flow between the two nodes' bridges (over the overlay between sites); answers what it found. */
  ensurePath(from: PathEnd, to: PathEnd): Promise<string>;
  /** Sends the service's unchanged IP to a new switch port; answers the reconfiguration time and the redirect ids. */
  redirect(order: RedirectOrder): Promise<{ reconfigurationMs: number; redirectIds: number[] }>;
  rollbackRedirects(ids: number[]): Promise<void>;
  setDns(name: string, ip: string): Promise<void>;
  deleteDns(name: string): Promise<void>;
}

export interface ProbeTarget {
  ip: string;
  port: number;
  path: string;
}

export interface ProberPort {
  /** Whether the service answers through the network (bounded retries inside). */
  probe(target: ProbeTarget): Promise<{ ok: boolean; detail: string }>;
}

/** The placement's capacity, as the manager sees it. Each answers a problem (string) or undefined when fine. */
export interface CapacityPort {
  /** PENDING: the task is still placed (not released meanwhile). */
  placed(taskId: string): boolean;
  /** PENDING: the node is registered with the scheduler. */
  registered(node: string): boolean;
  /** PLANNING: the destination can still hold the task. */
  recheck(move: MoveRecord): string | undefined;
  /** PREPARATION: the destination's share is held for the task. */
  reserve(move: MoveRecord): string | undefined;
  /** COMPLETED: the source's share is free and the placement shows the new node. */
  release(move: MoveRecord): string | undefined;
  /** Rollback: the placement shows the source again, with the source's share. */
  undo(move: MoveRecord): string | undefined;
}

/**
 * Data protection (docs/data-protection.md): why the destination may not run
 * the move's task (its regulation against the node's attribute certificate,
 * checked now), or undefined when it may or the task is unregulated.
 */
export interface AdmissionPort {
  refuse(move: MoveRecord): string | undefined;
}

/** A policy's say on a move: allowed or not, which policy decided and why, and what it asks of the move. */
export type PolicyVerdict = ({ allow: true; reason?: string } | { allow: false; reason: string }) & {
  /** The deciding policy; null when the default decided. */
  decidedBy?: string | null;
  effects?: PolicyEffects;
};

/** Where a queued move waits: its queue priority and the cap on moves in flight it waits for. */
export interface QueuePlace {
  priority: QueuePriority;
  maxConcurrent?: number;
  /** The policy the preview matched (null: the default). */
  decidedBy?: string | null;
}

/** The migration policies (scheduler/policy, through policy-enforcer.ts); PLANNING asks `check`. */
export interface MigrationPolicyHook {
  readonly name: string;
  check(move: MoveRecord): Promise<PolicyVerdict>;
  /** A preview when the move is queued: its place in the queue (PLANNING decides again on fresh data). */
  queuePlace?(move: MoveRecord): Promise<QueuePlace>;
}

export const ALLOW_ALL: MigrationPolicyHook = {
  name: "allow-all",
  check: async () => ({ allow: true }),
};

/** Capacity bookkeeping that always agrees (for agent-only runs and tests). */
export const UNTRACKED_CAPACITY: CapacityPort = {
  placed: () => true,
  registered: () => true,
  recheck: () => undefined,
  reserve: () => undefined,
  release: () => undefined,
  undo: () => undefined,
};
