// Flows and DNS view model: the DNS records (GET /v1/dns, then dns.record.set
// and dns.record.deleted events) and the flow table of the switch being
// looked at (read live by MULTIPART through GET /v1/switches/:dpid/flows,
// read again when the controller says that switch's flows changed). Pure.
import type { DnsListing, DnsRecord, FlowView } from "../../../src/api-types/controller.js";
import type { ControllerUiEvent } from "./events.js";

export interface FlowsDnsState {
  zone: string | null;
  records: ReadonlyMap<string, DnsRecord>;
  /** The switch whose flow table is shown. */
  selected: string | null;
  flows: readonly FlowView[];
  /** When the shown table was read (ISO). */
  flowsReadAt: string | null;
}

export const emptyFlowsDns = (): FlowsDnsState => ({ zone: null, records: new Map(), selected: null, flows: [], flowsReadAt: null });

export function withDns(state: FlowsDnsState, dns: DnsListing): FlowsDnsState {
  return { ...state, zone: dns.zone, records: new Map(dns.records.map((r) => [r.name, r])) };
}

export function selectSwitch(state: FlowsDnsState, dpid: string | null): FlowsDnsState {
  return dpid === state.selected ? state : { ...state, selected: dpid, flows: [], flowsReadAt: null };
}

/** A table read for a switch; ignored when another switch was selected meanwhile. */
export function withFlows(state: FlowsDnsState, dpid: string, flows: FlowView[], readAt: string): FlowsDnsState {
  if (dpid !== state.selected) return state;
  const sorted = [...flows].sort((a, b) => a.tableId - b.tableId || b.priority - a.priority || a.cookie.localeCompare(b.cookie));
  return { ...state, flows: sorted, flowsReadAt: readAt };
}

export function applyFlowsDnsEvent(state: FlowsDnsState, e: ControllerUiEvent): FlowsDnsState {
  switch (e.type) {
    case "dns.record.set":
      return { ...state, records: new Map(state.records).set(e.record.name, e.record) };
    case "dns.record.deleted": {
      const records = new Map(state.records);
      records.delete(e.record.name);
      return { ...state, records };
    }
    case "switch.down":
      return e.dpid === state.selected ? { ...state, flows: [], flowsReadAt: null } : state;
    default:
      return state;
  }
}

/** Whether the event changed the selected switch's flows, so its table is to be read again. */
export function touchesSelectedFlows(state: FlowsDnsState, e: ControllerUiEvent): boolean {
  if (!state.selected) return false;
  if (e.type === "flow.installed" || e.type === "flow.removed") {
    const dpids = e.dpids ?? (e.dpid ? [e.dpid] : []);
    return dpids.includes(state.selected);
  }
  if (e.type === "redirect" || e.type === "redirect.rolledBack") return e.redirect.switches.includes(state.selected);
  return e.type === "switch.up" && e.dpid === state.selected;
}

export function dnsRows(state: FlowsDnsState): DnsRecord[] {
  return [...state.records.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** A flow's match and instructions in one line each, for the table. */
export function flowText(f: FlowView): { match: string; actions: string } {
  const match = Object.entries(f.match).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`).join(", ") || "*";
  const actions = f.instructions.map((i) => compact(i)).join("; ") || "drop";
  return { match, actions };
}

function compact(i: Record<string, unknown>): string {
  const { type, actions, ...rest } = i as { type?: string; actions?: Array<Record<string, unknown>> };
  if (Array.isArray(actions)) return `${type ?? "apply"}(${actions.map((a) => Object.values(a).map(String).join(":")).join(", ")})`;
  return `${type ?? "?"}${Object.keys(rest).length ? `(${Object.values(rest).map(String).join(", ")})` : ""}`;
}
