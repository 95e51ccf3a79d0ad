// The topology view model: the controller's switches, links and hosts kept by
// its events, sites found from the links that are not VXLAN, switches named
// by their bridge and the nodes on them, and the path a moved service's
// traffic takes now lit from the active redirect.
import { describe, expect, it } from "vitest";
import type { PortView, RedirectRecord } from "../../../../../src/api-types/controller.js";
import { applyTopologyEvent, emptyTopology, shortestPath, topologyGraph, withHosts, withPorts, withRedirects, withTopology } from "../../../../../scheduler/ui/state/topology-state.js";

const A = "000000000000000a";
const B = "000000000000000b";
const C = "000000000000000c";
const port = (portNo: number, name: string) => ({ portNo, name }) as PortView;
const link = (s: string, sp: number, d: string, dp: number) => ({ src: { dpid: s, port: sp }, dst: { dpid: d, port: dp } });

/** Two edge bridges A and B, each joined to the cloud bridge C by VXLAN (loopnet's names). */
function loop() {
  let s = withTopology(emptyTopology(), { switches: [A, B, C], settled: true, hosts: 2, links: [link(A, 1, C, 1), link(C, 1, A, 1), link(B, 1, C, 2)] });
  s = withPorts(s, A, [port(1, "fmd-x0a"), port(2, "fmd-t1"), port(0xfffffffe, "fmd-b0")]);
  s = withPorts(s, B, [port(1, "fmd-x1a"), port(0xfffffffe, "fmd-b1")]);
  s = withPorts(s, C, [port(1, "fmd-x0b"), port(2, "fmd-x1b"), port(3, "fmd-t2"), port(0xfffffffe, "fmd-b2")]);
  s = withHosts(s, { hosts: [{ mac: "02:00:00:00:00:01", ip: "10.77.0.2", dpid: A, port: 2, lastSeen: "t" }] });
  return s;
}

const redirect = (over: Partial<RedirectRecord> = {}): RedirectRecord => ({
  id: 1,
  service: "t-1",
  ip: "10.77.0.2",
  mac: "02:00:00:00:00:01",
  to: { dpid: C, port: 3 },
  from: { dpid: A, port: 2 },
  strategy: "per-service",
  cookie: "0x1",
  dnsBefore: null,
  dnsAfter: null,
  reconfigurationMs: 2,
  stepsMs: [],
  switches: [A, C],
  flowMods: 2,
  at: "t",
  state: "active",
  ...over,
});

describe("topology view model", () => {
  it("switches named by bridge and node, one link per pair, VXLAN ones marked, a site per bridge joined only by VXLAN", () => {
    const g = topologyGraph(loop(), [{ id: "t-1", node: "edge1", serviceIp: "10.77.0.2" }]);
    expect(g.switches.map((s) => s.label)).toEqual(["fmd-b0\nedge1", "fmd-b1", "fmd-b2"]);
    expect(g.links).toHaveLength(2);
    expect(g.links.every((l) => l.vxlan)).toBe(true);
    expect(g.sites).toHaveLength(3);
    expect(g.sites.map((s) => s.label)).toContain("site edge1");
    expect(g.hosts).toEqual([{ id: "host:02:00:00:00:00:01", label: "t-1\n10.77.0.2", switch: A, task: "t-1", onPath: false }]);
    expect(g.paths).toEqual([]);
  });

  it("bridges joined by a plain link share a site", () => {
    let s = withTopology(emptyTopology(), { switches: [A, B], settled: true, hosts: 0, links: [link(A, 5, B, 5)] });
    s = withPorts(s, A, [port(5, "fmd-s0a")]);
    s = withPorts(s, B, [port(5, "fmd-s0b")]);
    const g = topologyGraph(s, []);
    expect(g.sites).toHaveLength(1);
    expect(g.links[0]!.vxlan).toBe(false);
  });

  it("events: a link down and up, a host moving, a switch leaving with its links and hosts", () => {
    let s = loop();
    s = applyTopologyEvent(s, { type: "link.down", link: link(B, 1, C, 2), at: "t" });
    expect(topologyGraph(s, []).links).toHaveLength(1);
    s = applyTopologyEvent(s, { type: "link.up", link: link(C, 2, B, 1), at: "t" });
    expect(topologyGraph(s, []).links).toHaveLength(2);
    s = applyTopologyEvent(s, { type: "host.moved", host: { mac: "02:00:00:00:00:01", ip: "10.77.0.2", dpid: C, port: 3, lastSeen: "t" }, at: "t" });
    expect(topologyGraph(s, []).hosts[0]!.switch).toBe(C);
    s = applyTopologyEvent(s, { type: "switch.down", dpid: C, at: "t" });
    const g = topologyGraph(s, []);
    expect(g.switches.map((x) => x.id)).toEqual([A, B]);
    expect(g.links).toEqual([]);
    expect(g.hosts).toEqual([]);
  });

  it("a moved service: its active redirect lights the path from where it ran to where it runs now", () => {
    let s = applyTopologyEvent(loop(), { type: "redirect", redirect: redirect(), at: "t" });
    let g = topologyGraph(s, []);
    expect(g.paths).toEqual([{ service: "t-1", ip: "10.77.0.2", switches: [A, C], port: 3 }]);
    expect(g.switches.filter((x) => x.onPath).map((x) => x.id)).toEqual([A, C]);
    expect(g.links.filter((l) => l.onPath).map((l) => [l.source, l.target].sort())).toEqual([[A, C]]);
    expect(g.hosts[0]!.onPath).toBe(true);
    // The host table still has the service where it ran; the redirect says where it runs: there it is drawn, and its node named.
    g = topologyGraph(s, [{ id: "t-1", node: "cloud1", serviceIp: "10.77.0.2" }]);
    expect(g.hosts[0]!.switch).toBe(C);
    expect(g.switches.map((x) => x.label)).toEqual(["fmd-b0", "fmd-b1", "fmd-b2\ncloud1"]);
    // Rolled back: nothing lit.
    s = applyTopologyEvent(s, { type: "redirect.rolledBack", redirect: redirect({ state: "rolled-back" }), at: "t" });
    g = topologyGraph(s, []);
    expect(g.paths).toEqual([]);
    // Read at load: the latest record of each service counts.
    s = withRedirects(loop(), [redirect({ id: 2, from: { dpid: B, port: 1 } }), redirect({ id: 1, state: "superseded" })]);
    expect(topologyGraph(s, []).paths[0]!.switches).toEqual([B, C]);
  });

  it("shortest path over the links, either direction; none when apart", () => {
    const links = [link(A, 1, B, 1), link(B, 2, C, 1)];
    expect(shortestPath(links, A, C)).toEqual([A, B, C]);
    expect(shortestPath(links, C, A)).toEqual([C, B, A]);
    expect(shortestPath(links, A, A)).toEqual([A]);
    expect(shortestPath([link(A, 1, B, 1)], A, C)).toEqual([]);
  });
});
