// The overlay API against a fake OVS boundary and a fake switch session:
// created tunnels get their flows and a BARRIER, bad input answers 400,
// unknown things 404, clashes 409, OVSDB out of reach 503, and none of those
// changes anything. Then the real app wiring with an OVSDB that is not there.
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { FlowMod, OfMessage } from "../../../../src/openflow/messages.js";
import type { ControllerEvent } from "../../../../controller/api/events.js";
import { overlayRoutes } from "../../../../controller/api/overlay.js";
import { createController } from "../../../../controller/app.js";
import { cookieOwner } from "../../../../controller/openflow/cookies.js";
import { type InterfaceStatus, type OverlayBackend, OverlayUnavailableError } from "../../../../controller/overlay/backend.js";
import type { ConnectSite } from "../../../../controller/overlay/manager.js";
import { type Tunnel, TunnelTable } from "../../../../controller/overlay/tunnels.js";
import { installErrorHandling } from "../../../../src/http/error-handler.js";
import { type FlowTarget, SwitchRestorer } from "../../../../controller/openflow/switch-ready.js";
import { OverlayService } from "../../../../controller/overlay/service.js";

const DPID = "00000000000000a1";

class FakeBackend implements OverlayBackend {
  readonly target = "unix:/fake/db.sock";
  available = true;
  readonly bridges = new Map<string, string | null>([
    ["br0", DPID],
    ["br-off", "00000000000000ff"],
  ]);
  readonly ifaces = new Map<string, InterfaceStatus>();
  readonly table = new TunnelTable();
  readonly changes: string[] = [];
  private nextOfport = 7;

  async ready(): Promise<void> {
    if (!this.available) throw new OverlayUnavailableError(`OVSDB at ${this.target} cannot be reached (ENOENT)`);
  }
  async bridge(name: string) {
    await this.ready();
    return this.bridges.has(name) ? { name, datapathId: this.bridges.get(name) ?? null } : null;
  }
  async interfaces(names: string[]) {
    await this.ready();
    return new Map([...this.ifaces].filter(([n]) => names.includes(n)));
  }
  async connect(req: ConnectSite): Promise<Tunnel> {
    await this.ready();
    const name = req.portName as string;
    this.changes.push(`add ${name}`);
    const t: Tunnel = { bridge: req.bridge, remoteSite: req.remoteSite, portName: name, ofport: this.nextOfport++, remoteIp: req.remoteIp, key: req.key };
    if (req.localIp) t.localIp = req.localIp;
    this.table.add(t);
    this.ifaces.set(name, { type: "vxlan", ofport: t.ofport, error: null });
    return t;
  }
  async disconnect(bridge: string, site: string): Promise<boolean> {
    await this.ready();
    const t = this.table.remove(bridge, site);
    if (!t) return false;
    this.changes.push(`del ${t.portName}`);
    this.ifaces.delete(t.portName);
    return true;
  }
  tunnels(): Tunnel[] {
    return this.table.list();
  }
  adopt(tunnels: Tunnel[]): void {
    for (const t of tunnels) this.table.add(t);
  }
  close(): void {}
}

class FakeSwitch implements FlowTarget {
  sent: OfMessage[] = [];
  barriers = 0;
  failBarrier = false;
  send(msg: OfMessage): number {
    this.sent.push(msg);
    return 1;
  }
  async barrier(): Promise<void> {
    this.barriers++;
    if (this.failBarrier) throw new Error("switch 00000000000000a1 disconnected");
  }
}

const flowMods = (sw: FakeSwitch) => sw.sent.filter((m): m is FlowMod => m.type === "flowMod");
const outPort = (f: FlowMod) => {
  const ins = f.instructions?.[0];
  const a = ins?.type === "applyActions" ? ins.actions[0] : undefined;
  return a?.type === "output" ? a.port : undefined;
};

const good = { bridge: "br0", site: "cloud1", remoteIp: "192.0.2.20", key: 4242, prefixes: ["10.1.0.0/24", "10.0.0.100"] };

