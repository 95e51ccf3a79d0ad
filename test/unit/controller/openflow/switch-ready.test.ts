// The one place that puts rules back on a switch after its set-up: every
// handler's mods in handler order, one BARRIER, the events only once the
// switch answered it, and nothing at all when nothing is owed.
import { describe, expect, it } from "vitest";
import { type FlowTarget, type ReadyEvent, SwitchRestorer, type SwitchReadyMods } from "../../../../controller/openflow/switch-ready.js";
import type { FlowMod, GroupMod, OfMessage } from "../../../../src/openflow/messages.js";

class RecordingSwitch implements FlowTarget {
  readonly sent: OfMessage[] = [];
  failBarrier = false;
  send(msg: OfMessage): number {
    this.sent.push(msg);
    return this.sent.length;
  }
  async barrier(): Promise<void> {
    this.sent.push({ type: "barrierRequest", xid: 0 });
    if (this.failBarrier) throw new Error("disconnected");
  }
}

const flow = (cookie: bigint): FlowMod => ({ type: "flowMod", xid: 0, command: "add", cookie });
const group: GroupMod = { type: "groupMod", xid: 0, command: "add", groupType: "select", groupId: 7, buckets: [] };
const handler = (mods: SwitchReadyMods) => ({ onSwitchReady: (_dpid: string) => mods });

function setUp(handlers: Array<{ onSwitchReady(dpid: string): SwitchReadyMods }>) {
  const sw = new RecordingSwitch();
  const events: ReadyEvent[] = [];
  const logs: string[] = [];
  const restorer = new SwitchRestorer({ switches: { get: (dpid) => (dpid === "a1" ? sw : undefined) }, emit: (e) => events.push(e), log: (_l, m) => logs.push(m) }, handlers);
  return { sw, events, logs, restorer };
}

describe("SwitchRestorer", () => {
  it("sends every handler's mods in order, then one BARRIER, then their events", async () => {
    const { sw, events, restorer } = setUp([
      handler({ mods: [], confirmed: [] }),
      handler({ mods: [group, flow(1n)], confirmed: [{ type: "redirect.reinstalled", redirectId: 1 }] }),
      handler({ mods: [flow(2n)], confirmed: [] }),
    ]);
    const done = restorer.switchReady("a1");
    expect(events).toEqual([]); // not before the switch answered
    expect(await done).toBe(true);
    expect(sw.sent.map((m) => (m.type === "flowMod" ? `flow ${m.cookie}` : m.type))).toEqual(["groupMod", "flow 1", "flow 2", "barrierRequest"]);
    expect(events).toEqual([{ type: "redirect.reinstalled", redirectId: 1 }]);
    // The handlers' own objects are not renumbered by sending.
    expect(group.xid).toBe(0);
  });

  it("sends nothing, not even a BARRIER, when no handler owes the switch anything or it is gone", async () => {
    const { sw, restorer } = setUp([handler({ mods: [], confirmed: [{ type: "never" }] })]);
    expect(await restorer.switchReady("a1")).toBe(false);
    expect(await restorer.send("ff", [{ mods: [flow(1n)], confirmed: [] }])).toBe(false);
    expect(sw.sent).toEqual([]);
  });

  it("logs and reports nothing when the switch does not confirm", async () => {
    const { sw, events, logs, restorer } = setUp([handler({ mods: [flow(1n)], confirmed: [{ type: "redirect.reinstalled" }] })]);
    sw.failBarrier = true;
    expect(await restorer.switchReady("a1")).toBe(false);
    expect(events).toEqual([]);
    expect(logs).toEqual(["switch a1: putting back 1 rule(s) after set-up failed: disconnected"]);
  });
});
