import { describe, expect, it } from "vitest";
import { bridgeMatcher, linkMatcher, netnsMatcher } from "../../../../src/loopnet/names.js";
import { planLoopnet } from "../../../../src/loopnet/plan.js";
import type { LoopnetInput, LoopnetPlan } from "../../../../src/loopnet/types.js";

const NODES: LoopnetInput["nodes"] = [
  { name: "edge1", tier: "edge", site: "edge-a" },
  { name: "edge2", tier: "edge", site: "edge-b" },
  { name: "edge3", tier: "edge", site: "edge-a" },
  { name: "cloud1", tier: "cloud", site: "cloud" },
];
const input = (over: Partial<LoopnetInput> = {}): LoopnetInput => ({ prefix: "fml", nodes: NODES, rootNetnsPid: 4242, ...over });

/** Every host name a command creates, with the namespace it is made in (undefined: the root one). */
function createdNames(plan: LoopnetPlan): Array<{ name: string; inNs?: string }> {
  const out: Array<{ name: string; inNs?: string }> = [];
  for (const argv of plan.commands) {
    const w = (i: number) => argv[i];
    if (w(0) === "ovs-vsctl") {
      argv.forEach((word, i) => {
        if (word === "add-br") out.push({ name: w(i + 1)! });
        if (word === "add-port" && argv.includes("type=internal")) out.push({ name: w(i + 2)! });
      });
    } else if (w(0) === "ip" && w(1) === "netns" && w(2) === "add") {
      out.push({ name: w(3)! });
    } else if (w(0) === "ip") {
      const ns = w(1) === "-n" ? w(2) : undefined;
      const at = ns ? 3 : 1;
      if (w(at) !== "link" || w(at + 1) !== "add") continue;
      out.push({ name: w(at + 2)!, inNs: w(at + 3) === "netns" ? w(at + 4) : ns });
      const peer = argv.indexOf("peer");
      if (peer > 0) out.push({ name: w(peer + 2)!, inNs: w(peer + 3) === "netns" ? w(peer + 4) : ns });
    }
  }
  return out;
}

