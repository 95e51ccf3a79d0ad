// network_congestion_prob from a real controller on real Open vSwitch: two
// bridges, fmpol-br1 and fmpol-br2 (user-space datapath, OpenFlow 1.3),
// joined by a patch-port pair the controller discovers by LLDP. Frames are
// pushed across the patch link with ovs-ofctl packet-out; the congestion of
// the path br1 -> br2 then comes from the controller's topology and its port
// rates, read through the scheduler's ControllerClient. (The agents are only
// asked for their bridge's dpid: a two-line stand-in here.)
import { afterAll, beforeAll, expect, it } from "vitest";
import type { PortView } from "../../../../src/api-types/controller.js";
import type { MoveRecord } from "../../../../src/api-types/scheduler.js";
import { ControllerClient } from "../../../../src/clients/controller.js";
import { DEFAULT_LINK_KBPS, pathCongestion, portUtilisation } from "../../../../scheduler/migration/path-congestion.js";
import type { AgentPort } from "../../../../scheduler/migration/ports.js";
import { type ControllerProcess, startControllerProcess } from "../../../helpers/controller-process.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { sh, shOk } from "../../../helpers/shell.js";
import { waitFor } from "../../../helpers/wait.js";

const BR1 = "fmpol-br1";
const BR2 = "fmpol-br2";
const P12 = "fmpol-p12";
const P21 = "fmpol-p21";

describeWhen("path congestion from the controller's port rates on real Open vSwitch", missing([needs.root(), needs.ovs()]), () => {
  let controller: ControllerProcess | undefined;
  let client: ControllerClient;
  const dpid: Record<string, string> = {};
  const ofport: Record<string, number> = {};

  beforeAll(async () => {
    for (const b of [BR1, BR2]) await shOk("ovs-vsctl", "--if-exists", "del-br", b); // leftovers of a crashed run
    controller = await startControllerProcess(["--lldp-interval", "200"], 20_000);
    client = new ControllerClient(`http://127.0.0.1:${controller.ports.httpPort}`);
    const target = `tcp:127.0.0.1:${controller.ports.openflowPort}`;
    for (const [b, p, peer] of [
      [BR1, P12, P21],
      [BR2, P21, P12],
    ] as const) {
      await sh(
        "ovs-vsctl",
        ...["add-br", b, "--", "set", "Bridge", b, "datapath_type=netdev", "protocols=OpenFlow13", "fail-mode=secure"],
        ...["--", "add-port", b, p, "--", "set", "Interface", p, "type=patch", `options:peer=${peer}`],
        ...["--", "set-controller", b, target],
      );
      dpid[b] = await waitFor(async () => (await sh("ovs-vsctl", "get", "Bridge", b, "datapath_id")).trim().replace(/"/g, "") || null, { what: `${b}'s datapath id` });
      ofport[p] = await waitFor(async () => Number((await sh("ovs-vsctl", "get", "Interface", p, "ofport")).trim()) || null, { what: `${p}'s ofport` });
    }
    await waitFor(
      async () => {
        const t = await client.topology();
        return t.links.some((l) => [l.src.dpid, l.dst.dpid].sort().join() === [dpid[BR1], dpid[BR2]].sort().join()) || null;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: "the patch link in the controller's topology" },
    );
  }, 60_000);

  afterAll(async () => {
    await controller?.stop();
    for (const b of [BR1, BR2]) await shOk("ovs-vsctl", "--if-exists", "del-br", b);
  }, 20_000);

  it("takes the busiest end of the patch link over its speed, from two polls of the controller", async () => {
    // What the scheduler read, to check its arithmetic against the same data.
    const seen = new Map<string, PortView[]>();
    const source = {
      topology: () => client.topology(),
      ports: async (d: string) => {
        const r = await client.ports(d);
        seen.set(d, r.ports);
        return r;
      },
    };
    const agentAt = (bridge: string) => ({ info: async () => ({ node: bridge, network: { dpid: dpid[bridge] } }) }) as unknown as AgentPort;
    const congestion = pathCongestion(source, (endpoint) => agentAt(endpoint === "http://n1" ? BR1 : BR2), {
      sleep: async (ms) => {
        // Between the two polls, 200 frames of 1000 bytes go over the patch link.
        const frame = `${"ff".repeat(6)}${"02".repeat(6)}0800${"00".repeat(986)}`;
        const started = Date.now();
        for (let i = 0; i < 200; i++) await sh("ovs-ofctl", "-O", "OpenFlow13", "packet-out", BR1, "LOCAL", `output:${ofport[P12]}`, frame);
        await new Promise((r) => setTimeout(r, Math.max(0, ms - (Date.now() - started))));
      },
    });
    const move = { id: "m-1", task: { id: "t-1" }, from: "n1", to: "n2", fromEndpoint: "http://n1", toEndpoint: "http://n2" } as unknown as MoveRecord;

    const u = await congestion(move);
    const ends = [seen.get(dpid[BR1]!)?.find((p) => p.portNo === ofport[P12]), seen.get(dpid[BR2]!)?.find((p) => p.portNo === ofport[P21])];
    expect(ends.every((p) => p?.rates), JSON.stringify(ends)).toBe(true);
    // The frames left br1's patch port and arrived on br2's: both ends saw at least most of the 200 kB.
    const bytes = (p: PortView | undefined) => Math.max(p!.rates!.txBytesPerSec, p!.rates!.rxBytesPerSec) * p!.rates!.intervalSec;
    expect(bytes(ends[0])).toBeGreaterThan(150_000);
    expect(bytes(ends[1])).toBeGreaterThan(150_000);
    expect(u).toBeGreaterThan(0);
    expect(u).toBeCloseTo(Math.max(portUtilisation(ends[0])!, portUtilisation(ends[1])!), 9);
    // Patch ports report no speed: they count as the default link speed.
    if (ends[0]!.currSpeed === 0) expect(u).toBeCloseTo((Math.max(ends[0]!.rates!.txBytesPerSec, ends[0]!.rates!.rxBytesPerSec, ends[1]!.rates!.txBytesPerSec, ends[1]!.rates!.rxBytesPerSec) * 8) / (DEFAULT_LINK_KBPS * 1000), 9);
  }, 60_000);
});
