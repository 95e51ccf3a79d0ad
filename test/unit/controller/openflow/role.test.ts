// Controller roles as pure state: generation ids that only increase, what a
// switch's answer (ROLE_REPLY, a stale refusal, IS_SLAVE) does to its view of
// us, when the set-up is owed, which messages a slave may not send; and the
// handshake asking for the role before its set-up.
import { describe, expect, it } from "vitest";
import { Handshake } from "../../../../controller/openflow/handshake.js";
import { ASYNC_CONFIG, changesSwitch, RoleState, roleStatusOf, SwitchRole } from "../../../../controller/openflow/role.js";
import type { OfMessage } from "../../../../src/openflow/messages.js";

const STALE: OfMessage = { type: "error", xid: 5, errType: 11, code: 0, data: Buffer.alloc(0) };
const reply = (role: "master" | "slave" | "equal", generationId: bigint): OfMessage & { type: "roleReply" } => ({ type: "roleReply", xid: 5, role, generationId });

describe("RoleState: the controller's claim and generation counter", () => {
  it("gives each master or slave claim a larger generation id; equal reuses the last one", () => {
    const s = new RoleState();
    expect(s.role).toBe("equal");
    expect(s.askForNewSwitch()).toBeUndefined();
    expect(s.claim("master")).toEqual({ role: "master", generationId: 1n });
    expect(s.claim("slave")).toEqual({ role: "slave", generationId: 2n });
    expect(s.askForNewSwitch()).toEqual({ role: "slave", generationId: 2n });
    expect(s.claim("equal")).toEqual({ role: "equal", generationId: 2n });
    expect(s.claim("master")).toEqual({ role: "master", generationId: 3n });
  });

  it("takes an explicit generation only when it increases, and none for equal", () => {
    const s = new RoleState();
    expect(s.claim("master", 50n)).toEqual({ role: "master", generationId: 50n });
    expect(s.claim("slave", 50n)).toEqual({ error: expect.stringMatching(/must increase: 50 is not above the last one used, 50/) });
    expect(s.role).toBe("master");
    expect(s.claim("slave")).toEqual({ role: "slave", generationId: 51n });
    expect(s.claim("equal", 60n)).toEqual({ error: expect.stringMatching(/master and slave only/) });
    s.revert("master");
    expect(s.role).toBe("master");
    expect(s.generationId).toBe(51n);
  });
});

describe("SwitchRole: one switch's view of the controller", () => {
  it("starts equal and ours to change; a slave claim stops changes at once, before the reply", () => {
    const r = new SwitchRole();
    expect(r.mayChange).toBe(true);
    r.ask({ role: "slave", generationId: 1n });
    expect(r.mayChange).toBe(false);
    const step = r.answered(reply("slave", 1n));
    expect(step).toEqual({ outcome: { status: "taken", role: "slave", generationId: 1n }, setUpDue: false });
    expect(r.mayChange).toBe(false);
    expect(r.owesSetUp).toBe(true);
  });

  it("owes the set-up after being slave and does it once when it becomes master", () => {
    const r = new SwitchRole();
    r.ask({ role: "slave", generationId: 1n });
    r.answered(reply("slave", 1n));
    r.ask({ role: "master", generationId: 2n });
    expect(r.mayChange).toBe(false); // still slave until the switch says otherwise
    expect(r.answered(reply("master", 2n)).setUpDue).toBe(true);
    expect(r.mayChange).toBe(true);
    r.ask({ role: "master", generationId: 3n });
    expect(r.answered(reply("master", 3n)).setUpDue).toBe(false);
  });

  it("equal to master with the set-up done owes nothing", () => {
    const r = new SwitchRole();
    r.ask({ role: "master", generationId: 1n });
    expect(r.answered(reply("master", 1n))).toEqual({ outcome: { status: "taken", role: "master", generationId: 1n }, setUpDue: false });
  });

  it("a stale generation is refused: the role is not taken, changes stop, the set-up is owed", () => {
    const r = new SwitchRole();
    r.ask({ role: "master", generationId: 1n });
    r.answered(reply("master", 1n));
    r.ask({ role: "master", generationId: 2n });
    const step = r.answered(STALE as OfMessage & { type: "error" });
    expect(step.outcome).toEqual({ status: "refused", reason: "stale", message: "generation 2 is stale: a controller used a larger one" });
    expect(r.role).toBe("master");
    expect(r.mayChange).toBe(false);
    expect(r.owesSetUp).toBe(true);
    // A later claim the switch takes clears the refusal and brings the set-up.
    r.ask({ role: "master", generationId: 9n });
    expect(r.answered(reply("master", 9n)).setUpDue).toBe(true);
    expect(r.refused).toBeUndefined();
  });

  it("names other refusals", () => {
    const r = new SwitchRole();
    r.ask({ role: "master", generationId: 1n });
    expect(r.answered({ type: "error", xid: 1, errType: 11, code: 1, data: Buffer.alloc(0) }).outcome).toMatchObject({ reason: "unsupported" });
    r.ask({ role: "master", generationId: 2n });
    expect(r.answered({ type: "error", xid: 1, errType: 1, code: 5, data: Buffer.alloc(0) }).outcome).toMatchObject({ reason: "error", message: "OpenFlow error type 1 code 5" });
  });

  it("is demoted to slave when the switch says another controller took over", () => {
    const r = new SwitchRole();
    r.demoted();
    expect(r.mayChange).toBe(false);
    expect(r.owesSetUp).toBe(true);
  });
});

