// The OVSDB client against the real ovsdb-server: a netdev bridge and a
// type=vxlan port made through our client and checked with ovs-vsctl and
// ovs-ofctl. Then real overlay traffic between two network namespaces.
//
// Two traffic checks, both with flows from our overlay planner:
//  1. KERNEL VXLAN devices attached to two OVS bridges as ports (made inside
//     fmn-a / fmn-b, whose sockets stay there, then moved to the root
//     namespace): OVS switches, the kernel tunnels.
//  2. OVS's own user-space VXLAN: a type=vxlan port made through our client
//     on fmn-bra, with an underlay bridge fmn-bru holding the tunnel's local
//     address; the far end is a kernel VXLAN device inside fmn-b.
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { addBridge, addPort, bridgeExists, deleteBridge } from "../../../../controller/ovsdb/bridge.js";
import { OvsdbClient } from "../../../../controller/ovsdb/client.js";
import { addVxlanPort, removeVxlanPort } from "../../../../controller/ovsdb/vxlan.js";
import { Overlay } from "../../../../controller/overlay/manager.js";
import { planSiteFlows, toOfctlFlow } from "../../../../controller/overlay/plan.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { sh, shOk } from "../../../helpers/shell.js";

const BRIDGE = "fmn-br0";
const NS = ["fmn-a", "fmn-b"] as const;
const ROOT_LINKS = ["fmn-vxa", "fmn-vxb", "fmn-ha-p", "fmn-hb-p", "fmn-up"];
const SITE_BRIDGES = ["fmn-bra", "fmn-brb", "fmn-bru"];

