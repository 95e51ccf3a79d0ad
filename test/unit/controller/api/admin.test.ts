// The admin routes against a scripted switch on a real socket: 404 for an
// unknown switch, 504 when the switch does not answer in time, PUT port as a
// PORT_MOD answered after its BARRIER, and roles: a slave's changes refused
// with 409 before anything is sent, the set-up it owed done on becoming
// master, a stale generation refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createController, type RunningController } from "../../../../controller/app.js";
import type { OfMessage } from "../../../../src/openflow/messages.js";
import { FakeSwitch } from "../../../helpers/fake-switch.js";
import { injectJson, type Method } from "../../../helpers/http.js";
import { waitFor } from "../../../helpers/wait.js";

const S1 = "0000000000000011";
let ctl: RunningController;
const sw = new FakeSwitch(0x11n, [1, 2]);
const call = (method: Method, url: string, payload?: unknown) => injectJson(ctl.http, method, url, payload);
const sentSince = (from: number, type: OfMessage["type"]) => sw.received.slice(from).filter((m) => m.type === type);
const FLOW = { priority: 5, match: { inPort: 1 }, instructions: [{ type: "applyActions", actions: [{ type: "output", port: 2 }] }] };

describe("admin routes with a scripted switch", () => {
  beforeAll(async () => {
    ctl = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, requestTimeoutMs: 300, ovsdb: "unix:/nonexistent/fmo2/db.sock" });
    await sw.connect(ctl.openflowPort);
    await waitFor(async () => (await call("GET", "/v1/switches")).body.switches.length === 1, { what: "the switch" });
  });

  afterAll(async () => {
    sw.close();
    await ctl.close();
  });

  it("answers 404 for a switch that is not connected, on every read", async () => {
    for (const what of ["groups", "meters", "tables", "queues", "ports", "flows"]) {
      const r = await call("GET", `/v1/switches/00000000000000ff/${what}`);
      expect(r.status, what).toBe(404);
      expect(r.body.message).toMatch(/switch 00000000000000ff is not connected/);
    }
  });

  it("answers 504 when the switch does not answer in time", async () => {
    sw.ignoreMultipart.add("groupDesc");
    try {
      const r = await call("GET", `/v1/switches/${S1}/groups`);
      expect(r.status).toBe(504);
      expect(r.body).toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/did not answer .* within 300 ms/) });
    } finally {
      sw.ignoreMultipart.delete("groupDesc");
    }
  });

  it("reads ports with their counters (no rates on a switch's first read)", async () => {
    const first = await call("GET", `/v1/switches/${S1}/ports`);
    expect(first.status).toBe(200);
    expect(first.body.ports).toHaveLength(2);
    expect(first.body.ports[0]).toMatchObject({ portNo: 1, adminDown: false, linkDown: false, noFlood: false, stats: { rxBytes: 0, durationSec: 1 }, rates: null });
  });

  it("sets a port down by PORT_MOD with the port's hw_addr, answering after the BARRIER", async () => {
    const from = sw.received.length;
    const r = await call("PUT", `/v1/switches/${S1}/ports/2`, { adminDown: true, noFlood: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ portNo: 2, noFlood: true });
    expect(sentSince(from, "portMod")).toEqual([{ type: "portMod", xid: expect.any(Number), portNo: 2, hwAddr: "02:00:00:00:11:02", config: 1, mask: 1, advertise: 0 }]);
    const types = sw.received.slice(from).map((m) => m.type);
    expect(types.indexOf("barrierRequest")).toBeGreaterThan(types.indexOf("portMod"));
  });

  it("refuses a bad port change with 400 and an unknown port with 404", async () => {
    expect((await call("PUT", `/v1/switches/${S1}/ports/2`, {})).status).toBe(400);
    const unknown = await call("PUT", `/v1/switches/${S1}/ports/2`, { adminDown: true, up: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/unknown properties: up/);
    expect((await call("PUT", `/v1/switches/${S1}/ports/0`, { adminDown: true })).status).toBe(400);
    expect((await call("PUT", `/v1/switches/${S1}/ports/9`, { adminDown: true })).status).toBe(404);
  });

  it("as slave: SET_ASYNC and ROLE_REQUEST out, then every change refused with 409 and nothing sent", async () => {
    const from = sw.received.length;
    const r = await call("POST", "/v1/role", { role: "slave" });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ role: "slave", generationId: 1, switches: [{ dpid: S1, status: "taken", role: "slave", generationId: 1 }] });
    expect(sentSince(from, "setAsync")).toHaveLength(1);
    expect(sentSince(from, "roleRequest")).toEqual([{ type: "roleRequest", xid: expect.any(Number), role: "slave", generationId: 1n }]);

    const before = sw.received.length;
    const flows = await call("POST", `/v1/switches/${S1}/flows`, { flows: [FLOW] });
    expect(flows.status).toBe(409);
    expect(flows.body.message).toMatch(/slave/);
    expect((await call("PUT", `/v1/switches/${S1}/ports/2`, { adminDown: false })).status).toBe(409);
    expect((await call("POST", "/v1/redirect", { service: "web", ip: "10.0.0.5", mac: "00:00:00:00:00:05", to: { switch: S1, port: 1 } })).status).toBe(409);
    expect(sw.received.slice(before).filter((m) => m.type === "flowMod" || m.type === "portMod" || m.type === "groupMod")).toEqual([]);
    // Reads still work.
    expect((await call("GET", `/v1/switches/${S1}/flows`)).status).toBe(200);
  });

  it("becoming master again does the set-up it owed (wipe, table-miss) and takes changes again", async () => {
    const from = sw.received.length;
    const r = await call("POST", "/v1/role", { role: "master" });
    expect(r.body.switches[0]).toMatchObject({ status: "taken", role: "master", generationId: 2, setUp: true });
    const mods = sentSince(from, "flowMod");
    expect(mods[0]).toMatchObject({ command: "delete", tableId: 0xff });
    expect(mods.some((m) => m.type === "flowMod" && m.command === "add" && m.priority === 0)).toBe(true);
    expect((await call("POST", `/v1/switches/${S1}/flows`, { flows: [FLOW] })).status).toBe(200);
  });

  it("refuses a generation that does not increase (400) and reports a stale refusal by the switch (409, role not taken)", async () => {
    const same = await call("POST", "/v1/role", { role: "master", generationId: 2 });
    expect(same.status).toBe(400);
    expect(same.body.message).toMatch(/must increase/);
    sw.maxGeneration = 100n; // another controller claimed generation 100
    const stale = await call("POST", "/v1/role", { role: "slave" });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ role: "master", generationId: 3, switches: [{ dpid: S1, status: "refused", reason: "stale" }] });
    expect(stale.body.message).toMatch(/generation 3 is stale/);
    const view = await call("GET", "/v1/role");
    expect(view.body).toMatchObject({ role: "master", switches: [{ dpid: S1, status: "refused", role: "master", reason: "stale" }] });
    // Refused: the switch is not ours to change until a claim is taken.
    expect((await call("POST", `/v1/switches/${S1}/flows`, { flows: [FLOW] })).status).toBe(409);
    expect((await call("POST", "/v1/role", { role: "master", generationId: 101 })).status).toBe(200);
    expect((await call("POST", `/v1/switches/${S1}/flows`, { flows: [FLOW] })).status).toBe(200);
  });
});
