// The loop's one-machine network on real Open vSwitch: three nodes in three
// sites (edge1 at edge-a, edge2 at edge-b, cloud1 at cloud), joined by VXLAN.
// A test namespace plays a workload (10.77.0.50 on a veth of cloud1's bridge);
// a device namespace at edge-a and the root namespace (through the gateway
// port) must reach it, first with OVS alone (standalone), then through our
// controller (secure). Every name starts with "fml" and is gone at the end.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControllerClient } from "../../../../src/clients/controller.js";
import { applyPlan, cleanLeftovers, type LoopnetMade, type LoopnetPlan, planLoopnet, removePlan } from "../../../../src/loopnet/index.js";
import { type ControllerProcess, startControllerProcess } from "../../../helpers/controller-process.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { spawnChild, type TrackedChild } from "../../../helpers/processes.js";
import { sh, shOk } from "../../../helpers/shell.js";
import { waitFor } from "../../../helpers/wait.js";

const NODES = [
  { name: "edge1", tier: "edge" as const, site: "edge-a" },
  { name: "edge2", tier: "edge" as const, site: "edge-b" },
  { name: "cloud1", tier: "cloud" as const, site: "cloud" },
];
const WORKLOAD_IP = "10.77.0.50";
const HTTP_PORT = 8080;
const SERVER = `require("node:http").createServer((q, r) => r.end("x".repeat(200000))).listen(${HTTP_PORT}, "${WORKLOAD_IP}", () => console.log("up"))`;

/** A workload's namespace as the agent will make it: a veth on a bridge, an IP of the service CIDR. */
class TestWorkload {
  server: TrackedChild | undefined;
  constructor(readonly name: string) {}

  async create(bridge: string): Promise<void> {
    await sh("ip", "netns", "add", this.name);
    await sh("ip", "link", "add", this.name, "type", "veth", "peer", "name", "eth0", "netns", this.name);
    await sh("ip", "link", "set", this.name, "up");
    await sh("ip", "-n", this.name, "addr", "add", `${WORKLOAD_IP}/16`, "dev", "eth0");
    await sh("ip", "-n", this.name, "link", "set", "eth0", "up");
    await sh("ip", "-n", this.name, "link", "set", "lo", "up");
    await sh("ip", "netns", "exec", this.name, "ethtool", "-K", "eth0", "tx", "off");
    await sh("ovs-vsctl", "add-port", bridge, this.name);
    this.server = spawnChild("ip", ["netns", "exec", this.name, process.execPath, "-e", SERVER]);
    await this.server.line((l) => l === "up", 10_000);
  }

  async remove(): Promise<void> {
    await this.server?.stop();
    await shOk("ovs-vsctl", "--if-exists", "del-port", this.name);
    await shOk("ip", "link", "del", this.name);
    await shOk("ip", "netns", "del", this.name);
  }
}

/** Bytes of the workload's answer fetched by curl inside `netns` (curl's exit is the test's failure). */
async function fetchFrom(netns: string): Promise<number> {
  const out = await sh("ip", "netns", "exec", netns, "curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{size_download}", `http://${WORKLOAD_IP}:${HTTP_PORT}/`);
  return Number(out);
}

async function fetchFromRoot(): Promise<number> {
  const res = await fetch(`http://${WORKLOAD_IP}:${HTTP_PORT}/`, { signal: AbortSignal.timeout(5000) });
  return (await res.text()).length;
}

async function pings(netns: string): Promise<boolean> {
  return shOk("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "1", WORKLOAD_IP);
}

async function nothingOf(prefix: string): Promise<string[]> {
  const links = (await sh("ip", "-o", "link", "show")).split("\n").map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? "");
  const netns = (await sh("ip", "netns", "list")).split("\n").map((l) => l.split(" ")[0] ?? "");
  const bridges = (await sh("ovs-vsctl", "list-br")).split("\n");
  return [...links, ...netns, ...bridges].filter((n) => n.startsWith(prefix));
}

const onPath = (cmd: string) => ["/usr/bin", "/usr/sbin", "/bin", "/sbin"].some((d) => existsSync(`${d}/${cmd}`));
const requirements = missing([needs.root(), needs.ovs(), [() => onPath("curl"), "curl is not installed"], [() => onPath("ethtool"), "ethtool is not installed"]]);

