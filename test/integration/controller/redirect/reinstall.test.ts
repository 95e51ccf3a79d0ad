// An active redirect holds across a switch reconnect, on real Open vSwitch:
// bridge fmr-br0 (user-space datapath) connects to the controller, a service
// is redirected to its port 1, then the bridge's controller is removed and set
// again (a new OpenFlow session). The controller wipes the table on set-up, so
// the redirect's flows must come back from the controller itself.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createController, type RunningController } from "../../../../controller/app.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { addControlledBridge, sh, shOk } from "../../../helpers/shell.js";
import { injectJson, type Method } from "../../../helpers/http.js";
import { waitFor } from "../../../helpers/wait.js";

const BRIDGE = "fmr-br0";
const HOST_PORT = "fmr-p1";
const SERVICE = { service: "fmr-web", ip: "10.77.0.100", mac: "02:00:00:77:00:64" };

// biome-ignore lint/suspicious/noExplicitAny: JSON from the API and the event stream
type Json = any;

const dumpFlows = () => sh("ovs-ofctl", "-O", "OpenFlow13", "--no-stats", "dump-flows", BRIDGE);

describeWhen("redirects across a switch reconnect on real Open vSwitch", missing([needs.root(), needs.ovs()]), () => {
  let ctl: RunningController | undefined;
  let dpid = "";
  const events: Json[] = [];

  const api = (method: Method, url: string, payload?: unknown) => injectJson((ctl as RunningController).http, method, url, payload);
  const redirectFlows = async (cookie: string) => (await dumpFlows()).split("\n").filter((l) => l.includes(`cookie=${cookie},`));

  beforeAll(async () => {
    await shOk("ovs-vsctl", "--if-exists", "del-br", BRIDGE); // leftovers of a crashed run
    ctl = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, lldpIntervalMs: 500 });
    ctl.events.subscribe((e) => events.push(e));
    await addControlledBridge(BRIDGE, ctl.openflowPort, ["--", "add-port", BRIDGE, HOST_PORT, "--", "set", "Interface", HOST_PORT, "type=internal", "ofport_request=1"]);
    dpid = await waitFor(async () => (await sh("ovs-vsctl", "get", "Bridge", BRIDGE, "datapath_id")).trim().replace(/"/g, "") || null, { what: "the bridge's datapath id" });
    await waitFor(async () => {
      const sw = (await api("GET", "/v1/switches")).body.switches.find((s: Json) => s.dpid === dpid);
      return sw && (await api("GET", `/v1/switches/${dpid}/ports`)).body.ports.some((p: Json) => p.portNo === 1);
    }, { what: "the bridge with its port 1 in GET /v1/switches" });
  }, 30_000);

  afterAll(async () => {
    await ctl?.close();
    await shOk("ovs-vsctl", "--if-exists", "del-br", BRIDGE);
  }, 15_000);

  it("puts an active redirect's flows back after del-controller / set-controller, and not a rolled-back one", async () => {
    const web = await api("POST", "/v1/redirect", { ...SERVICE, to: { switch: dpid, port: 1 } });
    expect(web.status, JSON.stringify(web.body)).toBe(200);
    const cookie: string = web.body.redirects[0].cookie;
    const gone = await api("POST", "/v1/redirect", { service: "fmr-old", ip: "10.77.0.101", mac: "02:00:00:77:00:65", to: { switch: dpid, port: 1 } });
    expect(gone.status).toBe(200);
    const goneCookie: string = gone.body.redirects[0].cookie;
    expect(await redirectFlows(goneCookie)).toHaveLength(2);
    expect((await api("POST", `/v1/redirects/${gone.body.redirects[0].id}/rollback`)).status).toBe(200);
    expect(await redirectFlows(goneCookie)).toEqual([]);
    const before = await redirectFlows(cookie);
    expect(before).toHaveLength(2);

    // A marker flow of nobody's: it disappears only when the controller wiped the table on the new session.
    await sh("ovs-ofctl", "-O", "OpenFlow13", "add-flow", BRIDGE, "cookie=0x5eed,priority=7,ip,nw_dst=10.77.9.9,actions=drop");
    await sh("ovs-vsctl", "del-controller", BRIDGE);
    await waitFor(async () => !(await api("GET", "/v1/switches")).body.switches.some((s: Json) => s.dpid === dpid), { what: "the switch to leave the controller" });
    await sh("ovs-vsctl", "set-controller", BRIDGE, `tcp:127.0.0.1:${(ctl as RunningController).openflowPort}`);
    await waitFor(async () => {
      const dump = await dumpFlows();
      return !dump.includes("cookie=0x5eed") && (await redirectFlows(cookie)).length === 2;
    }, { what: "the wipe and the redirect's flows again" });
    await waitFor(async () => events.some((e) => e.type === "redirect.reinstalled" && e.dpid === dpid), { what: "the redirect.reinstalled event" });

    const after = await redirectFlows(cookie);
    expect(after.some((l) => /priority=200,ip,nw_dst=10\.77\.0\.100 actions=output:1$/.test(l.trim()))).toBe(true);
    expect(after.some((l) => /priority=200,dl_dst=02:00:00:77:00:64 actions=output:1$/.test(l.trim()))).toBe(true);
    expect(await redirectFlows(goneCookie)).toEqual([]);
    expect(await dumpFlows()).not.toContain("nw_dst=10.77.0.101");
    expect(events.filter((e) => e.type === "redirect.reinstalled")).toEqual([
      expect.objectContaining({ dpid, redirectId: web.body.redirects[0].id, service: SERVICE.service, cookie, flowMods: 2 }),
    ]);
  }, 30_000);
});
