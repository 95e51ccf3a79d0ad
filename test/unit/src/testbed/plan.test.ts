import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadDefinition, validateDefinition } from "../../../../src/testbed/definition.js";
import { planTestbed, tbfBurstBytes } from "../../../../src/testbed/plan.js";

const def = loadDefinition();
const plan = planTestbed({ prefix: "fmt", definition: def, controllerPort: 44653, rootNetnsPid: 4242 });

describe("the testbed plan", () => {
  it("one switch per site, two agent hosts per edge site, one at the cloud, a device host per edge site", () => {
    expect([...new Set(plan.bridges.map((b) => b.name))]).toEqual(["fmt-s1", "fmt-s2", "fmt-s3"]);
    expect(plan.hosts.map((h) => `${h.node}@${h.netns}=${h.ip}`)).toEqual([
      "edge1@fmt-h1=10.144.254.1",
      "edge2@fmt-h2=10.144.254.2",
      "edge3@fmt-h3=10.144.254.3",
      "edge4@fmt-h4=10.144.254.4",
      "cloud1@fmt-h5=10.144.254.5",
    ]);
    expect(plan.devices.map((d) => `${d.site}:${d.netns}=${d.address}`)).toEqual(["edge-a:fmt-d1=10.144.255.1/16", "edge-b:fmt-d2=10.144.255.2/16"]);
    for (const c of plan.commands.filter((x) => x[1] === "add-br")) expect(c).toEqual(expect.arrayContaining(["datapath_type=netdev", "protocols=OpenFlow13", "fail-mode=secure", "tcp:127.0.0.1:44653"]));
  });

  it("each edge site reaches the cloud over kernel VXLAN through its relay namespace, tbf-shaped", () => {
    expect(plan.links.map((l) => (l.kind === "vxlan" ? `${l.sites.join("↔")} ${l.a.port}/${l.b.port}` : ""))).toEqual(["edge-a↔cloud fmt-x1a/fmt-x1b", "edge-b↔cloud fmt-x2a/fmt-x2b"]);
    expect(plan.relays.map((r) => r.netns)).toEqual(["fmt-r1", "fmt-r2"]);
    expect(plan.relays[0]!.args).toEqual(["testbed", "relay", "--a", "192.168.81.2", "--a-peer", "192.168.81.1", "--b", "192.168.91.2", "--b-peer", "192.168.91.1", "--delay-ms", "10", "--queue", "2000"]);
    const tbf = plan.commands.filter((c) => c.includes("tbf"));
    expect(tbf).toHaveLength(4);
    expect(tbf[0]).toEqual(expect.arrayContaining(["rate", "100mbit", "burst", String(tbfBurstBytes(100))]));
    const unshaped = planTestbed({ prefix: "fmt", definition: def, controllerPort: 1, rootNetnsPid: 1, wan: { bandwidthMbit: 0, delayMs: 3 } });
    expect(unshaped.commands.some((c) => c.includes("tbf"))).toBe(false);
    expect(unshaped.relays[0]!.args).toContain("3");
  });

  it("removes everything it makes, and every name fits 15 characters", () => {
    for (const o of plan.objects) expect(plan.removal).toContainEqual(o.remove);
    for (const o of plan.objects) for (const n of o.names) expect(n.length).toBeLessThanOrEqual(15);
    expect(plan.netns).toEqual(expect.arrayContaining(["fmt-h1", "fmt-d2", "fmt-u1a", "fmt-u2b", "fmt-r2"]));
  });

  it("a management port per site with host routes to that site's agents (control traffic never crosses the WAN)", () => {
    expect(plan.siteGateways.map((g) => `${g.site} ${g.port.port} ${g.ip}`)).toEqual(["edge-a fmt-gw 10.144.255.254", "edge-b fmt-g2 10.144.255.253", "cloud fmt-g3 10.144.255.252"]);
    expect(plan.commands).toContainEqual(["ip", "route", "add", "10.144.254.5/32", "dev", "fmt-g3", "src", "10.144.255.252"]);
  });

  it("has the names, dpids and addresses of mininet/topos.py's fleximigrate topo", () => {
    const py = execFileSync(
      "/usr/bin/python3",
      ["-c", "import sys,json; sys.path.insert(0,'mininet'); import topos as t; d=t.load_definition(); print(json.dumps({'dpids':[t.site_dpid('fmt',i) for i in range(3)],'hosts':[t.host_ip(d,k) for k in range(1,6)],'devices':[t.device_ip(d,k) for k in range(1,3)],'wan':t.wan_names('fmt',1),'addr':t.wan_addresses(1)}))"],
      { encoding: "utf8" },
    );
    const t = JSON.parse(py);
    expect(t.dpids).toEqual([...new Set(plan.bridges.map((b) => b.dpid))]);
    expect(t.hosts).toEqual(plan.hosts.map((h) => `${h.ip}/16`));
    expect(t.devices).toEqual(plan.devices.map((d) => d.address));
    expect(t.wan.relay).toBe(plan.relays[0]!.netns);
    expect(t.wan.xa).toBe(plan.links[0]!.a.port);
    expect(plan.relays[0]!.args).toContain(t.addr.ra);
  });

  it("a definition with a problem names its field", () => {
    const raw = JSON.parse(JSON.stringify({ ...def, sites: def.sites.map((s) => ({ ...s })) }));
    raw.sites[0].nodes = [{ name: "edge1", cpus: 0 }];
    expect(() => validateDefinition(raw, "d.json")).toThrow("d.json: sites[0].nodes[0].cpus: must be a number in 0.05-256, got 0");
    expect(() => validateDefinition({ ...def, wan: { delayMs: 1 } }, "d.json")).toThrow(/wan.bandwidthMbit/);
  });
});
