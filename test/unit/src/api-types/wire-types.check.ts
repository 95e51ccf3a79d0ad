// The wire types in src/api-types are written out by hand (src/ may not import
// the services), so this module pins them to the services' own types: what a
// service answers must fit the type its client reads it as, and what a
// client sends must fit what the service takes. Checked by the type check
// (`tsc --noEmit`, part of `npm test`), not by vitest: a drift fails there.
import type { DnsListing as ServedDnsListing } from "../../../../controller/api/dns.js";
import type { DnsRecord as ServedDnsRecord } from "../../../../controller/dns/records.js";
import type { RedirectRecord as ServedRedirect } from "../../../../controller/redirect/store.js";
import type { MigrationRecord as AgentMigration } from "../../../../edge-agent/migration/machine.js";
import type { Capabilities, MigrationMetrics as ServedMetrics } from "../../../../edge-agent/migration/strategy.js";
import type { WorkloadRecord, WorkloadSpec } from "../../../../edge-agent/runtime/types.js";
import type { MigrationRequest } from "../../../../edge-agent/service/outgoing.js";
import type { MigrationRecord as SchedulerMove } from "../../../../scheduler/executor/executor.js";
import type { Placement, TaskRequest as ServedTask } from "../../../../scheduler/placement/types.js";
import type { Device } from "../../../../scheduler/service/context.js";
import type { NodeView as ServedNodeView } from "../../../../scheduler/service/nodes.js";
import type { AgentCapabilities, MigrationInput, MigrationMetrics, MigrationView, WorkloadInput, WorkloadView } from "../../../../src/api-types/agent.js";
import type { DnsListing, DnsRecord, RedirectRecord } from "../../../../src/api-types/controller.js";
import type { Discrepancy as ServedDiscrepancy } from "../../../../scheduler/service/reconcile.js";
import type { DeviceView, Discrepancy, MoveRecord, NodeView, PlacementView, TaskRequest } from "../../../../src/api-types/scheduler.js";

/** Compiles only when A is assignable to B. */
type Fits<A extends B, B> = [A, B];

export type ServedFitsClient = [
  Fits<AgentMigration, MigrationView>,
  Fits<ServedMetrics, MigrationMetrics>,
  Fits<WorkloadRecord, WorkloadView>,
  Fits<Capabilities, AgentCapabilities>,
  Fits<ServedNodeView, NodeView>,
  Fits<ServedDiscrepancy, Discrepancy>,
  Fits<ServedTask, TaskRequest>,
  Fits<SchedulerMove, MoveRecord>,
  Fits<Placement & { endpoint: string | null }, PlacementView>,
  Fits<Device & { tasks: number }, DeviceView>,
  Fits<ServedDnsRecord, DnsRecord>,
  Fits<ServedDnsListing, DnsListing>,
  Fits<ServedRedirect, RedirectRecord>,
];

export type ClientFitsServed = [
  // The agent fills in the schema's defaults (strategy auto, no ports, no labels).
  Fits<Required<Pick<MigrationInput, "strategy">> & MigrationInput, MigrationRequest>,
  Fits<WorkloadInput & Pick<WorkloadSpec, "ports" | "labels">, WorkloadSpec & { id?: string }>,
];
