// The handshake as a pure state machine: each switch message in, the messages
// to send out, through hello -> features -> ports -> barrier -> ready, and
// the ways it fails (no common version, a refused set-up request).
import { describe, expect, it } from "vitest";
import { formatDpid, Handshake, setUpMessages } from "../../../../controller/openflow/handshake.js";
import type { OfMessage, PortDesc } from "../../../../src/openflow/messages.js";

function port(portNo: number, state = 0): PortDesc {
  return { portNo, hwAddr: "02:00:00:00:00:01", name: `p${portNo}`, config: 0, state, curr: 0, advertised: 0, supported: 0, peer: 0, currSpeed: 0, maxSpeed: 0 };
}

function counter(): () => number {
  let x = 0;
  return () => ++x;
}

const features = (xid: number): OfMessage => ({ type: "featuresReply", xid, datapathId: 0xa1n, nBuffers: 0, nTables: 254, auxiliaryId: 0, capabilities: 0 });

/** Runs a handshake up to the BARRIER it sends; answers that request's xid. */
function throughPorts(h: Handshake): number {
  h.start();
  const featuresXid = (h.receive({ type: "hello", xid: 9, versions: [1, 4] }).send[0] as OfMessage).xid;
  const setUp = h.receive(features(featuresXid)).send;
  const ask = setUp.at(-1) as OfMessage;
  h.receive({ type: "multipartReply", xid: ask.xid, flags: 1, body: { kind: "portDesc", ports: [port(1)] } });
  const barrier = h.receive({ type: "multipartReply", xid: ask.xid, flags: 0, body: { kind: "portDesc", ports: [port(2)] } }).send;
  expect(barrier.map((m) => m.type)).toEqual(["barrierRequest"]);
  return (barrier[0] as OfMessage).xid;
}

describe("OpenFlow handshake", () => {
  it("sends HELLO, then FEATURES_REQUEST, then the set-up and PORT_DESC, then a BARRIER, and is ready on its reply", () => {
    const h = new Handshake(counter());
    expect(h.start()).toEqual([{ type: "hello", xid: 1, versions: [4] }]);
    expect(h.phase).toBe("hello");

    const asked = h.receive({ type: "hello", xid: 77, versions: [1, 4] });
    expect(asked).toEqual({ send: [{ type: "featuresRequest", xid: 2 }], consumed: true });
    expect(h.phase).toBe("features");

    const setUp = h.receive(features(2));
    expect(setUp.send.map((m) => m.type)).toEqual(["flowMod", "groupMod", "setConfig", "flowMod", "multipartRequest"]);
    expect(setUp.send.slice(0, 4)).toEqual(setUpMessages().map((m, i) => ({ ...m, xid: 3 + i })));
    expect(setUp.send[4]).toEqual({ type: "multipartRequest", xid: 7, body: { kind: "portDesc" } });
    expect(h.phase).toBe("ports");

    // REPLY_MORE: the ports come in two parts, the BARRIER only after the last.
    expect(h.receive({ type: "multipartReply", xid: 7, flags: 1, body: { kind: "portDesc", ports: [port(1)] } }).send).toEqual([]);
    expect(h.phase).toBe("ports");
    const barrier = h.receive({ type: "multipartReply", xid: 7, flags: 0, body: { kind: "portDesc", ports: [port(2)] } });
    expect(barrier.send).toEqual([{ type: "barrierRequest", xid: 8 }]);
    expect(h.phase).toBe("barrier");

    const done = h.receive({ type: "barrierReply", xid: 8 });
    expect(done.ready).toMatchObject({ dpid: "00000000000000a1", features: features(2), ports: [port(1), port(2)] });
    expect(done.ready?.role).toMatchObject({ role: "equal", mayChange: true, owesSetUp: false });
    expect(done.send).toEqual([]);
    expect(h.phase).toBe("ready");
  });

  it("wipes flows and groups and installs the table-miss rule to the controller in its set-up", () => {
    const [wipe, groups, config, miss] = setUpMessages();
    expect(wipe).toMatchObject({ type: "flowMod", command: "delete", tableId: 0xff });
    expect(groups).toMatchObject({ type: "groupMod", command: "delete", groupId: 0xfffffffc });
    expect(config).toMatchObject({ type: "setConfig", missSendLen: 0xffff });
    expect(miss).toMatchObject({ type: "flowMod", command: "add", priority: 0, cookie: 0xf1e0_0000_0000_0000n, match: {} });
    expect(miss?.type === "flowMod" && miss.instructions).toEqual([{ type: "applyActions", actions: [{ type: "output", port: 0xfffffffd, maxLen: 0xffff }] }]);
  });

  it("answers a HELLO without OpenFlow 1.3 with HELLO_FAILED/INCOMPATIBLE and closes", () => {
    const h = new Handshake(counter());
    h.start();
    const step = h.receive({ type: "hello", xid: 5, version: 1, versions: [1, 2] });
    expect(step.close).toBe("no common OpenFlow version");
    expect(step.send).toEqual([{ type: "error", xid: 5, errType: 0, code: 0, data: Buffer.from("OpenFlow 1.3 only") }]);
    expect(h.phase).toBe("failed");
  });

  it("fails when the switch refuses a handshake request", () => {
    const h = new Handshake(counter());
    h.start();
    h.receive({ type: "hello", xid: 1, versions: [4] });
    const step = h.receive({ type: "error", xid: 2, errType: 1, code: 1, data: Buffer.alloc(0) });
    expect(step.close).toMatch(/refused the features step: OpenFlow error type 1 code 1/);
    expect(h.phase).toBe("failed");
  });

  it("leaves messages that are not its own to the shell", () => {
    const h = new Handshake(counter());
    h.start();
    h.receive({ type: "hello", xid: 1, versions: [4] });
    expect(h.receive({ type: "barrierReply", xid: 999 })).toEqual({ send: [], consumed: false });
    expect(h.receive({ type: "error", xid: 999, errType: 1, code: 1, data: Buffer.alloc(0) }).consumed).toBe(false);
    expect(h.receive({ type: "featuresReply", xid: 999, datapathId: 1n, nBuffers: 0, nTables: 1, auxiliaryId: 0, capabilities: 0 }).consumed).toBe(false);
    expect(h.phase).toBe("features");
  });

  it("keeps a port change that arrives after the ports were read", () => {
    const h = new Handshake(counter());
    const barrierXid = throughPorts(h);
    h.receive({ type: "portStatus", xid: 0, reason: 1, port: port(1) });
    h.receive({ type: "portStatus", xid: 0, reason: 0, port: port(3) });
    const done = h.receive({ type: "barrierReply", xid: barrierXid });
    expect(done.ready?.ports.map((p) => p.portNo)).toEqual([2, 3]);
  });

  it("prints datapath ids as sixteen hex digits", () => {
    expect(formatDpid(1n)).toBe("0000000000000001");
    expect(formatDpid(0xfedcba9876543210n)).toBe("fedcba9876543210");
  });
});
