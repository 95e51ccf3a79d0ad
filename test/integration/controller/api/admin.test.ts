// The admin routes and controller roles on real Open vSwitch. Two controller
// children (A started master, B slave) share bridge fmo2-br0 (user-space
// datapath, OpenFlow 1.3, internal port fmo2-p1). A group and a meter put on
// with ovs-ofctl read back like dump-groups / dump-meters show them; a port
// goes down and up by PUT; tables, queues and port rates answer; then the
// roles: OVS's own view of them, a slave's change refused, B taking over
// (with the set-up it owed), and a stale generation refused.
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../../../helpers/cli.js";
import { type ControllerProcess, startControllerProcess } from "../../../helpers/controller-process.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { type Json, type Method, requestJson } from "../../../helpers/http.js";
import { sh, shOk } from "../../../helpers/shell.js";
import { waitFor } from "../../../helpers/wait.js";

const BRIDGE = "fmo2-br0";
const PORT = "fmo2-p1";
const of13 = (...args: string[]) => sh("ovs-ofctl", "-O", "OpenFlow13", ...args);

describeWhen("admin routes and roles of the controller on real Open vSwitch", missing([needs.root(), needs.ovs()]), () => {
  let a: ControllerProcess | undefined;
  let b: ControllerProcess | undefined;
  let dpid = "";
  let ofport = 0;

  const api = (c: ControllerProcess | undefined, method: Method, path: string, body?: unknown) => requestJson(method, `http://127.0.0.1:${c?.ports.httpPort}${path}`, body);
  /** Waits until OVSDB shows `want` (ovs-vswitchd writes the controllers' status columns a little later). */
  const ovsRolesBecome = async (want: Record<string, string>) => {
    const same = (x: Record<string, string>) => JSON.stringify(Object.entries(x).sort());
    await waitFor(async () => same(await ovsRoles()) === same(want), { timeoutMs: 15_000, intervalMs: 200, what: () => `OVSDB roles ${JSON.stringify(want)}` }).catch(() => {});
    expect(await ovsRoles()).toEqual(want);
  };
  /** OVS's own view: role by controller target, for this bridge's controllers only. */
  const ovsRoles = async (): Promise<Record<string, string>> => {
    const uuids = (await sh("ovs-vsctl", "get", "Bridge", BRIDGE, "controller")).replace(/[[\],]/g, " ").trim().split(/\s+/);
    const out: Record<string, string> = {};
    for (const u of uuids) out[(await sh("ovs-vsctl", "get", "Controller", u, "target")).trim().replace(/"/g, "")] = (await sh("ovs-vsctl", "get", "Controller", u, "role")).trim();
    return out;
  };
  const target = (c: ControllerProcess | undefined) => `tcp:127.0.0.1:${c?.ports.openflowPort}`;
  const flow = { priority: 77, cookie: "0x77", match: { inPort: 1 }, instructions: [{ type: "applyActions", actions: [{ type: "output", port: 0xfffffffe }] }] };

  beforeAll(async () => {
    await shOk("ovs-vsctl", "--if-exists", "del-br", BRIDGE); // leftovers of a crashed run
    [a, b] = await Promise.all([startControllerProcess(["--role", "master"], 20_000), startControllerProcess(["--role", "slave"], 20_000)]);
    await sh(
      "ovs-vsctl",
      ...["add-br", BRIDGE, "--", "set", "Bridge", BRIDGE, "datapath_type=netdev", "protocols=OpenFlow13", "fail-mode=secure"],
      ...["--", "add-port", BRIDGE, PORT, "--", "set", "Interface", PORT, "type=internal"],
      ...["--", "set-controller", BRIDGE, target(a), target(b)],
    );
    dpid = await waitFor(async () => (await sh("ovs-vsctl", "get", "Bridge", BRIDGE, "datapath_id")).trim().replace(/"/g, "") || null, { what: "the bridge's datapath id" });
    ofport = await waitFor(async () => Number((await sh("ovs-vsctl", "get", "Interface", PORT, "ofport")).trim()) || null, { what: "the port's ofport" });
    for (const c of [a, b]) await waitFor(async () => (await api(c, "GET", "/v1/switches")).body.switches.some((s: Json) => s.dpid === dpid), { what: "the bridge in GET /v1/switches" });
    // A's set-up (wipe, table-miss) is done once its table-miss rule is there.
    await waitFor(async () => /priority=0 actions=CONTROLLER/.test(await of13("dump-flows", BRIDGE)), { what: "A's table-miss rule" });
  }, 40_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await shOk("ovs-vsctl", "--if-exists", "del-br", BRIDGE);
  }, 20_000);

  it("reads back a group and a meter as ovs-ofctl dumps them", async () => {
    await of13("add-group", BRIDGE, `group_id=5,type=select,bucket=weight:3,actions=output:${ofport},bucket=weight:1,actions=output:LOCAL`);
    await of13("add-meter", BRIDGE, "meter=7,kbps,burst,stats,band=type=drop,rate=1000,burst_size=100");
    const dumpGroups = await of13("dump-groups", BRIDGE);
    expect(dumpGroups).toMatch(/group_id=5,type=select/);
    const groups = await api(b, "GET", `/v1/switches/${dpid}/groups`);
    expect(groups.status).toBe(200);
    expect(groups.body.groups).toHaveLength((dumpGroups.match(/group_id=/g) ?? []).length);
    const g = groups.body.groups[0];
    expect(g).toMatchObject({ groupId: 5, type: "select", refCount: 0 });
    expect(g.buckets.map((x: Json) => [x.weight, x.actions])).toEqual([
      [3, [{ type: "output", port: ofport, maxLen: 0 }]],
      [1, [{ type: "output", port: 0xfffffffe, maxLen: 0 }]],
    ]);
    // ovs-ofctl leaves out a weight of 1 (the default).
    const dumpedWeights = dumpGroups.split("bucket=").slice(1).map((bucket) => Number(/^weight:(\d+)/.exec(bucket)?.[1] ?? 1));
    expect(dumpedWeights).toEqual([3, 1]);

    const dumpMeters = await of13("dump-meters", BRIDGE);
    expect(dumpMeters).toMatch(/meter=7 kbps burst stats/);
    expect(dumpMeters).toMatch(/type=drop rate=1000 burst_size=100/);
    const meters = await api(a, "GET", `/v1/switches/${dpid}/meters`);
    expect(meters.status).toBe(200);
    expect(meters.body.meters).toEqual([
      { meterId: 7, flags: ["kbps", "burst", "stats"], flowCount: 0, packetInCount: 0, byteInCount: 0, durationSec: expect.any(Number), bands: [{ type: "drop", rate: 1000, burstSize: 100, packetCount: 0, byteCount: 0 }] },
    ]);

    const cli = await runCli(["groups", "--controller", `http://127.0.0.1:${a?.ports.httpPort}`, "--switch", dpid]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`${dpid}\\s+5\\s+select\\s+w3:output:${ofport} \\| w1:output:LOCAL`));
    const cliMeters = await runCli(["meters", "--controller", `http://127.0.0.1:${a?.ports.httpPort}`]);
    expect(cliMeters.stdout).toMatch(/7\s+kbps,burst,stats\s+drop:rate=1000,burst=100/);
  }, 30_000);

  it("sets a port down and up again by PUT: ovs-ofctl show and PORT_DESC agree", async () => {
    const down = await api(a, "PUT", `/v1/switches/${dpid}/ports/${ofport}`, { adminDown: true });
    expect(down.status, JSON.stringify(down.body)).toBe(200);
    expect(down.body).toMatchObject({ portNo: ofport, name: PORT, adminDown: true, up: false });
    const portShow = async () => {
      const show = await of13("show", BRIDGE);
      const at = show.indexOf(`${ofport}(${PORT})`);
      return show.slice(at, show.indexOf("\n", show.indexOf("config:", at)));
    };
    expect(await portShow()).toMatch(/config:\s+PORT_DOWN/);
    const listed = await api(b, "GET", `/v1/switches/${dpid}/ports`);
    expect(listed.body.ports.find((p: Json) => p.portNo === ofport)).toMatchObject({ adminDown: true });

    const up = await api(a, "PUT", `/v1/switches/${dpid}/ports/${ofport}`, { adminDown: false });
    expect(up.body).toMatchObject({ portNo: ofport, adminDown: false });
    expect(await portShow()).toMatch(/config:\s+0/);
  }, 20_000);

  it("answers tables, queues and port counters with rates over the previous read", async () => {
    const tables = await api(a, "GET", `/v1/switches/${dpid}/tables`);
    expect(tables.status).toBe(200);
    expect(tables.body.tables).toHaveLength(254);
    expect(tables.body.tables[0]).toMatchObject({ tableId: 0, activeCount: expect.any(Number), maxEntries: expect.any(Number) });
    expect(tables.body.tables[0].activeCount).toBeGreaterThanOrEqual(1);
    expect(tables.body.tables[0].nextTables[0]).toBe(1);
    const queues = await api(a, "GET", `/v1/switches/${dpid}/queues`);
    expect(queues.status).toBe(200);
    expect(queues.body).toEqual({ dpid, queues: [] });

    await api(a, "GET", `/v1/switches/${dpid}/ports`);
    await new Promise((r) => setTimeout(r, 1100));
    const second = await api(a, "GET", `/v1/switches/${dpid}/ports`);
    const port = second.body.ports.find((p: Json) => p.portNo === ofport);
    expect(port.stats).toMatchObject({ rxPackets: expect.any(Number), txBytes: expect.any(Number) });
    expect(port.rates).toMatchObject({ rxBytesPerSec: expect.any(Number), txPacketsPerSec: expect.any(Number) });
    expect(port.rates.intervalSec).toBeGreaterThan(0);
    const cli = await runCli(["ports", "--controller", `http://127.0.0.1:${a?.ports.httpPort}`, "--switch", dpid]);
    expect(cli.stdout).toMatch(new RegExp(`${dpid}\\s+${ofport}\\s+${PORT}\\s+up`));
    const cliTables = await runCli(["tables", "--controller", `http://127.0.0.1:${a?.ports.httpPort}`, "--switch", dpid]);
    expect(cliTables.stdout).toMatch(new RegExp(`${dpid}\\s+0\\s`));
  }, 20_000);

  it("roles: OVS holds A master and B slave; A's flow reads through B; B's change is refused with 409", async () => {
    await ovsRolesBecome({ [target(a)]: "master", [target(b)]: "slave" });
    expect((await api(a, "GET", "/v1/role")).body).toMatchObject({ role: "master", switches: [{ dpid, status: "taken", role: "master" }] });
    expect((await api(b, "GET", "/v1/role")).body).toMatchObject({ role: "slave", switches: [{ dpid, status: "taken", role: "slave" }] });

    expect((await api(a, "POST", `/v1/switches/${dpid}/flows`, { flows: [flow] })).status).toBe(200);
    const seen = await api(b, "GET", `/v1/switches/${dpid}/flows`);
    expect(seen.body.flows.some((f: Json) => f.cookie === "0x77" && f.priority === 77)).toBe(true);
    const refused = await api(b, "POST", `/v1/switches/${dpid}/flows`, { flows: [{ ...flow, cookie: "0x78" }] });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/slave/);
    expect((await api(b, "PUT", `/v1/switches/${dpid}/ports/${ofport}`, { adminDown: true })).status).toBe(409);
    expect(await of13("dump-flows", BRIDGE)).not.toContain("cookie=0x78");
  }, 20_000);

  it("B becomes master: OVS holds B master and A slave, B did its set-up, A's changes are refused", async () => {
    const taken = await api(b, "POST", "/v1/role", { role: "master" });
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    expect(taken.body.switches).toEqual([{ dpid, status: "taken", role: "master", generationId: 2, setUp: true }]);
    await ovsRolesBecome({ [target(a)]: "slave", [target(b)]: "master" });
    // The set-up B owed wiped the table (A's flow with it) and put its table-miss rule back.
    const dump = await of13("dump-flows", BRIDGE);
    expect(dump).not.toContain("cookie=0x77");
    expect(dump).toMatch(/priority=0 actions=CONTROLLER/);
    // OVS told A (ONF role status): A knows it is slave there and refuses changes itself.
    await waitFor(async () => (await api(a, "GET", "/v1/role")).body.switches[0]?.role === "slave", { what: "A to learn it is slave" });
    expect((await api(a, "POST", `/v1/switches/${dpid}/flows`, { flows: [flow] })).status).toBe(409);
    expect((await api(b, "POST", `/v1/switches/${dpid}/flows`, { flows: [flow] })).status).toBe(200);
  }, 20_000);

  it("a stale generation is refused: the role is not taken and OVS keeps B master", async () => {
    expect((await api(b, "POST", "/v1/role", { role: "master", generationId: 50 })).status).toBe(200);
    const stale = await api(a, "POST", "/v1/role", { role: "master" });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ switches: [{ dpid, status: "refused", reason: "stale" }] });
    expect(stale.body.message).toMatch(/stale/);
    await ovsRolesBecome({ [target(a)]: "slave", [target(b)]: "master" });
    expect((await api(a, "POST", `/v1/switches/${dpid}/flows`, { flows: [flow] })).status).toBe(409);
  }, 20_000);
});