describe("planLoopnet", () => {
  const plan = planLoopnet(input());

  it("makes one bridge per node with a distinct dpid, standalone without a controller", () => {
    expect(plan.bridges.map((b) => [b.node, b.name])).toEqual([
      ["edge1", "fml-b0"],
      ["edge2", "fml-b1"],
      ["edge3", "fml-b2"],
      ["cloud1", "fml-b3"],
    ]);
    expect(new Set(plan.bridges.map((b) => b.dpid)).size).toBe(4);
    for (const b of plan.bridges) expect(b.dpid).toMatch(/^[0-9a-f]{16}$/);
    expect(plan.mode).toBe("standalone");
    expect(plan.commands[0]).toEqual([
      "ovs-vsctl", "add-br", "fml-b0", "--", "set", "Bridge", "fml-b0",
      "datapath_type=netdev", "protocols=OpenFlow13", "fail-mode=standalone", `other-config:datapath-id=${plan.bridges[0]!.dpid}`,
    ]);
  });

  it("sets fail-mode secure and the controller when given its port", () => {
    const secure = planLoopnet(input({ controllerPort: 6653 }));
    expect(secure.controller).toBe("tcp:127.0.0.1:6653");
    expect(secure.commands[0]).toContain("fail-mode=secure");
    expect(secure.commands[0]!.slice(-4)).toEqual(["--", "set-controller", "fml-b0", "tcp:127.0.0.1:6653"]);
  });

  it("joins same-site bridges by a veth and each site to the cloud site by VXLAN (a tree)", () => {
    expect(plan.links.map((l) => [l.kind, l.a.node, l.a.port, l.a.ofport, l.b.node, l.b.port, l.b.ofport])).toEqual([
      ["site", "edge1", "fml-s0a", 1, "edge3", "fml-s0b", 1],
      ["vxlan", "edge1", "fml-x0a", 2, "cloud1", "fml-x0b", 1],
      ["vxlan", "edge2", "fml-x1a", 1, "cloud1", "fml-x1b", 2],
    ]);
    // A tree: nodes - 1 links, so standalone flooding cannot loop.
    expect(plan.links).toHaveLength(NODES.length - 1);
    const vx = plan.links.filter((l) => l.kind === "vxlan");
    expect(vx.map((l) => (l.kind === "vxlan" ? [l.vni, ...l.underlay] : []))).toEqual([
      [1000, "fml-u0a", "fml-u0b"],
      [1001, "fml-u1a", "fml-u1b"],
    ]);
    // The VXLAN devices go to the caller's namespace.
    expect(plan.commands).toContainEqual(["ip", "-n", "fml-u0a", "link", "set", "fml-x0a", "netns", "4242"]);
  });

  it("puts a device namespace on each edge site and the gateway on the first edge bridge", () => {
    expect(plan.devices.map((d) => [d.site, d.netns, d.address, d.port.bridge, d.port.port, d.port.ofport])).toEqual([
      ["edge-a", "fml-dev-edge-a", "10.77.255.1/16", "fml-b0", "fml-d0", 3],
      ["edge-b", "fml-dev-edge-b", "10.77.255.2/16", "fml-b1", "fml-d1", 2],
    ]);
    expect(plan.gateway).toEqual({ address: "10.77.255.254/16", port: { node: "edge1", bridge: "fml-b0", port: "fml-gw", ofport: 4 } });
    expect(plan.commands).toContainEqual(["ip", "netns", "exec", "fml-dev-edge-a", "ethtool", "-K", "eth0", "tx", "off"]);
  });

  it("takes device sites and the service CIDR from the input", () => {
    const p = planLoopnet(input({ deviceSites: ["cloud"], serviceCidr: "10.20.0.0/24" }));
    expect(p.devices.map((d) => [d.netns, d.address, d.port.bridge])).toEqual([["fml-dev-cloud", "10.20.0.1/24", "fml-b3"]]);
    expect(p.gateway.address).toBe("10.20.0.254/24");
  });

  it("makes unique names of at most 15 characters, each matched by the clean-up scheme", () => {
    const made = createdNames(plan);
    const key = (m: { name: string; inNs?: string }) => `${m.inNs ?? ""}/${m.name}`;
    expect(made.length).toBeGreaterThan(10);
    expect(new Set(made.map(key)).size).toBe(made.length);
    const objects = plan.objects.flatMap((o) => o.names);
    expect(new Set(objects).size).toBe(objects.length);
    const namespaces = plan.objects.filter((o) => o.kind === "netns").map((o) => o.name);
    for (const m of made) {
      const obj = plan.objects.find((o) => o.names.includes(m.name));
      // Made inside one of our namespaces (eth0 of a device, an underlay veth): its namespace's removal takes it.
      if (!obj) expect(namespaces).toContain(m.inNs);
      if (obj?.kind === "netns") expect(netnsMatcher("fml").test(m.name)).toBe(true);
      else expect(m.name.length).toBeLessThanOrEqual(15);
      if (obj && obj.kind !== "netns") expect(linkMatcher("fml").test(m.name) || bridgeMatcher("fml").test(m.name)).toBe(true);
    }
  });

  it("has a removal for every object, in the removal list, bridges before links before namespaces", () => {
    for (const o of plan.objects) {
      expect(o.remove).toContain(o.name);
      expect(plan.removal).toContainEqual(o.remove);
    }
    expect(plan.removal).toHaveLength(plan.objects.length);
    const kinds = plan.removal.map((argv) => plan.objects.find((o) => o.remove === argv)!.kind);
    expect(kinds.lastIndexOf("bridge")).toBeLessThan(kinds.indexOf("veth"));
    expect(kinds.lastIndexOf("vxlan")).toBeLessThan(kinds.indexOf("netns"));
  });

  it("shares nothing with a plan of another prefix, and the other prefix's scheme matches none of ours", () => {
    const other = planLoopnet(input({ prefix: "fml2", serviceCidr: "10.78.0.0/16" }));
    const ours = new Set([...plan.objects.flatMap((o) => o.names), ...plan.bridges.map((b) => b.dpid), plan.gateway.address, ...plan.devices.map((d) => d.address)]);
    const theirs = [...other.objects.flatMap((o) => o.names), ...other.bridges.map((b) => b.dpid), other.gateway.address, ...other.devices.map((d) => d.address)];
    expect(theirs.filter((n) => ours.has(n))).toEqual([]);
    for (const n of plan.objects.flatMap((o) => o.names)) {
      expect(linkMatcher("fml2").test(n) || netnsMatcher("fml2").test(n) || bridgeMatcher("fml2").test(n)).toBe(false);
    }
  });

  it("is pure: the same input gives the same plan", () => {
    expect(planLoopnet(input())).toEqual(plan);
  });

  it("rejects bad input with a clear message", () => {
    const cases: Array<[Partial<LoopnetInput>, RegExp]> = [
      [{ prefix: "fm-l" }, /prefix 'fm-l' must be 2-8 characters/],
      [{ prefix: "toolongprefix" }, /prefix/],
      [{ nodes: [] }, /at least one node/],
      [{ nodes: [NODES[0]!, NODES[0]!] }, /node 'edge1' is listed twice/],
      [{ nodes: [{ name: "e", tier: "fog" as "edge", site: "a" }] }, /tier must be edge or cloud, got 'fog'/],
      [{ nodes: [{ name: "e", tier: "edge", site: "Site A" }] }, /site 'Site A' must be/],
      [{ deviceSites: ["mars"] }, /device site 'mars' has no node/],
      [{ serviceCidr: "10.77.0.1/16" }, /not an IPv4 network/],
      [{ serviceCidr: "10.77.0.0/28" }, /length must be 8-24/],
      [{ controllerPort: 70000 }, /controller port 70000/],
      [{ rootNetnsPid: 0 }, /must be a PID/],
      [{ nodes: Array.from({ length: 65 }, (_, i) => ({ name: `n${i}`, tier: "edge" as const, site: "a" })) }, /at most 64/],
    ];
    for (const [over, message] of cases) expect(() => planLoopnet(input(over))).toThrow(message);
  });

  it("fits 64 nodes in 64 sites within 15 characters with an 8-character prefix", () => {
    const nodes = Array.from({ length: 64 }, (_, i) => ({ name: `n${i}`, tier: (i ? "edge" : "cloud") as "edge" | "cloud", site: `s${i}` }));
    const p = planLoopnet(input({ prefix: "abcdefgh", nodes }));
    for (const o of p.objects) if (o.kind !== "netns") for (const n of o.names) expect(n.length).toBeLessThanOrEqual(15);
    expect(p.links).toHaveLength(63);
  });
});
