// The overlay's flow book: a cookie of its own per tunnel, two FLOW_MODs per
// prefix into the tunnel port, removal by exactly that cookie, and after a
// reconnect only the flows of tunnels on that switch's bridge.
import { describe, expect, it } from "vitest";
import { cookieOwner } from "../../../../controller/openflow/cookies.js";
import { TunnelFlowBook } from "../../../../controller/overlay/tunnel-flows.js";
import type { Tunnel } from "../../../../controller/overlay/tunnels.js";

const tunnel = (portName: string, ofport: number, bridge = "br0"): Tunnel => ({ bridge, remoteSite: portName, portName, ofport, remoteIp: "192.0.2.2", key: 1 });

describe("TunnelFlowBook", () => {
  it("gives each tunnel its own overlay cookie and two flows per prefix into its port", () => {
    const book = new TunnelFlowBook();
    const a = book.allocate("00000000000000a1", ["10.1.0.0/24", "10.0.0.7"]);
    const b = book.allocate("00000000000000a1", []);
    expect(a.cookie).not.toBe(b.cookie);
    expect([cookieOwner(a.cookie), cookieOwner(b.cookie)]).toEqual(["overlay", "overlay"]);
    const mods = book.installMods(tunnel("vx-a", 5), a);
    expect(mods).toHaveLength(4);
    expect(mods.every((m) => m.command === "add" && m.cookie === a.cookie)).toBe(true);
    expect(book.installMods(tunnel("vx-b", 6), b)).toEqual([]);
    expect(book.removeMods(a)).toEqual([{ type: "flowMod", xid: 0, command: "delete", cookie: a.cookie, cookieMask: 0xffff_ffff_ffff_ffffn, tableId: 0xff }]);
  });

  it("owes a reconnected switch the flows of recorded tunnels on its datapath only", () => {
    const book = new TunnelFlowBook();
    const here = tunnel("vx-here", 5);
    const there = tunnel("vx-there", 6, "br1");
    const unrecorded = tunnel("vx-new", 7);
    book.record(here.portName, book.allocate("00000000000000a1", ["10.1.0.0/24"]));
    book.record(there.portName, book.allocate("00000000000000b2", ["10.2.0.0/24"]));
    book.allocate("00000000000000a1", ["10.3.0.0/24"]); // never confirmed: not owed

    const owed = book.onSwitchReady("00000000000000a1", [here, there, unrecorded]);
    expect(owed).toHaveLength(2);
    expect(owed.every((m) => m.cookie === book.of("vx-here")?.cookie)).toBe(true);
    book.forget(here.portName);
    expect(book.onSwitchReady("00000000000000a1", [here, there, unrecorded])).toEqual([]);
  });
});
