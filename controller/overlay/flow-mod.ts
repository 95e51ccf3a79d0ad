// Overlay FlowSpecs as OpenFlow 1.3 FLOW_MOD messages for the codec in src/openflow
// (src/openflow). Pure: the controller sends what this returns.
//
// API: toFlowMod(spec, {xid?, command?}) -> FlowMod;  siteFlowMods(input, {xid?}) -> FlowMod[]
import { ipv4PrefixMask } from "../../src/openflow/addresses.js";
import type { FlowMod, FlowModCommand, Match } from "../../src/openflow/messages.js";
import { type FlowSpec, planSiteFlows, type SiteFlowInput } from "./plan.js";

export function toFlowMod(spec: FlowSpec, opts: { xid?: number; command?: FlowModCommand } = {}): FlowMod {
  const match: Match = { ethType: spec.match.ethType };
  if (spec.match.inPort !== undefined) match.inPort = spec.match.inPort;
  if (spec.match.ipv4Dst) {
    match.ipv4Dst = spec.match.ipv4Dst.address;
    if (spec.match.ipv4Dst.prefix < 32) match.ipv4DstMask = ipv4PrefixMask(spec.match.ipv4Dst.prefix);
  }
  if (spec.match.arpTpa) {
    match.arpTpa = spec.match.arpTpa.address;
    if (spec.match.arpTpa.prefix < 32) match.arpTpaMask = ipv4PrefixMask(spec.match.arpTpa.prefix);
  }
  return {
    type: "flowMod",
    xid: opts.xid ?? 0,
    command: opts.command ?? "add",
    cookie: spec.cookie,
    priority: spec.priority,
    match,
    instructions: [{ type: "applyActions", actions: spec.actions.map((a) => ({ type: "output" as const, port: a.output })) }],
  };
}

/** Every FLOW_MOD a site's bridge needs for the overlay (see planSiteFlows). */
export function siteFlowMods(input: SiteFlowInput, opts: { xid?: number } = {}): FlowMod[] {
  return planSiteFlows(input).map((f) => toFlowMod(f, opts));
}
