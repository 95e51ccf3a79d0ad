// The overlay API of the running controller against real Open vSwitch: a
// tunnel posted to the API becomes a type=vxlan interface (through our OVSDB
// client) and overlay flows on the bridge (through the controller's OpenFlow
// session); deleting it removes both. The controller runs as a child process
// on ephemeral ports; bridge fmo-br0 (user-space datapath) connects to it.
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { type ControllerPorts, type ControllerProcess, startControllerProcess } from "../../../helpers/controller-process.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { addControlledBridge, sh, shOk } from "../../../helpers/shell.js";
import { type Method, requestJson } from "../../../helpers/http.js";
import { waitFor } from "../../../helpers/wait.js";

const BRIDGE = "fmo-br0";
const PORT = "fmo-vx1";
const OVERLAY_COOKIE = /cookie=0xf1e4/;

// biome-ignore lint/suspicious/noExplicitAny: JSON from the API
type Json = any;

describeWhen("overlay API of the controller on real Open vSwitch", missing([needs.root(), needs.ovs()]), () => {
  let controller: ControllerProcess | undefined;
  let ports: ControllerPorts;
  let dpid = "";
  let ws: WebSocket | undefined;
  const events: Json[] = [];

  const base = () => `http://127.0.0.1:${ports.httpPort}`;
  const api = (method: Method, path: string, body?: unknown) => requestJson(method, base() + path, body);
  const overlayFlows = async () => (await sh("ovs-ofctl", "-O", "OpenFlow13", "--no-stats", "dump-flows", BRIDGE)).split("\n").filter((l) => OVERLAY_COOKIE.test(l));

  beforeAll(async () => {
    await shOk("ovs-vsctl", "--if-exists", "del-br", BRIDGE); // leftovers of a crashed run
    controller = await startControllerProcess([], 15_000);
    ports = controller.ports;
    await addControlledBridge(BRIDGE, ports.openflowPort);
    dpid = await waitFor(async () => (await sh("ovs-vsctl", "get", "Bridge", BRIDGE, "datapath_id")).trim().replace(/"/g, "") || null, { what: "the bridge's datapath id" });
    await waitFor(async () => (await api("GET", "/v1/switches")).body.switches.some((s: Json) => s.dpid === dpid), { what: "the bridge in GET /v1/switches" });
    ws = new WebSocket(`ws://127.0.0.1:${ports.httpPort}/v1/events`);
    ws.on("message", (m) => {
      const e = JSON.parse(m.toString());
      if (String(e.type).startsWith("overlay.")) events.push(e);
    });
    await new Promise((resolve, reject) => {
      ws?.once("open", resolve);
      ws?.once("error", reject);
    });
  }, 25_000);

  afterAll(async () => {
    ws?.close();
    await controller?.stop();
    await shOk("ovs-vsctl", "--if-exists", "del-br", BRIDGE);
  }, 15_000);

  it("creates the vxlan interface through OVSDB and installs the overlay flows on the bridge", async () => {
    const req = { bridge: BRIDGE, name: PORT, site: "cloud1", remoteIp: "192.0.2.20", localIp: "192.0.2.1", key: 4321, prefixes: ["10.91.1.0/24", "10.91.0.9"] };
    const { status, body } = await api("POST", "/v1/overlay/tunnels", req);
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({ name: PORT, bridge: BRIDGE, site: "cloud1", remoteIp: "192.0.2.20", localIp: "192.0.2.1", key: 4321, dpid, state: "up", flows: 4 });
    const ofport: number = body.ofport;
    expect(ofport).toBeGreaterThan(0);

    expect((await sh("ovs-vsctl", "get", "Interface", PORT, "type")).trim()).toBe("vxlan");
    const options = (await sh("ovs-vsctl", "get", "Interface", PORT, "options")).trim();
    expect(options).toMatch(/key="?4321"?/);
    expect(options).toMatch(/remote_ip="192\.0\.2\.20"/);
    expect(options).toMatch(/local_ip="192\.0\.2\.1"/);
    expect(Number((await sh("ovs-vsctl", "get", "Interface", PORT, "ofport")).trim())).toBe(ofport);
    expect(await sh("ovs-ofctl", "-O", "OpenFlow13", "show", BRIDGE)).toContain(` ${ofport}(${PORT})`);

    const flows = await overlayFlows();
    expect(flows).toHaveLength(4);
    expect(flows.every((l) => l.includes(`cookie=${body.cookie}`) && l.includes(`actions=output:${ofport}`))).toBe(true);
    expect(flows.some((l) => /priority=224,ip,nw_dst=10\.91\.1\.0\/24 /.test(l))).toBe(true);
    expect(flows.some((l) => /priority=224,arp,arp_tpa=10\.91\.1\.0\/24 /.test(l))).toBe(true);
    expect(flows.some((l) => /priority=232,ip,nw_dst=10\.91\.0\.9 /.test(l))).toBe(true);
    expect(flows.some((l) => /priority=232,arp,arp_tpa=10\.91\.0\.9 /.test(l))).toBe(true);

    const listed = await api("GET", "/v1/overlay");
    expect(listed.status).toBe(200);
    expect(listed.body.ovsdb).toBe("unix:/var/run/openvswitch/db.sock");
    expect(listed.body.tunnels).toEqual([{ ...body, state: "up" }]);
    const viaFlows = await api("GET", `/v1/switches/${dpid}/flows`);
    expect(viaFlows.body.flows.filter((f: Json) => f.owner === "overlay")).toHaveLength(4);
    await waitFor(async () => events.some((e) => e.type === "overlay.tunnel.up" && e.tunnel.name === PORT && e.tunnel.ofport === ofport), { what: "the overlay.tunnel.up event" });
  }, 20_000);

  it("refuses bad input (400), an unknown bridge (404) and a second tunnel of the same name (409) without changing OVS", async () => {
    const portsBefore = await sh("ovs-vsctl", "list-ports", BRIDGE);
    const flowsBefore = await overlayFlows();
    const bad = await api("POST", "/v1/overlay/tunnels", { bridge: BRIDGE, name: "fmo-vx2", site: "edge2", remoteIp: "192.0.2.300", key: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/remoteIp '192\.0\.2\.300' is not an IPv4 address/);
    const bigKey = await api("POST", "/v1/overlay/tunnels", { bridge: BRIDGE, name: "fmo-vx2", site: "edge2", remoteIp: "192.0.2.30", key: 16777216 });
    expect(bigKey.status).toBe(400);
    const noBridge = await api("POST", "/v1/overlay/tunnels", { bridge: "fmo-nobr", name: "fmo-vx2", site: "edge2", remoteIp: "192.0.2.30", key: 1 });
    expect(noBridge.status).toBe(404);
    expect(noBridge.body.message).toMatch(/no bridge named fmo-nobr/);
    const again = await api("POST", "/v1/overlay/tunnels", { bridge: BRIDGE, name: PORT, site: "edge2", remoteIp: "192.0.2.30", key: 1 });
    expect(again.status).toBe(409);
    expect(await shOk("ovs-vsctl", "get", "Interface", "fmo-vx2", "type")).toBe(false);
    expect(await sh("ovs-vsctl", "list-ports", BRIDGE)).toBe(portsBefore);
    expect(await overlayFlows()).toEqual(flowsBefore);
  }, 15_000);

  it("puts the overlay flows back after the switch reconnects and the controller wiped its table", async () => {
    await sh("ovs-ofctl", "-O", "OpenFlow13", "add-flow", BRIDGE, "cookie=0x5eed,priority=7,ip,nw_dst=10.91.9.9,actions=drop");
    await sh("ovs-vsctl", "del-controller", BRIDGE);
    await sh("ovs-vsctl", "set-controller", BRIDGE, `tcp:127.0.0.1:${ports.openflowPort}`);
    // The marker flow disappears only when the controller has wiped the table on reconnect.
    await waitFor(async () => {
      const dump = await sh("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", BRIDGE);
      return !dump.includes("cookie=0x5eed") && dump.split("\n").filter((l) => OVERLAY_COOKIE.test(l)).length === 4;
    }, { what: "the wipe and the overlay flows again" });
  }, 15_000);

  it("deletes the tunnel: its flows and its interface are gone", async () => {
    const { status, body } = await api("DELETE", `/v1/overlay/tunnels/${PORT}`);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ name: PORT, state: "removed" });
    expect(await overlayFlows()).toEqual([]);
    expect(await shOk("ovs-vsctl", "get", "Interface", PORT, "type")).toBe(false);
    expect(await sh("ovs-vsctl", "list-ports", BRIDGE)).not.toContain(PORT);
    expect(await sh("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", BRIDGE)).toMatch(/priority=0 actions=CONTROLLER/);
    expect((await api("GET", "/v1/overlay")).body.tunnels).toEqual([]);
    expect((await api("DELETE", `/v1/overlay/tunnels/${PORT}`)).status).toBe(404);
    await waitFor(async () => events.some((e) => e.type === "overlay.tunnel.down" && e.tunnel.name === PORT), { what: "the overlay.tunnel.down event" });
  }, 15_000);
});
