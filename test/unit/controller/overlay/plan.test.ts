import { describe, expect, it } from "vitest";
import { siteFlowMods, toFlowMod } from "../../../../controller/overlay/flow-mod.js";
import { ETH_TYPE_ARP, ETH_TYPE_IPV4, OVERLAY_COOKIE, parsePrefix, planSiteFlows, toOfctlFlow } from "../../../../controller/overlay/plan.js";
import { TunnelTable, tunnelPortName } from "../../../../controller/overlay/tunnels.js";
import { decodeMessage, encodeMessage } from "../../../../src/openflow/index.js";

describe("planSiteFlows", () => {
  const flows = planSiteFlows({
    localHosts: [{ ip: "10.77.0.1", port: 1 }],
    remote: [
      { prefix: "10.77.1.0/24", tunnelPort: 7 },
      { prefix: "10.77.0.9", tunnelPort: 8 },
    ],
  });

  it("delivers local hosts first, then the longest remote prefix, for IPv4 and ARP alike", () => {
    expect(flows.map(toOfctlFlow)).toEqual([
      `cookie=0x${OVERLAY_COOKIE.toString(16)},priority=300,ip,nw_dst=10.77.0.1/32,actions=output:1`,
      `cookie=0x${OVERLAY_COOKIE.toString(16)},priority=300,arp,arp_tpa=10.77.0.1/32,actions=output:1`,
      `cookie=0x${OVERLAY_COOKIE.toString(16)},priority=232,ip,nw_dst=10.77.0.9/32,actions=output:8`,
      `cookie=0x${OVERLAY_COOKIE.toString(16)},priority=232,arp,arp_tpa=10.77.0.9/32,actions=output:8`,
      `cookie=0x${OVERLAY_COOKIE.toString(16)},priority=224,ip,nw_dst=10.77.1.0/24,actions=output:7`,
      `cookie=0x${OVERLAY_COOKIE.toString(16)},priority=224,arp,arp_tpa=10.77.1.0/24,actions=output:7`,
    ]);
  });

  it("rejects blocks that are not block-aligned, bad addresses and reserved ports", () => {
    expect(() => parsePrefix("10.77.1.5/24")).toThrow(/CIDR/);
    expect(() => parsePrefix("10.77.1")).toThrow(/IPv4/);
    expect(() => planSiteFlows({ localHosts: [{ ip: "10.0.0.0/24", port: 1 }], remote: [] })).toThrow(/single address/);
    expect(() => planSiteFlows({ localHosts: [], remote: [{ prefix: "10.0.0.0/8", tunnelPort: 0xfffffffd }] })).toThrow(/physical/);
  });
});

describe("toFlowMod", () => {
  it("builds FLOW_MODs that survive the OpenFlow codec with masks only below /32", () => {
    const mods = siteFlowMods({ localHosts: [{ ip: "10.77.0.1", port: 1 }], remote: [{ prefix: "10.77.1.0/24", tunnelPort: 7 }] }, { xid: 9 });
    expect(mods).toHaveLength(4);
    const remoteIp = mods.find((m) => m.priority === 224 && m.match?.ethType === ETH_TYPE_IPV4)!;
    expect(remoteIp.match).toEqual({ ethType: ETH_TYPE_IPV4, ipv4Dst: "10.77.1.0", ipv4DstMask: "255.255.255.0" });
    const back = decodeMessage(encodeMessage(remoteIp));
    expect(back).toMatchObject({
      type: "flowMod",
      xid: 9,
      command: "add",
      priority: 224,
      cookie: OVERLAY_COOKIE,
      match: { ethType: ETH_TYPE_IPV4, ipv4Dst: "10.77.1.0", ipv4DstMask: "255.255.255.0" },
      instructions: [{ type: "applyActions", actions: [{ type: "output", port: 7 }] }],
    });
    const localArp = toFlowMod({ priority: 300, cookie: 1n, match: { ethType: ETH_TYPE_ARP, arpTpa: { address: "10.77.0.1", prefix: 32 } }, actions: [{ output: 1 }] });
    expect(localArp.match).toEqual({ ethType: ETH_TYPE_ARP, arpTpa: "10.77.0.1" });
  });
});

describe("TunnelTable", () => {
  it("finds the tunnel from a bridge to a site and names ports within 15 characters", () => {
    const t = new TunnelTable();
    t.add({ bridge: "br-edge", remoteSite: "cloud", portName: tunnelPortName("cloud"), ofport: 5, remoteIp: "192.0.2.2", key: 100 });
    t.add({ bridge: "br-edge", remoteSite: "edge2", portName: tunnelPortName("edge2"), ofport: 6, remoteIp: "192.0.2.3", key: 100 });
    expect(t.portTo("br-edge", "cloud")?.ofport).toBe(5);
    expect(t.portTo("br-cloud", "cloud")).toBeUndefined();
    expect(t.fromBridge("br-edge").map((x) => x.remoteSite)).toEqual(["cloud", "edge2"]);
    expect(t.remove("br-edge", "cloud")?.portName).toBe("vx-cloud");
    expect(t.list()).toHaveLength(1);
    expect(tunnelPortName("A Very Long Site Name")).toBe("vx-a-very-long-");
  });
});