describeWhen("OVSDB client and VXLAN overlay on real Open vSwitch", missing([needs.root(), needs.ovs()]), () => {
  let ovsdb: OvsdbClient;

  async function cleanUp(): Promise<void> {
    for (const br of [BRIDGE, ...SITE_BRIDGES]) await deleteBridge(ovsdb, br);
    for (const link of ROOT_LINKS) await shOk("ip", "link", "del", link);
    for (const ns of NS) await shOk("ip", "netns", "del", ns);
  }

  async function hostIn(ns: string, host: string, ip: string): Promise<void> {
    await sh("ip", "link", "add", host, "type", "veth", "peer", "name", `${host}-p`);
    await sh("ip", "link", "set", host, "netns", ns);
    await sh("ip", "-n", ns, "addr", "add", `${ip}/24`, "dev", host);
    await sh("ip", "-n", ns, "link", "set", host, "up");
    await sh("ip", "link", "set", `${host}-p`, "up");
  }

  async function installPlan(bridge: string, localIp: string, hostPort: number, remoteIp: string, tunnelPort: number): Promise<void> {
    const flows = planSiteFlows({ localHosts: [{ ip: localIp, port: hostPort }], remote: [{ prefix: `${remoteIp}/32`, tunnelPort }] });
    for (const f of flows) await sh("ovs-ofctl", "-O", "OpenFlow13", "add-flow", bridge, toOfctlFlow(f));
  }

  async function tunnelFlowPackets(bridge: string, dst: string): Promise<number> {
    const dump = await sh("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", bridge, `ip,nw_dst=${dst}`);
    return Number(/n_packets=(\d+)/.exec(dump)?.[1] ?? 0);
  }

  async function linkStats(ns: string | null, dev: string): Promise<{ rx: number; tx: number }> {
    const args = ns ? ["-n", ns, "-s", "-j", "link", "show", dev] : ["-s", "-j", "link", "show", dev];
    const s = JSON.parse(await sh("ip", ...args))[0].stats64;
    return { rx: s.rx.packets, tx: s.tx.packets };
  }

  beforeAll(async () => {
    ovsdb = await OvsdbClient.connect();
    await cleanUp(); // leftovers of a crashed run
  });

  // Each traffic test builds fmn-a/fmn-b afresh: clear them even when a test fails midway,
  // or the next one stops at "ip netns add" instead of testing anything.
  afterEach(async () => {
    if (ovsdb) await cleanUp();
  });

  afterAll(async () => {
    if (ovsdb) {
      await cleanUp();
      ovsdb.close();
    }
  });

  it("creates a netdev bridge, adds and removes a vxlan port with remote_ip and key", async () => {
    await addBridge(ovsdb, BRIDGE, { datapathType: "netdev", protocols: ["OpenFlow13"] });
    expect((await sh("ovs-vsctl", "get", "Bridge", BRIDGE, "datapath_type")).trim()).toBe("netdev");
    expect((await ovsdb.listBridges()).find((b) => b.name === BRIDGE)?.protocols).toEqual(["OpenFlow13"]);

    const ofport = await addVxlanPort(ovsdb, BRIDGE, "fmn-vx0", { remoteIp: "192.0.2.10", key: 5001 });
    expect(ofport).toBeGreaterThan(0);
    expect((await sh("ovs-vsctl", "get", "Interface", "fmn-vx0", "type")).trim()).toBe("vxlan");
    const options = (await sh("ovs-vsctl", "get", "Interface", "fmn-vx0", "options")).trim();
    expect(options).toMatch(/key="?5001"?/);
    expect(options).toMatch(/remote_ip="192\.0\.2\.10"/);
    const show = await sh("ovs-ofctl", "-O", "OpenFlow13", "show", BRIDGE);
    expect(show).toContain(` ${ofport}(fmn-vx0)`);
    const row = (await ovsdb.listInterfaces([["name", "==", "fmn-vx0"]]))[0];
    expect(row).toMatchObject({ type: "vxlan", ofport, options: { remote_ip: "192.0.2.10", key: "5001" } });

    await expect(addVxlanPort(ovsdb, "fmn-nobridge", "fmn-vx9", { remoteIp: "192.0.2.10", key: 1 })).rejects.toThrow(/no bridge named fmn-nobridge/);
    expect(await ovsdb.listInterfaces([["name", "==", "fmn-vx9"]])).toEqual([]);

    expect(await removeVxlanPort(ovsdb, BRIDGE, "fmn-vx0")).toBe(true);
    expect(await shOk("ovs-vsctl", "get", "Interface", "fmn-vx0", "type")).toBe(false);
    expect(await sh("ovs-ofctl", "-O", "OpenFlow13", "show", BRIDGE)).not.toContain("fmn-vx0");
    expect(await removeVxlanPort(ovsdb, BRIDGE, "fmn-vx0")).toBe(false);

    expect(await deleteBridge(ovsdb, BRIDGE)).toBe(true);
    expect(await bridgeExists(ovsdb, BRIDGE)).toBe(false);
    expect(await shOk("ovs-vsctl", "br-exists", BRIDGE)).toBe(false);
  });

  it("carries ping between fmn-a and fmn-b over a VXLAN tunnel, only once the overlay flows are in", async () => {
    // Underlay between the two sites, and one host per site.
    for (const ns of NS) {
      await sh("ip", "netns", "add", ns);
      await sh("ip", "-n", ns, "link", "set", "lo", "up");
    }
    await sh("ip", "link", "add", "fmn-ua", "type", "veth", "peer", "name", "fmn-ub");
    await sh("ip", "link", "set", "fmn-ua", "netns", "fmn-a");
    await sh("ip", "link", "set", "fmn-ub", "netns", "fmn-b");
    await sh("ip", "-n", "fmn-a", "addr", "add", "172.31.77.1/30", "dev", "fmn-ua");
    await sh("ip", "-n", "fmn-b", "addr", "add", "172.31.77.2/30", "dev", "fmn-ub");
    await sh("ip", "-n", "fmn-a", "link", "set", "fmn-ua", "up");
    await sh("ip", "-n", "fmn-b", "link", "set", "fmn-ub", "up");

    const sites = [
      { ns: "fmn-a", host: "fmn-ha", ip: "10.77.0.1", bridge: "fmn-bra", vx: "fmn-vxa", local: "172.31.77.1", remote: "172.31.77.2" },
      { ns: "fmn-b", host: "fmn-hb", ip: "10.77.0.2", bridge: "fmn-brb", vx: "fmn-vxb", local: "172.31.77.2", remote: "172.31.77.1" },
    ];
    const ports: Record<string, { host: number; tunnel: number }> = {};
    for (const s of sites) {
      await hostIn(s.ns, s.host, s.ip);
      // The VXLAN socket lives where the device was made (the site's underlay); the device moves to OVS's namespace.
      await sh("ip", "-n", s.ns, "link", "add", s.vx, "type", "vxlan", "id", "7701", "local", s.local, "remote", s.remote, "dstport", "4789");
      await sh("ip", "-n", s.ns, "link", "set", s.vx, "netns", String(process.pid));
      await sh("ip", "link", "set", s.vx, "up");
      // fail_mode=secure: with no controller and no flows the bridge forwards nothing.
      await addBridge(ovsdb, s.bridge, { datapathType: "netdev", failMode: "secure" });
      ports[s.bridge] = { host: await addPort(ovsdb, s.bridge, `${s.host}-p`), tunnel: await addPort(ovsdb, s.bridge, s.vx) };
    }

    const ping = () => shOk("ip", "netns", "exec", "fmn-a", "ping", "-c", "3", "-i", "0.2", "-W", "1", "10.77.0.2");
    expect(await ping()).toBe(false);

    for (const [i, s] of sites.entries()) {
      const other = sites[1 - i]!;
      await installPlan(s.bridge, s.ip, ports[s.bridge]!.host, other.ip, ports[s.bridge]!.tunnel);
    }

    expect(await ping()).toBe(true);
    // The packets really crossed the tunnel: its flow counted them, the far vxlan device and the underlay too.
    const sent = await tunnelFlowPackets("fmn-bra", "10.77.0.2");
    expect(sent).toBeGreaterThanOrEqual(1);
    expect((await linkStats(null, "fmn-vxb")).rx).toBeGreaterThanOrEqual(sent);
    expect((await linkStats("fmn-a", "fmn-ua")).tx).toBeGreaterThanOrEqual(sent);
  });

  it("carries ping through an OVS user-space vxlan port made by our client to a kernel VXLAN endpoint in fmn-b", async () => {
    for (const ns of NS) {
      await sh("ip", "netns", "add", ns);
      await sh("ip", "-n", ns, "link", "set", "lo", "up");
    }
    // Underlay: bridge fmn-bru holds the tunnel's local address 172.31.78.1 on its internal port; fmn-up leads to fmn-b.
    await addBridge(ovsdb, "fmn-bru", { datapathType: "netdev" });
    await sh("ip", "link", "add", "fmn-up", "type", "veth", "peer", "name", "fmn-up-b");
    await sh("ip", "link", "set", "fmn-up-b", "netns", "fmn-b");
    await sh("ip", "-n", "fmn-b", "addr", "add", "172.31.78.2/24", "dev", "fmn-up-b");
    await sh("ip", "-n", "fmn-b", "link", "set", "fmn-up-b", "up");
    await sh("ip", "link", "set", "fmn-up", "up");
    await addPort(ovsdb, "fmn-bru", "fmn-up");
    await sh("ip", "addr", "add", "172.31.78.1/24", "dev", "fmn-bru");
    await sh("ip", "link", "set", "fmn-bru", "up");
    // Far site: a kernel VXLAN endpoint. noudpcsum: the veth would hand OVS an unfilled (offloaded)
    // UDP checksum, and OVS's tunnel pop drops packets whose checksum does not verify.
    await sh("ip", "-n", "fmn-b", "link", "add", "fmn-vxk", "type", "vxlan", "id", "7801", "local", "172.31.78.2", "remote", "172.31.78.1", "dstport", "4789", "noudpcsum");
    await sh("ip", "-n", "fmn-b", "addr", "add", "10.78.0.2/24", "dev", "fmn-vxk");
    await sh("ip", "-n", "fmn-b", "link", "set", "fmn-vxk", "up");
    // Near site: host 10.78.0.1 in fmn-a on bridge fmn-bra, which reaches site fmn-b over an OVS vxlan port.
    await addBridge(ovsdb, "fmn-bra", { datapathType: "netdev", failMode: "secure" });
    await hostIn("fmn-a", "fmn-ha", "10.78.0.1");
    await sh("ip", "-n", "fmn-a", "link", "set", "fmn-ha", "mtu", "1400"); // room for the 50-byte VXLAN header
    const hostPort = await addPort(ovsdb, "fmn-bra", "fmn-ha-p");
    const overlay = new Overlay(ovsdb);
    const tunnel = await overlay.connect({ bridge: "fmn-bra", remoteSite: "fmn-b", remoteIp: "172.31.78.2", key: 7801 });
    expect(tunnel).toMatchObject({ portName: "vx-fmn-b", remoteIp: "172.31.78.2", key: 7801 });
    expect(overlay.portTo("fmn-bra", "fmn-b")?.ofport).toBe(tunnel.ofport);
    expect(await sh("ovs-ofctl", "-O", "OpenFlow13", "show", "fmn-bra")).toContain(` ${tunnel.ofport}(vx-fmn-b)`);

    const ping = () => shOk("ip", "netns", "exec", "fmn-a", "ping", "-c", "4", "-i", "0.3", "-W", "1", "10.78.0.2");
    expect(await ping()).toBe(false);
    await installPlan("fmn-bra", "10.78.0.1", hostPort, "10.78.0.2", tunnel.ofport);
    // The first packets may go while OVS resolves the underlay neighbour; ping again before giving up.
    expect((await ping()) || (await ping())).toBe(true);
    const sent = await tunnelFlowPackets("fmn-bra", "10.78.0.2");
    expect(sent).toBeGreaterThanOrEqual(1);
    expect((await linkStats("fmn-b", "fmn-vxk")).rx).toBeGreaterThanOrEqual(sent);

    expect(await overlay.disconnect("fmn-bra", "fmn-b")).toBe(true);
    expect(overlay.portTo("fmn-bra", "fmn-b")).toBeUndefined();
    expect(await sh("ovs-ofctl", "-O", "OpenFlow13", "show", "fmn-bra")).not.toContain("vx-fmn-b");
  });
});