describe("what a slave may not send (§6.3.7)", () => {
  it("flow, group, meter, port and table mods, packet-outs, table-features writes; not reads or async config", () => {
    const changes: OfMessage[] = [
      { type: "flowMod", xid: 0, command: "add" },
      { type: "groupMod", xid: 0, command: "delete", groupType: "all", groupId: 1, buckets: [] },
      { type: "meterMod", xid: 0, command: "delete", flags: 0, meterId: 1, bands: [] },
      { type: "portMod", xid: 0, portNo: 1, hwAddr: "02:00:00:00:00:01", config: 1, mask: 1, advertise: 0 },
      { type: "tableMod", xid: 0, tableId: 0, config: 0 },
      { type: "packetOut", xid: 0, actions: [] },
      { type: "multipartRequest", xid: 0, body: { kind: "tableFeatures", tables: [{ tableId: 0, name: "t", metadataMatch: 0n, metadataWrite: 0n, config: 0, maxEntries: 1, properties: [] }] } },
    ];
    const reads: OfMessage[] = [
      { type: "multipartRequest", xid: 0, body: { kind: "flow" } },
      { type: "multipartRequest", xid: 0, body: { kind: "tableFeatures", tables: [] } },
      { type: "barrierRequest", xid: 0 },
      { type: "roleRequest", xid: 0, role: "master", generationId: 1n },
      { type: "setAsync", xid: 0, ...ASYNC_CONFIG },
      { type: "echoRequest", xid: 0 },
    ];
    expect(changes.map(changesSwitch)).toEqual(changes.map(() => true));
    expect(reads.map(changesSwitch)).toEqual(reads.map(() => false));
  });

  it("asks a slave to hear port status only", () => {
    expect(ASYNC_CONFIG).toEqual({ packetInMask: [7, 0], portStatusMask: [7, 7], flowRemovedMask: [15, 0] });
  });
});

describe("the handshake with a role", () => {
  const counter = () => {
    let x = 0;
    return () => ++x;
  };
  const toFeatures = (h: Handshake) => {
    h.start();
    h.receive({ type: "hello", xid: 9, versions: [4] });
    return h.receive({ type: "featuresReply", xid: 2, datapathId: 1n, nBuffers: 0, nTables: 254, auxiliaryId: 0, capabilities: 0 });
  };

  it("as slave: SET_ASYNC and ROLE_REQUEST first, then PORT_DESC without the set-up (owed)", () => {
    const h = new Handshake(counter(), () => ({ role: "slave", generationId: 4n }));
    const first = toFeatures(h);
    expect(first.send).toEqual([
      { type: "setAsync", xid: 3, ...ASYNC_CONFIG },
      { type: "roleRequest", xid: 4, role: "slave", generationId: 4n },
    ]);
    expect(h.phase).toBe("role");
    const next = h.receive({ type: "roleReply", xid: 4, role: "slave", generationId: 4n });
    expect(next.send).toEqual([{ type: "multipartRequest", xid: 5, body: { kind: "portDesc" } }]);
    h.receive({ type: "multipartReply", xid: 5, flags: 0, body: { kind: "portDesc", ports: [] } });
    const done = h.receive({ type: "barrierReply", xid: 6 });
    expect(done.ready?.role).toMatchObject({ role: "slave", mayChange: false, owesSetUp: true });
  });

  it("as master: the set-up follows the switch's ROLE_REPLY", () => {
    const h = new Handshake(counter(), () => ({ role: "master", generationId: 1n }));
    toFeatures(h);
    const next = h.receive({ type: "roleReply", xid: 4, role: "master", generationId: 1n });
    expect(next.send.map((m) => m.type)).toEqual(["flowMod", "groupMod", "setConfig", "flowMod", "multipartRequest"]);
  });

  it("a stale refusal does not end the session: no set-up, the refusal kept", () => {
    const h = new Handshake(counter(), () => ({ role: "master", generationId: 1n }));
    toFeatures(h);
    const next = h.receive({ ...STALE, xid: 4 });
    expect(next.close).toBeUndefined();
    expect(next.send.map((m) => m.type)).toEqual(["multipartRequest"]);
  });
});

describe("ONF role status (Open vSwitch tells a 1.3 controller it was demoted)", () => {
  it("reads role and generation id from experimenter 0x4f4e4600 type 1911, nothing from other experimenters", () => {
    const data = Buffer.alloc(16);
    data.writeUInt32BE(3, 0);
    data.writeBigUInt64BE(50n, 8);
    expect(roleStatusOf({ type: "experimenter", xid: 0, experimenter: 0x4f4e4600, expType: 1911, data })).toEqual({ role: "slave", generationId: 50n });
    expect(roleStatusOf({ type: "experimenter", xid: 0, experimenter: 0x2320, expType: 1911, data })).toBeUndefined();
    expect(roleStatusOf({ type: "experimenter", xid: 0, experimenter: 0x4f4e4600, expType: 1911, data: data.subarray(0, 8) })).toBeUndefined();
  });
});
