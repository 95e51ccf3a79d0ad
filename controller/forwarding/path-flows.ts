// Pure: the FLOW_MODs that carry one (eth_src, eth_dst) flow along a path.
// Matches leave in_port out so a rule stays right when the source moves:
// each switch sends frames for eth_dst toward eth_dst whoever sent them.
import type { FlowMod } from "../../src/openflow/messages.js";
import type { Hop } from "../topology/graph.js";
import { COOKIE_FORWARDING, FORWARDING_IDLE_TIMEOUT_S, PRIORITY_FORWARDING } from "../openflow/cookies.js";

export interface SwitchFlowMod {
  dpid: string;
  flowMod: FlowMod;
}

export function pathFlows(path: Hop[], ethSrc: string, ethDst: string, idleTimeout = FORWARDING_IDLE_TIMEOUT_S): SwitchFlowMod[] {
  return path.map((hop) => ({
    dpid: hop.dpid,
    flowMod: {
      type: "flowMod",
      xid: 0,
      command: "add",
      cookie: COOKIE_FORWARDING,
      priority: PRIORITY_FORWARDING,
      idleTimeout,
      match: { ethSrc, ethDst },
      instructions: [{ type: "applyActions", actions: [{ type: "output", port: hop.outPort }] }],
    },
  }));
}

/** Deletes every forwarding flow that sends to or from `mac` (the host moved or vanished). */
export function forgetMacFlows(mac: string): FlowMod[] {
  const base = { type: "flowMod" as const, xid: 0, command: "delete" as const, cookie: COOKIE_FORWARDING, cookieMask: 0xffff_0000_0000_0000n, tableId: 0xff };
  return [
    { ...base, match: { ethDst: mac } },
    { ...base, match: { ethSrc: mac } },
  ];
}

/** Deletes all forwarding flows (a link went down: paths are recomputed on the next packet). */
export function forgetAllForwarding(): FlowMod {
  return { type: "flowMod", xid: 0, command: "delete", cookie: COOKIE_FORWARDING, cookieMask: 0xffff_0000_0000_0000n, tableId: 0xff };
}
