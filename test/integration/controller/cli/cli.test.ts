// The network CLI commands against the real controller with real OVS
// switches: `topology` shows two netdev bridges and the link between them,
// `flows` shows the controller's table-miss rule and overlay flows installed
// through the API, `dns set` changes what `dig` gets from the controller.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createController, type RunningController } from "../../../../controller/app.js";
import { command as dnsCommand } from "../../../../controller/cli/dns.js";
import { command as flowsCommand } from "../../../../controller/cli/flows.js";
import { command as topologyCommand } from "../../../../controller/cli/topology.js";
import { addBridge, addPort, deleteBridge } from "../../../../controller/ovsdb/bridge.js";
import { OvsdbClient } from "../../../../controller/ovsdb/client.js";
import { planSiteFlows } from "../../../../controller/overlay/plan.js";
import { toFlowMod } from "../../../../controller/overlay/flow-mod.js";
import { describeWhen, hasCommand, missing, needs } from "../../../helpers/env.js";
import { requestJson } from "../../../helpers/http.js";
import { waitFor } from "../../../helpers/wait.js";
import { captureStdout } from "../../../helpers/stdout.js";

const exec = promisify(execFile);
const BRIDGES = ["fmn-bc1", "fmn-bc2"];
const LINK = ["fmn-c1", "fmn-c2"];

async function capture(run: () => Promise<number>): Promise<string> {
  const { code, out } = await captureStdout(run);
  expect(code).toBe(0);
  return out;
}

describeWhen(
  "network CLI against the real controller and OVS",
  missing([needs.root(), needs.ovs(), [() => hasCommand("dig", ["-v"]), "dig is not installed"]]),
  () => {
    let ovsdb: OvsdbClient;
    let ctl: RunningController;
    let base: string;
    const dpids: string[] = [];

    async function cleanUp(): Promise<void> {
      for (const br of BRIDGES) await deleteBridge(ovsdb, br);
      await exec("ip", ["link", "del", LINK[0]!]).catch(() => undefined);
    }

    beforeAll(async () => {
      ovsdb = await OvsdbClient.connect();
      await cleanUp();
      ctl = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, lldpIntervalMs: 200 });
      base = `http://127.0.0.1:${ctl.httpPort}`;
      await exec("ip", ["link", "add", LINK[0]!, "type", "veth", "peer", "name", LINK[1]!]);
      for (const [i, br] of BRIDGES.entries()) {
        await addBridge(ovsdb, br, { datapathType: "netdev", failMode: "secure", controller: `tcp:127.0.0.1:${ctl.openflowPort}` });
        await exec("ip", ["link", "set", LINK[i]!, "up"]);
        await addPort(ovsdb, br, LINK[i]!);
        const row = (await ovsdb.listBridges()).find((b) => b.name === br);
        dpids.push(row!.datapathId!);
      }
      // Both switches connected and LLDP has found the veth between them.
      await waitFor(
        async () => {
          const t = (await requestJson<{ switches: string[]; links: unknown[] }>("GET", `${base}/v1/topology`)).body;
          return t.switches.length === 2 && t.links.length === 1;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: "two switches and one link in /v1/topology" },
      );
    });

    afterAll(async () => {
      await ctl?.close();
      if (ovsdb) {
        await cleanUp();
        ovsdb.close();
      }
    });

    it("topology lists both bridges and the link between them", async () => {
      const out = await capture(() => topologyCommand.run(["--controller", base]));
      expect(out).toContain("Switches (2)");
      for (const d of dpids) expect(out).toMatch(new RegExp(`^${d}\\s+\\d+\\s+\\d+\\s+127\\.0\\.0\\.1:\\d+$`, "m"));
      expect(out).toMatch(/Links \(1\)\nFROM\s+TO\n[0-9a-f]{16}:\d+\s+[0-9a-f]{16}:\d+\n/);
      const json = JSON.parse(await capture(() => topologyCommand.run(["--controller", base, "--json"])));
      expect(json.topology.switches.sort()).toEqual([...dpids].sort());
    });

    it("flows shows the table-miss rule and overlay flows installed through the API", async () => {
      const flows = planSiteFlows({ localHosts: [{ ip: "10.79.0.1", port: 1 }], remote: [{ prefix: "10.79.1.0/24", tunnelPort: 1 }] }).map((f) => {
        const m = toFlowMod(f);
        return { priority: m.priority, cookie: `0x${m.cookie!.toString(16)}`, match: m.match, instructions: m.instructions };
      });
      const res = await requestJson("POST", `${base}/v1/switches/${dpids[0]}/flows`, { flows });
      expect(res.status).toBe(200);
      const out = await capture(() => flowsCommand.run(["--controller", base, "--switch", dpids[0]!]));
      expect(out).toMatch(/^SWITCH\s+TABLE\s+PRIORITY\s+OWNER\s+MATCH\s+ACTIONS/);
      expect(out).toMatch(new RegExp(`^${dpids[0]}\\s+0\\s+0\\s+table-miss\\s+\\*\\s+output:CONTROLLER`, "m"));
      expect(out).toMatch(new RegExp(`^${dpids[0]}\\s+0\\s+224\\s+overlay\\s+ethType=0x0800,ipv4Dst=10\\.79\\.1\\.0/255\\.255\\.255\\.0\\s+output:1\\s`, "m"));
      expect(out).toMatch(/\s+300\s+overlay\s+ethType=0x0806,arpTpa=10\.79\.0\.1\s+output:1\s/);
      const all = await capture(() => flowsCommand.run(["--controller", base]));
      for (const d of dpids) expect(all).toContain(`${d}  0`);
    });

    it("dns set changes what dig gets from the controller's DNS server at once", async () => {
      const dig = async () => (await exec("dig", ["@127.0.0.1", "-p", String(ctl.dnsPort), "+short", "+tries=1", "+time=2", "cam.svc.fleximigrate.local", "A"], { timeout: 10_000 })).stdout.trim();
      expect(await dig()).toBe("");
      await capture(() => dnsCommand.run(["set", "cam", "10.79.0.7", "--controller", base]));
      expect(await dig()).toBe("10.79.0.7");
      expect(await capture(() => dnsCommand.run(["--controller", base]))).toMatch(/cam\.svc\.fleximigrate\.local\s+10\.79\.0\.7\s+5\s/);
      await capture(() => dnsCommand.run(["delete", "cam", "--controller", base]));
      expect(await dig()).toBe("");
    });
  },
);
