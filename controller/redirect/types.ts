// Shapes the redirect strategies share. Kept apart from executor.ts so the
// strategy modules can use them without importing the executor (no cycles).
import type { FlowMod } from "../../src/openflow/messages.js";
import type { DnsRecords } from "../dns/records.js";
import type { HostTable } from "../hosts/table.js";
import type { Log } from "../openflow/connection.js";
import type { SwitchRegistry } from "../openflow/registry.js";
import type { SwitchReadyMods } from "../openflow/switch-ready.js";
import type { SwitchGraph } from "../topology/graph.js";
import type { Place, Strategy, SwitchChanges } from "./plan.js";
import type { RedirectStore } from "./store.js";

export interface RedirectRequest {
  service: string;
  ip: string;
  mac: string;
  to: Place;
  /** Address the service's DNS name answers afterwards (default: ip, the unchanged service address). */
  dnsAddress?: string;
}

export interface RedirectOptions {
  strategy: Strategy;
  /** Hold the service's frames at the controller while a target port is down (hold.ts); instant strategies only. */
  hold?: boolean;
  /** gradual: number of weight steps and the pause between them. */
  steps?: number;
  stepMs?: number;
}

export interface RedirectDeps {
  registry: SwitchRegistry;
  graph: SwitchGraph;
  hosts: HostTable;
  records: DnsRecords;
  store: RedirectStore;
  emit(event: Record<string, unknown> & { type: string }): void;
  /** Sends rules a reconnected switch is owed (SwitchRestorer.send): for switches that waited on a settling service. */
  restore(dpid: string, batches: SwitchReadyMods[]): Promise<boolean>;
  log?: Log;
}

/** A request with its id, cookie and planned changes, not yet sent. */
export interface Prepared {
  req: RedirectRequest;
  id: number;
  cookie: bigint;
  from: Place | null;
  changes: SwitchChanges[];
  /** Sent after the new flows on every switch: the old redirect's and learned flows for the MAC. */
  cleanup: FlowMod[];
  /** The target's switch, when its last hop holds frames at the controller until the port comes up. */
  holdAt?: string;
}

/** What a change touched: the switches sent to and the FLOW_MODs counted in the record. */
export interface Touched {
  switches: string[];
  flowMods: number;
}

/** Records keep times to the microsecond; finer digits are noise. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