describe("overlay API plugin", () => {
  let app: FastifyInstance;
  let backend: FakeBackend;
  let sw: FakeSwitch;
  let events: ControllerEvent[];
  let switchReady: ((dpid: string) => void) | undefined;

  beforeEach(async () => {
    backend = new FakeBackend();
    sw = new FakeSwitch();
    events = [];
    // Same Ajv settings as the controller: unknown properties are an error, no coercion.
    app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allowUnionTypes: true } } });
    installErrorHandling(app);
    const switches = { get: (dpid: string) => (dpid === DPID ? sw : undefined) };
    const overlay = new OverlayService({ backend, switches });
    // The controller's one sender of what a reconnected switch must hold again.
    const restorer = new SwitchRestorer({ switches, emit: (e) => events.push(e) }, [overlay]);
    switchReady = (dpid) => void restorer.switchReady(dpid);
    await app.register(overlayRoutes, { overlay, emit: (e) => events.push(e) });
    await app.ready();
  });

  async function call(method: "GET" | "POST" | "DELETE", url: string, payload?: unknown) {
    const r = await app.inject({ method, url, payload: payload as object });
    return { status: r.statusCode, body: r.json() };
  }

  it("creates a tunnel, installs its flows with a barrier, lists it and reports the event", async () => {
    const { status, body } = await call("POST", "/v1/overlay/tunnels", { ...good, localIp: "192.0.2.1" });
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: "vx-cloud1", bridge: "br0", site: "cloud1", ofport: 7, remoteIp: "192.0.2.20", localIp: "192.0.2.1", key: 4242, dpid: DPID, state: "up", flows: 4 });
    expect(body.prefixes).toEqual(["10.1.0.0/24", "10.0.0.100"]);

    const mods = flowMods(sw);
    expect(mods).toHaveLength(4);
    expect(mods.every((m) => m.command === "add" && outPort(m) === 7 && cookieOwner(m.cookie as bigint) === "overlay")).toBe(true);
    expect(mods.map((m) => `0x${(m.cookie as bigint).toString(16)}`)).toEqual(Array(4).fill(body.cookie));
    // The migrated /32 outranks its home subnet.
    expect(mods.find((m) => m.match?.ipv4Dst === "10.0.0.100")?.priority).toBe(232);
    expect(mods.find((m) => m.match?.ipv4Dst === "10.1.0.0")?.priority).toBe(224);
    expect(mods.find((m) => m.match?.arpTpa === "10.1.0.0")?.match?.arpTpaMask).toBe("255.255.255.0");
    expect(sw.barriers).toBe(1);
    expect(events).toEqual([{ type: "overlay.tunnel.up", tunnel: body }]);

    const listed = await call("GET", "/v1/overlay");
    expect(listed.status).toBe(200);
    expect(listed.body.ovsdb).toBe(backend.target);
    expect(listed.body.tunnels).toEqual([body]);

    backend.ifaces.set("vx-cloud1", { type: "vxlan", ofport: -1, error: "could not open network device" });
    const broken = await call("GET", "/v1/overlay");
    expect(broken.body.tunnels[0]).toMatchObject({ state: "error", error: "could not open network device" });
    backend.ifaces.delete("vx-cloud1");
    expect((await call("GET", "/v1/overlay")).body.tunnels[0].state).toBe("missing");
  });

  it("answers 400 with a message for bad input and changes nothing", async () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...good, remoteIp: "192.0.2.300" }, /remoteIp '192\.0\.2\.300' is not an IPv4 address/],
      [{ ...good, remoteIp: "flow" }, /remoteIp/],
      [{ ...good, localIp: "::1" }, /localIp '::1' is not an IPv4 address/],
      [{ ...good, key: 2 ** 24 }, /key/],
      [{ ...good, key: -1 }, /key/],
      [{ ...good, key: "7" }, /key/],
      [{ ...good, prefixes: ["10.1.0.1/24"] }, /prefixes\[0\]: '10\.1\.0\.1\/24' is not an IPv4 CIDR block/],
      [{ ...good, prefixes: ["nope"] }, /prefixes\[0\]/],
      [{ ...good, name: "much-too-long-port-name" }, /name/],
      [{ ...good, bridge: "br 0" }, /bridge/],
      [{ ...good, tunnel: "x" }, /additional properties|tunnel/],
      [{ bridge: "br0", remoteIp: "192.0.2.20", key: 1 }, /site/],
    ];
    for (const [payload, message] of bad) {
      const { status, body } = await call("POST", "/v1/overlay/tunnels", payload);
      expect(status, JSON.stringify(payload)).toBe(400);
      expect(body.message).toMatch(message);
    }
    expect(backend.changes).toEqual([]);
    expect(sw.sent).toEqual([]);
    expect(events).toEqual([]);
    expect((await call("GET", "/v1/overlay")).body.tunnels).toEqual([]);
  });

  it("answers 404 for an unknown bridge or tunnel and 409 for clashes, changing nothing", async () => {
    const noBridge = await call("POST", "/v1/overlay/tunnels", { ...good, bridge: "br9" });
    expect(noBridge).toMatchObject({ status: 404, body: { message: `OVSDB (${backend.target}) has no bridge named br9` } });
    expect((await call("DELETE", "/v1/overlay/tunnels/vx-none")).status).toBe(404);

    // The bridge's switch is not connected, so its flows could not go in: refuse before making the port.
    const offline = await call("POST", "/v1/overlay/tunnels", { ...good, bridge: "br-off" });
    expect(offline.status).toBe(409);
    expect(offline.body.message).toMatch(/switch of bridge br-off .* is not connected/);
    backend.ifaces.set("vx-taken", { type: "internal", ofport: 3, error: null });
    const taken = await call("POST", "/v1/overlay/tunnels", { ...good, name: "vx-taken" });
    expect(taken).toMatchObject({ status: 409, body: { message: "OVS already has an interface named vx-taken" } });
    expect(backend.changes).toEqual([]);
    expect(sw.sent).toEqual([]);

    expect((await call("POST", "/v1/overlay/tunnels", good)).status).toBe(201);
    const sentBefore = sw.sent.length;
    const sameName = await call("POST", "/v1/overlay/tunnels", { ...good, bridge: "br-off", site: "other", name: "vx-cloud1" });
    expect(sameName).toMatchObject({ status: 409, body: { message: "a tunnel named vx-cloud1 already exists" } });
    const sameSite = await call("POST", "/v1/overlay/tunnels", { ...good, name: "vx-2" });
    expect(sameSite.status).toBe(409);
    expect(sameSite.body.message).toMatch(/already has tunnel vx-cloud1 to site cloud1/);
    expect(backend.changes).toEqual(["add vx-cloud1"]);
    expect(sw.sent.length).toBe(sentBefore);
  });

  it("allows a tunnel without prefixes on a bridge whose switch is not connected (no flows)", async () => {
    const { status, body } = await call("POST", "/v1/overlay/tunnels", { bridge: "br-off", site: "edge2", remoteIp: "192.0.2.30", key: 0 });
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: "vx-edge2", flows: 0, prefixes: [], key: 0 });
    expect(sw.sent).toEqual([]);
  });

  it("answers 503 with a clear message while OVSDB cannot be reached, and changes nothing", async () => {
    expect((await call("POST", "/v1/overlay/tunnels", good)).status).toBe(201);
    backend.available = false;
    const sentBefore = sw.sent.length;
    for (const [method, url, payload] of [
      ["GET", "/v1/overlay"],
      ["POST", "/v1/overlay/tunnels", { ...good, site: "cloud2" }],
      ["DELETE", "/v1/overlay/tunnels/vx-cloud1"],
    ] as const) {
      const { status, body } = await call(method, url, payload);
      expect(status, `${method} ${url}`).toBe(503);
      expect(body.message).toMatch(/OVSDB at unix:\/fake\/db\.sock cannot be reached/);
    }
    // Bad input is still a 400: it is checked before OVSDB is needed.
    expect((await call("POST", "/v1/overlay/tunnels", { ...good, remoteIp: "x" })).status).toBe(400);
    expect(backend.changes).toEqual(["add vx-cloud1"]);
    expect(sw.sent.length).toBe(sentBefore);
    backend.available = true;
    expect((await call("GET", "/v1/overlay")).body.tunnels.map((t: { name: string }) => t.name)).toEqual(["vx-cloud1"]);
  });

  it("deletes exactly the tunnel's flows, then its port, and reports the event", async () => {
    const created = (await call("POST", "/v1/overlay/tunnels", good)).body;
    const other = (await call("POST", "/v1/overlay/tunnels", { ...good, site: "cloud2", prefixes: ["10.2.0.0/16"] })).body;
    expect(other.cookie).not.toBe(created.cookie);
    sw.sent = [];
    events = [];

    const { status, body } = await call("DELETE", "/v1/overlay/tunnels/vx-cloud1");
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: "vx-cloud1", state: "removed", ofport: created.ofport });
    expect(flowMods(sw)).toEqual([{ type: "flowMod", xid: 0, command: "delete", cookie: BigInt(created.cookie), cookieMask: 0xffff_ffff_ffff_ffffn, tableId: 0xff }]);
    expect(backend.changes).toEqual(["add vx-cloud1", "add vx-cloud2", "del vx-cloud1"]);
    expect(events).toEqual([{ type: "overlay.tunnel.down", tunnel: body }]);
    expect((await call("GET", "/v1/overlay")).body.tunnels.map((t: { name: string }) => t.name)).toEqual(["vx-cloud2"]);
    expect((await call("DELETE", "/v1/overlay/tunnels/vx-cloud1")).status).toBe(404);
  });

  it("removes the port again when the switch does not confirm the flows", async () => {
    sw.failBarrier = true;
    const { status, body } = await call("POST", "/v1/overlay/tunnels", good);
    expect(status).toBe(502);
    expect(body.message).toMatch(/installing the flows of vx-cloud1 .* failed .*removed again/);
    // The switch refused its barrier for the undo too: the answer says what was and was not undone.
    expect(body.undone).toEqual({ port: true, flows: false });
    expect(flowMods(sw).filter((m) => m.command === "delete")).toHaveLength(1);
    expect(backend.changes).toEqual(["add vx-cloud1", "del vx-cloud1"]);
    expect(backend.tunnels()).toEqual([]);
    expect(events).toEqual([]);
  });

  it("puts a tunnel's flows back when its switch reconnects (the controller wipes it)", async () => {
    await call("POST", "/v1/overlay/tunnels", good);
    sw.sent = [];
    switchReady?.("00000000000000ff");
    expect(sw.sent).toEqual([]);
    switchReady?.(DPID);
    await new Promise((r) => setImmediate(r));
    expect(flowMods(sw).map((m) => [m.command, outPort(m)])).toEqual([
      ["add", 7],
      ["add", 7],
      ["add", 7],
      ["add", 7],
    ]);
    expect(sw.barriers).toBe(2);
  });
});

describe("overlay API in the controller without Open vSwitch", () => {
  const started = createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, ovsdb: "unix:/nonexistent/fmo/db.sock" });
  afterAll(async () => (await started).close());

  it("starts, answers 503 naming the OVSDB endpoint, 400 for bad input, and documents the routes", async () => {
    const ctl = await started;
    const list = await ctl.http.inject({ method: "GET", url: "/v1/overlay" });
    expect(list.statusCode).toBe(503);
    expect(list.json().message).toMatch(/OVSDB at unix:\/nonexistent\/fmo\/db\.sock cannot be reached/);
    const post = await ctl.http.inject({ method: "POST", url: "/v1/overlay/tunnels", payload: good });
    expect(post.statusCode).toBe(503);
    const bad = await ctl.http.inject({ method: "POST", url: "/v1/overlay/tunnels", payload: { ...good, key: 1 << 24 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/key/);
    expect((await ctl.http.inject({ method: "DELETE", url: "/v1/overlay/tunnels/vx-x" })).statusCode).toBe(404);
    const doc = (await ctl.http.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/overlay", "/v1/overlay/tunnels", "/v1/overlay/tunnels/{name}"]));
  });
});