describeWhen("loopnet on real Open vSwitch", requirements, () => {
  describe("standalone (no controller)", () => {
    const prefix = "fml";
    const workload = new TestWorkload("fml-t0");
    let plan: LoopnetPlan;
    let made: LoopnetMade;

    beforeAll(async () => {
      await cleanLeftovers(prefix);
      await workload.remove();
      plan = planLoopnet({ prefix, nodes: NODES, rootNetnsPid: process.pid });
      made = await applyPlan(plan);
      await workload.create(plan.bridges.find((b) => b.node === "cloud1")!.name);
    }, 60_000);

    afterAll(async () => {
      await workload.remove();
      if (plan) await removePlan(plan);
    }, 60_000);

    it("reports every bridge's dpid and every link's OpenFlow ports as planned", () => {
      expect(made.mode).toBe("standalone");
      expect(made.bridges.map((b) => [b.node, b.dpid])).toEqual(plan.bridges.map((b) => [b.node, b.dpid]));
      expect(made.links.map((l) => [l.kind, l.a.node, l.b.node])).toEqual([
        ["vxlan", "edge1", "cloud1"],
        ["vxlan", "edge2", "cloud1"],
      ]);
      for (const l of made.links) expect(l.a.ofport).toBeGreaterThan(0);
      expect(made.devices.map((d) => d.netns)).toEqual(["fml-dev-edge-a", "fml-dev-edge-b"]);
    });

    it("lets a device at edge-a reach the workload at the cloud through VXLAN (ping and TCP)", async () => {
      await waitFor(() => pings("fml-dev-edge-a"), { timeoutMs: 15_000, what: "a ping from fml-dev-edge-a" });
      expect(await fetchFrom("fml-dev-edge-a")).toBe(200_000);
      expect(await fetchFrom("fml-dev-edge-b")).toBe(200_000);
    });

    it("lets the root namespace reach the workload through the gateway port", async () => {
      expect(await fetchFromRoot()).toBe(200_000);
    });

    it("removes everything it made, by exact name", async () => {
      await workload.remove();
      await removePlan(plan);
      expect(await nothingOf("fml")).toEqual([]);
    });
  });

  describe("secure, with our controller", () => {
    const prefix = "fmlc";
    const workload = new TestWorkload("fmlc-t0");
    let controller: ControllerProcess | undefined;
    let plan: LoopnetPlan;

    beforeAll(async () => {
      await cleanLeftovers(prefix);
      await workload.remove();
      controller = await startControllerProcess(["--lldp-interval", "200", "--quiet"], 15_000);
      plan = planLoopnet({ prefix, nodes: NODES, controllerPort: controller.ports.openflowPort, rootNetnsPid: process.pid });
      await applyPlan(plan);
      await workload.create(plan.bridges.find((b) => b.node === "cloud1")!.name);
    }, 60_000);

    afterAll(async () => {
      await workload.remove();
      if (plan) await removePlan(plan);
      await controller?.stop();
    }, 60_000);

    it("shows the switches and the VXLAN links in GET /v1/topology once settled", async () => {
      const api = new ControllerClient(`http://127.0.0.1:${controller!.ports.httpPort}`);
      const dpids = plan.bridges.map((b) => b.dpid).sort();
      const expected = plan.links
        .map((l) => [`${plan.bridges.find((b) => b.name === l.a.bridge)!.dpid}:${l.a.ofport}`, `${plan.bridges.find((b) => b.name === l.b.bridge)!.dpid}:${l.b.ofport}`].sort().join("-"))
        .sort();
      let last = "";
      await waitFor(
        async () => {
          const t = await api.topology();
          last = JSON.stringify(t);
          const links = t.links.map((l) => [`${l.src.dpid}:${l.src.port}`, `${l.dst.dpid}:${l.dst.port}`].sort().join("-")).sort();
          return t.settled && JSON.stringify([...t.switches].sort()) === JSON.stringify(dpids) && JSON.stringify(links) === JSON.stringify(expected);
        },
        { timeoutMs: 20_000, intervalMs: 200, what: () => `the planned topology; last ${last}` },
      );
    });

    it("forwards a device's traffic to the workload through the controller", async () => {
      await waitFor(() => pings("fmlc-dev-edge-a"), { timeoutMs: 15_000, what: "a ping from fmlc-dev-edge-a" });
      expect(await fetchFrom("fmlc-dev-edge-a")).toBe(200_000);
      expect(await fetchFromRoot()).toBe(200_000);
    });

    it("removes everything it made", async () => {
      await workload.remove();
      await removePlan(plan);
      expect(await nothingOf("fml")).toEqual([]);
    });
  });
});
