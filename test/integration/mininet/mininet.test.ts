// The controller against real Open vSwitch bridges (user-space datapath,
// OpenFlow 1.3, fail-mode secure) in Mininet: forwarding, topology
// discovery, link failure and rerouting, and a service redirect across a
// VXLAN tunnel between two sites. The controller runs as a child process on
// ephemeral ports; mininet/run_scenario.py drives each network.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ControllerPorts, type ControllerProcess, startControllerProcess } from "../../helpers/controller-process.js";
import { describeWhen, missing, needs } from "../../helpers/env.js";
import { requestJson } from "../../helpers/http.js";

const run = promisify(execFile);

// biome-ignore lint/suspicious/noExplicitAny: JSON printed by the Python scenario runner and the API
type Json = any;

let controller: ControllerProcess | undefined;
let ports: ControllerPorts;

async function scenario(name: string, extra: string[] = []): Promise<Json> {
  const { stdout } = await run(
    "/usr/bin/python3",
    ["mininet/run_scenario.py", "--scenario", name, "--controller-port", String(ports.openflowPort), "--api", `http://127.0.0.1:${ports.httpPort}`, ...extra],
    { timeout: 90_000, maxBuffer: 10 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split("\n").pop() as string);
}

const api = async (path: string): Promise<Json> => (await requestJson("GET", `http://127.0.0.1:${ports.httpPort}${path}`)).body;

describeWhen("controller with Mininet and OVS", missing([needs.root(), needs.ovs(), needs.mininet()]), () => {
  beforeAll(async () => {
    await run("bash", ["scripts/services.sh", "start"]);
    controller = await startControllerProcess();
    ports = controller.ports;
  }, 60_000);

  afterAll(async () => {
    await controller?.stop();
  });

  it("tree depth 2 fanout 2: pingall drops nothing, OVS holds exactly the flows the API reports, links match", async () => {
    const r = await scenario("tree");
    process.stderr.write(`[controller tree] ${JSON.stringify({ dropped: r.pingallDropped, flows: r.flows })}\n`);
    expect(r.pingallDropped).toBe(0);
    expect(r.normalRule).toBe(false);
    for (const [sw, f] of Object.entries<Json>(r.flows)) {
      expect(f.equal, `flows on ${sw}`).toBe(true);
      expect(f.forwarding, `forwarding flows on ${sw}`).toBeGreaterThan(0);
    }
    expect(r.linksEqual).toBe(true);
    expect(r.links.api).toHaveLength(2);
    expect(r.hosts).toBe(4);
  }, 120_000);

  it("a link set down is noticed and traffic reroutes over the redundant link", async () => {
    const r = await scenario("reroute");
    process.stderr.write(`[controller reroute] ${JSON.stringify(r)}\n`);
    expect(r.pingallDropped).toBe(0);
    expect(r.pingBefore).toBe(3);
    expect(r.linksAfter).toBe(r.linksBefore - 1);
    expect(r.pingAfter).toBeGreaterThanOrEqual(4);
  }, 120_000);

  for (const strategy of ["all-at-once", "gradual"]) {
    it(`redirect (${strategy}): a service moved to the cloud site over VXLAN keeps answering on its IP`, async () => {
      const r = await scenario("redirect", ["--strategy", strategy]);
      process.stderr.write(`[controller redirect ${strategy}] ${JSON.stringify({ ...r, redirect: undefined })}\n`);
      expect(r.linksEqual).toBe(true);
      expect(r.requestsBefore.total).toBeGreaterThan(5);
      expect(r.requestsBefore.edge).toBe(r.requestsBefore.total);
      expect(r.requestsAfter.total).toBeGreaterThan(10);
      expect(r.requestsAfter.cloud).toBe(r.requestsAfter.total);
      expect(r.lastAnswer).toBe("cloud");
      expect(r.redirect.strategy).toBe(strategy);
      if (strategy === "gradual") {
        // While the share shifts, new connections reach both copies; none fails.
        expect(r.requestsDuring.edge).toBeGreaterThan(0);
        expect(r.requestsDuring.cloud).toBeGreaterThan(0);
        expect(r.requestsDuring.failed).toBe(0);
        expect(r.redirect.stepsMs).toHaveLength(5);
      }
      expect(r.reconfigurationMs).toBeGreaterThan(0);
      expect(r.redirect.switches).toHaveLength(2);
      expect(r.redirectFlowsOnCloud).toBe(2);
      // DNS answers the service name with its (unchanged) address, set by the redirect.
      const { stdout } = await run("dig", ["+short", "-p", String(ports.dnsPort), "@127.0.0.1", "web.svc.fleximigrate.local", "A"]);
      expect(stdout.trim()).toBe("10.0.0.100");
      const dns = await api("/v1/dns");
      expect(Date.parse(dns.records[0].updatedAt)).toBeGreaterThanOrEqual(Date.parse(r.redirect.at) - 5000);
      // Rolled back at the end of the scenario: no redirect rule is left, the record is the earlier one.
      expect(r.rollback.redirectFlowsLeft).toBe(0);
      expect(r.rollback.dnsAfter).toBe("10.0.0.100");
      expect(r.rollback.to).toEqual(r.redirect.from);
      const listed = await api("/v1/redirects");
      expect(listed.redirects.some((x: Json) => x.id === r.redirect.id && x.reconfigurationMs === r.reconfigurationMs && x.state === "rolled-back")).toBe(true);
    }, 120_000);
  }
});
