// The events the dashboard reads, as they arrive on the sockets (JSON, `at`
// added by the hub): the scheduler's (scheduler/service/events.ts) and the
// controller's (controller/api/events.ts). Only the fields the views use are
// typed; anything else an event carries is ignored.
import type { HostList, RedirectRecord, TunnelView } from "../../../src/api-types/controller.js";
import type { LatencyBatch, MigrationState, MoveRecord, NodeSpec, TaskLatencyView, TaskRequest } from "../../../src/api-types/scheduler.js";

type At = { at: string };

export type SchedulerUiEvent = At &
  (
    | { type: "placed"; task: TaskRequest; node: string; endpoint: string | null; cpuShare: number; predictedDelayMs: number }
    | { type: "released"; task: string; node: string }
    | { type: "migration-requested"; migration: MoveRecord }
    | { type: "migration.transition"; migration: string; task: string; from: string; to: string; previous: MigrationState | null; state: MigrationState; error?: string }
    | { type: "node-registered"; node: NodeSpec }
    | { type: "node-removed"; node: string }
    | { type: "node.report"; node: string; cpuUsage: number | null; usedCpus: number; cpus: number; placements: number; workloads: number; receivedAt: string }
    | { type: "task.latency"; task: string; device: string; batch: LatencyBatch; latency: TaskLatencyView }
    | { type: "task.unavailable"; task: string; node: string }
    | { type: "task.available"; task: string; node: string }
    | { type: "other"; [field: string]: unknown }
  );

export type Host = HostList["hosts"][number];
export type Link = { src: { dpid: string; port: number }; dst: { dpid: string; port: number } };

export type ControllerUiEvent = At &
  (
    | { type: "switch.up"; dpid: string }
    | { type: "switch.down"; dpid: string }
    | { type: "link.up"; link: Link }
    | { type: "link.down"; link: Link }
    | { type: "host.new" | "host.moved" | "host.changed"; host: Host | undefined }
    | { type: "redirect"; redirect: RedirectRecord }
    | { type: "redirect.rolledBack"; redirect: RedirectRecord }
    | { type: "overlay.tunnel.up" | "overlay.tunnel.down"; tunnel: Partial<TunnelView> }
    | { type: "dns.record.set"; record: { name: string; ip: string; ttl: number; updatedAt: string } }
    | { type: "dns.record.deleted"; record: { name: string } }
    | { type: "flow.installed" | "flow.removed"; dpids?: string[]; dpid?: string }
    | { type: "other"; [field: string]: unknown }
  );

/** The socket's text as an event, or undefined when it is not one (no string `type`). */
export function parseEvent<E extends { type: string }>(text: string): E | undefined {
  try {
    const e = JSON.parse(text) as unknown;
    return e && typeof e === "object" && typeof (e as { type?: unknown }).type === "string" ? (e as E) : undefined;
  } catch {
    return undefined;
  }
}
