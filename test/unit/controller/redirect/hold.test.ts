// Held redirects against a fake switch registry: frames kept in order within
// bounds while the port is down, sent there first when it comes up, then the
// last hop pointed at the port; dropped on rollback or when held too long.
import { afterEach, describe, expect, it, vi } from "vitest";
import { redirectCookie } from "../../../../controller/openflow/cookies.js";
import { HeldRedirects, portIsDown } from "../../../../controller/redirect/hold.js";
import type { RedirectRecord } from "../../../../src/api-types/controller.js";
import type { OfMessage, PacketIn, PortDesc } from "../../../../src/openflow/messages.js";

const svc = { ip: "10.77.0.9", mac: "02:00:0a:4d:00:09" };
const DPID = "00000000000000b2";
const PORT = 7;

function port(up: boolean): PortDesc {
  return { portNo: PORT, hwAddr: "00:00:00:00:00:07", name: "fmx-w9", config: up ? 0 : 1, state: up ? 4 : 1, curr: 0, advertised: 0, supported: 0, peer: 0, currSpeed: 0, maxSpeed: 0 };
}

function world(opts: { up?: boolean; limits?: ConstructorParameters<typeof HeldRedirects>[0]["limits"] } = {}) {
  const sent: OfMessage[] = [];
  const events: Array<Record<string, unknown>> = [];
  const conn = { ports: new Map([[PORT, port(opts.up ?? false)]]), send: (m: OfMessage) => void sent.push(m) };
  const holds = new HeldRedirects({ registry: { get: (d: string) => (d === DPID ? (conn as never) : undefined) }, emit: (e) => void events.push(e), limits: opts.limits });
  const record = { id: 9, service: "t-9", ip: svc.ip, mac: svc.mac, to: { dpid: DPID, port: PORT } } as RedirectRecord;
  const cookie = redirectCookie(9);
  const frame = (n: number): PacketIn => ({ type: "packetIn", xid: 0, bufferId: 0xffffffff, totalLen: 60, reason: 1, tableId: 0, cookie, match: {}, data: Buffer.alloc(60, n) });
  return { sent, events, conn, holds, record, cookie, frame };
}

afterEach(() => vi.useRealTimers());

describe("held redirects", () => {
  it("keeps the frames while the port is down, then sends them there in order and points the last hop at the port", () => {
    const w = world();
    w.holds.begin(w.record, w.cookie, svc);
    expect(w.holds.holdingAt(9)).toBe(DPID);
    expect(w.holds.packetIn(DPID, w.frame(1))).toBe(true);
    expect(w.holds.packetIn(DPID, w.frame(2))).toBe(true);
    expect(w.holds.packetIn(DPID, { ...w.frame(3), cookie: redirectCookie(10) })).toBe(false); // another's: the forwarder's
    expect(w.sent).toEqual([]);
    expect(w.record.hold).toEqual({ state: "holding", packets: 2, bytes: 120, dropped: 0 });

    w.conn.ports.set(PORT, port(true));
    w.holds.portUp(DPID, PORT);
    const outs = w.sent.filter((m) => m.type === "packetOut");
    expect(outs.map((m) => (m.type === "packetOut" ? [m.data?.[0], JSON.stringify(m.actions)] : []))).toEqual([
      [1, JSON.stringify([{ type: "output", port: PORT }])],
      [2, JSON.stringify([{ type: "output", port: PORT }])],
    ]);
    const mods = w.sent.filter((m) => m.type === "flowMod");
    expect(w.sent.indexOf(mods[0]!)).toBeGreaterThan(w.sent.indexOf(outs[1]!)); // held frames first
    expect(mods.map((m) => (m.type === "flowMod" ? JSON.stringify(m.instructions) : ""))).toEqual(Array(2).fill(JSON.stringify([{ type: "applyActions", actions: [{ type: "output", port: PORT }] }])));
    expect(w.record.hold).toMatchObject({ state: "released", packets: 2, dropped: 0 });
    expect(w.events[0]).toMatchObject({ type: "redirect.released", redirectId: 9, why: "port up", packets: 2 });
    expect(w.holds.holdingAt(9)).toBeUndefined();

    // A frame the old rule sent up meanwhile goes straight on.
    w.sent.length = 0;
    expect(w.holds.packetIn(DPID, w.frame(4))).toBe(true);
    expect(w.sent.map((m) => m.type)).toEqual(["packetOut"]);
  });

  it("is bounded: frames past maxPackets or maxBytes are dropped and counted", () => {
    const w = world({ limits: { maxPackets: 2, maxBytes: 1000 } });
    w.holds.begin(w.record, w.cookie, svc);
    for (let i = 0; i < 5; i++) w.holds.packetIn(DPID, w.frame(i));
    expect(w.record.hold).toEqual({ state: "holding", packets: 2, bytes: 120, dropped: 3 });
  });

  it("a rollback drops what it held and sends nothing", () => {
    const w = world();
    w.holds.begin(w.record, w.cookie, svc);
    w.holds.packetIn(DPID, w.frame(1));
    w.holds.end(9);
    w.holds.portUp(DPID, PORT);
    expect(w.sent).toEqual([]);
    expect(w.record.hold).toMatchObject({ state: "dropped", packets: 1, dropped: 1 });
    expect(w.holds.packetIn(DPID, w.frame(2))).toBe(false);
  });

  it("held too long: the frames are dropped and the last hop points at the port anyway", () => {
    vi.useFakeTimers();
    const w = world({ limits: { maxHoldMs: 1000 } });
    w.holds.begin(w.record, w.cookie, svc);
    w.holds.packetIn(DPID, w.frame(1));
    vi.advanceTimersByTime(1001);
    expect(w.sent.map((m) => m.type)).toEqual(["flowMod", "flowMod"]);
    expect(w.record.hold).toMatchObject({ state: "dropped", packets: 1, dropped: 1 });
    expect(w.events[0]).toMatchObject({ why: "held too long" });
  });

  it("a port up already when the hold begins releases it at once", () => {
    const w = world({ up: true });
    w.holds.begin(w.record, w.cookie, svc);
    expect(w.record.hold?.state).toBe("released");
    expect(w.sent.map((m) => m.type)).toEqual(["flowMod", "flowMod"]);
  });

  it("a released redirect forwards its late frames for a while only; older entries go as new ones come", () => {
    vi.useFakeTimers();
    const w = world({ up: true });
    w.holds.begin(w.record, w.cookie, svc); // released at once: its port is up
    expect(w.holds.packetIn(DPID, w.frame(1))).toBe(true);
    vi.advanceTimersByTime(11_000);
    const other = { ...w.record, id: 10 } as RedirectRecord;
    w.holds.begin(other, redirectCookie(10), svc);
    expect(w.holds.packetIn(DPID, w.frame(2))).toBe(false); // redirect 9's entry expired and was dropped
    expect(w.holds.packetIn(DPID, { ...w.frame(3), cookie: redirectCookie(10) })).toBe(true);
  });

  it("portIsDown: admin down, no link, or unknown", () => {
    expect(portIsDown(port(false))).toBe(true);
    expect(portIsDown(port(true))).toBe(false);
    expect(portIsDown({ ...port(true), state: 1 })).toBe(true);
    expect(portIsDown(undefined)).toBe(true);
  });
});
