// Pure: the switch changes that steer a service's unchanged IP (and MAC) to
// its new place. Each switch that can reach the place gets destination rules
// toward it; a gradual redirect instead splits new flows by weight through a
// select group, tagging each packet with a VLAN id that names its branch so
// transit switches keep it on that branch (no loops between the two trees).
import type { Action, Bucket, FlowMod, GroupMod } from "../../src/openflow/messages.js";
import { OFPCML_NO_BUFFER, OFPP_CONTROLLER, OFPVID_NONE, OFPVID_PRESENT } from "../../src/openflow/constants.js";
import type { RedirectStrategy } from "../../src/api-types/controller.js";
import { COOKIE_OWNER_MASK, PRIORITY_REDIRECT } from "../openflow/cookies.js";

/** The redirect strategies the API offers: one definition, in src/api-types. */
export type Strategy = RedirectStrategy;
export const STRATEGIES: Strategy[] = ["all-at-once", "per-service", "gradual"];

export interface Place {
  dpid: string;
  port: number;
}

export interface ServiceAddress {
  ip: string;
  mac: string;
}

export interface SwitchChanges {
  dpid: string;
  groupMods: GroupMod[];
  flowMods: FlowMod[];
}

const ETH_IPV4 = 0x0800;

function flow(cookie: bigint, priority: number, match: FlowMod["match"], actions: Action[]): FlowMod {
  return { type: "flowMod", xid: 0, command: "add", cookie, priority, match, instructions: [{ type: "applyActions", actions }] };
}

/** The whole frame to the controller (no switch buffer): what a held redirect's last hop does. */
const TO_CONTROLLER: Action = { type: "output", port: OFPP_CONTROLLER, maxLen: OFPCML_NO_BUFFER };

/**
 * Destination rules toward `target` on every switch in `nextHops` (port
 * toward the target per switch). `holdAt`: that switch (the target's) hands
 * the service's frames to the controller instead, which holds them until the
 * target port comes up (hold.ts).
 */
export function redirectChanges(svc: ServiceAddress, nextHops: Map<string, number>, cookie: bigint, holdAt?: string): SwitchChanges[] {
  const out: SwitchChanges[] = [];
  for (const [dpid, port] of nextHops) {
    const out1: Action = dpid === holdAt ? TO_CONTROLLER : { type: "output", port };
    out.push({
      dpid,
      groupMods: [],
      flowMods: [flow(cookie, PRIORITY_REDIRECT, { ethType: ETH_IPV4, ipv4Dst: svc.ip }, [out1]), flow(cookie, PRIORITY_REDIRECT, { ethDst: svc.mac }, [out1])],
    });
  }
  return out;
}

/** Removes a redirect's flows (exact cookie) from a switch. */
export function deleteByCookie(cookie: bigint): FlowMod {
  return { type: "flowMod", xid: 0, command: "delete", cookie, cookieMask: 0xffff_ffff_ffff_ffffn, tableId: 0xff };
}

/** Removes every flow of one owner class (e.g. all forwarding flows toward a MAC). */
export function deleteOwnerFlows(owner: bigint, match: FlowMod["match"]): FlowMod {
  return { type: "flowMod", xid: 0, command: "delete", cookie: owner, cookieMask: COOKIE_OWNER_MASK, tableId: 0xff, match };
}

export interface GradualInput {
  svc: ServiceAddress;
  old: Place;
  target: Place;
  /** Port toward the old / new place for every switch that reaches it. */
  oldHops: Map<string, number>;
  newHops: Map<string, number>;
  cookie: bigint;
  groupId: number;
  /** VLAN ids (1..4094) naming the old and new branch. */
  oldVid: number;
  newVid: number;
  /** Share of new flows sent to the new place, 0..100. */
  newWeight: number;
  /** "add" for the first step, "modify" afterwards. */
  groupCommand: "add" | "modify";
}

/** One step of a gradual redirect: groups with weights, plus the branch rules (only on the first step). */
export function gradualChanges(g: GradualInput, withFlows: boolean): SwitchChanges[] {
  const out: SwitchChanges[] = [];
  const P = PRIORITY_REDIRECT;
  for (const [dpid, newPort] of g.newHops) {
    const oldPort = g.oldHops.get(dpid);
    if (oldPort === undefined) continue;
    const atOld = dpid === g.old.dpid;
    const atNew = dpid === g.target.dpid;
    const branch = (vid: number, port: number, atEnd: boolean): Bucket["actions"] =>
      atEnd ? [{ type: "output", port }] : [{ type: "pushVlan" }, { type: "setField", field: { vlanVid: OFPVID_PRESENT | vid } }, { type: "output", port }];
    const buckets: Bucket[] = [
      { weight: 100 - g.newWeight, actions: branch(g.oldVid, oldPort, atOld) },
      { weight: g.newWeight, actions: branch(g.newVid, newPort, atNew) },
    ];
    const changes: SwitchChanges = {
      dpid,
      groupMods: [{ type: "groupMod", xid: 0, command: g.groupCommand, groupType: "select", groupId: g.groupId, buckets }],
      flowMods: [],
    };
    if (withFlows) {
      const ip = { ethType: ETH_IPV4, ipv4Dst: g.svc.ip };
      changes.flowMods.push(
        // Tagged: already on a branch, stay on it; untag at its end.
        flow(g.cookie, P + 10, { ...ip, vlanVid: OFPVID_PRESENT | g.oldVid }, atOld ? [{ type: "popVlan" }, { type: "output", port: oldPort }] : [{ type: "output", port: oldPort }]),
        flow(g.cookie, P + 10, { ...ip, vlanVid: OFPVID_PRESENT | g.newVid }, atNew ? [{ type: "popVlan" }, { type: "output", port: newPort }] : [{ type: "output", port: newPort }]),
        // Untagged: a packet entering from a host picks a branch by weight.
        flow(g.cookie, P + 5, { ...ip, vlanVid: OFPVID_NONE }, [{ type: "group", groupId: g.groupId }]),
      );
    }
    out.push(changes);
  }
  return out;
}

export function deleteGroup(groupId: number): GroupMod {
  return { type: "groupMod", xid: 0, command: "delete", groupType: "select", groupId, buckets: [] };
}

/** The weights a gradual redirect walks through, ending at 100 (all new flows to the new place). */
export function gradualWeights(steps: number): number[] {
  const n = Math.max(1, Math.min(20, Math.floor(steps)));
  return Array.from({ length: n }, (_, i) => Math.round(((i + 1) * 100) / n));
}
