// POST /v1/switches/:dpid/flows on real Open vSwitch 3.1: flows go as one ONF bundle (controller/openflow/
// flow-bundle.ts), so a batch lands whole or not at all. Bridge fmb-br0 (user-space datapath, OpenFlow 1.3).
// The cases OVS itself would get wrong without our BARRIER before the COMMIT: a flow refused when added
// (goto_table backwards) leaves OVS's bundle open, and a bare commit would install the others.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ControllerProcess, startControllerProcess } from "../../../helpers/controller-process.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { type Json, requestJson } from "../../../helpers/http.js";
import { addControlledBridge, sh, shOk } from "../../../helpers/shell.js";
import { waitFor } from "../../../helpers/wait.js";

const BRIDGE = "fmb-br0";
const of13 = (...args: string[]) => sh("ovs-ofctl", "-O", "OpenFlow13", ...args);

describeWhen("flow install as one ONF bundle on real Open vSwitch", missing([needs.root(), needs.ovs()]), () => {
  let ctl: ControllerProcess | undefined;
  let dpid = "";
  const post = (flows: Json[]) => requestJson("POST", `http://127.0.0.1:${ctl?.ports.httpPort}/v1/switches/${dpid}/flows`, { flows }, 60_000);
  /** Flows of one test (each uses its own second octet), as OVS counts them. */
  const count = async (octet: number) => Number(/flow_count=(\d+)/.exec(await of13("dump-aggregate", BRIDGE, `ip,nw_dst=10.${octet}.0.0/16`))?.[1]);
  const flows = (octet: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      priority: 100,
      match: { ethType: 0x0800, ipv4Dst: `10.${octet}.${i >> 8}.${i & 0xff}` },
      instructions: [{ type: "applyActions", actions: [{ type: "output", port: 0xfffffffe }] }],
    }));

  beforeAll(async () => {
    await shOk("ovs-vsctl", "--if-exists", "del-br", BRIDGE); // leftovers of a crashed run
    ctl = await startControllerProcess([], 20_000);
    await addControlledBridge(BRIDGE, ctl.ports.openflowPort);
    dpid = await waitFor(async () => (await sh("ovs-vsctl", "get", "Bridge", BRIDGE, "datapath_id")).trim().replace(/"/g, "") || null, { what: "the bridge's datapath id" });
    const api = `http://127.0.0.1:${ctl.ports.httpPort}`;
    await waitFor(async () => (await requestJson("GET", `${api}/v1/switches`)).body.switches.some((s: Json) => s.dpid === dpid), { what: "the bridge in GET /v1/switches" });
    await waitFor(async () => /priority=0 actions=CONTROLLER/.test(await of13("dump-flows", BRIDGE)), { what: "the table-miss rule" });
  }, 40_000);

  afterAll(async () => {
    await ctl?.stop();
    await shOk("ovs-vsctl", "--if-exists", "del-br", BRIDGE);
  }, 20_000);

  it("installs a batch larger than one 64 KiB chunk, all of it", async () => {
    const r = await post(flows(1, 3000));
    expect(r.status).toBe(200);
    expect(r.body.installed).toBe(3000);
    expect(await count(1)).toBe(3000);
  });

  it("installs none when OVS refuses one flow at commit (output to a missing group), and names it", async () => {
    const batch = flows(2, 3);
    batch[1]!.instructions = [{ type: "applyActions", actions: [{ type: "group", groupId: 99 } as never] }];
    const r = await post(batch);
    expect(r.status).toBe(502);
    expect(r.body.message).toContain("flows[1]");
    expect(r.body).toMatchObject({ errType: 2, errCode: 9 }); // BAD_ACTION / BAD_OUT_GROUP
    expect(await count(2)).toBe(0);
  });

  it("installs none when OVS refuses one flow as it is added (goto_table 0 from table 0), though OVS keeps its bundle open", async () => {
    const batch = flows(3, 3000);
    batch[2999]!.instructions = [{ type: "gotoTable", tableId: 0 } as never];
    const r = await post(batch);
    expect(r.status).toBe(502);
    expect(r.body.message).toContain("flows[2999]");
    expect(await count(3)).toBe(0);
  });

  it("answers 400 for a flow it cannot encode after earlier chunks went out, and installs none", async () => {
    const batch: Json[] = flows(4, 3000);
    batch[2999].match.ipv4Dst = "10.4.999.1";
    const r = await post(batch);
    expect(r.status).toBe(400);
    expect(r.body.message).toContain("flows[2999]");
    // The discarded bundle never applies: a later batch on the same connection installs only its own flows.
    expect((await post(flows(5, 2))).status).toBe(200);
    expect(await count(4)).toBe(0);
    expect(await count(5)).toBe(2);
  });
});
