import { describe, expect, it } from "vitest";
import { PRIORITY_REDIRECT, redirectCookie } from "../../../../controller/openflow/cookies.js";
import { pathFlows } from "../../../../controller/forwarding/path-flows.js";
import { gradualChanges, gradualWeights, redirectChanges } from "../../../../controller/redirect/plan.js";

const svc = { ip: "10.0.0.100", mac: "00:00:00:00:01:00" };

describe("path flows", () => {
  it("one (eth_src, eth_dst) rule per hop with an idle timeout, never NORMAL", () => {
    const mods = pathFlows([{ dpid: "a", outPort: 2 }, { dpid: "b", inPort: 1, outPort: 3 }], "00:00:00:00:00:01", "00:00:00:00:00:02");
    expect(mods.map((m) => m.dpid)).toEqual(["a", "b"]);
    for (const m of mods) {
      expect(m.flowMod.match).toEqual({ ethSrc: "00:00:00:00:00:01", ethDst: "00:00:00:00:00:02" });
      expect(m.flowMod.idleTimeout).toBeGreaterThan(0);
    }
    expect(JSON.stringify(mods[1]?.flowMod.instructions)).toBe(JSON.stringify([{ type: "applyActions", actions: [{ type: "output", port: 3 }] }]));
  });
});

describe("redirect plan", () => {
  it("steers the service IP and MAC toward the next hop on every switch", () => {
    const changes = redirectChanges(svc, new Map([["a", 2], ["b", 1]]), redirectCookie(7));
    expect(changes).toHaveLength(2);
    const a = changes.find((c) => c.dpid === "a");
    expect(a?.flowMods.map((f) => f.match)).toEqual([{ ethType: 0x0800, ipv4Dst: svc.ip }, { ethDst: svc.mac }]);
    expect(a?.flowMods.every((f) => f.priority === PRIORITY_REDIRECT && f.cookie === redirectCookie(7))).toBe(true);
  });

  it("held: the target's switch hands whole frames to the controller; the others forward as usual", () => {
    const changes = redirectChanges(svc, new Map([["a", 2], ["b", 6]]), redirectCookie(7), "b");
    const actions = (dpid: string) => changes.find((c) => c.dpid === dpid)!.flowMods.map((f) => JSON.stringify(f.instructions));
    expect(actions("a")).toEqual(Array(2).fill(JSON.stringify([{ type: "applyActions", actions: [{ type: "output", port: 2 }] }])));
    expect(actions("b")).toEqual(Array(2).fill(JSON.stringify([{ type: "applyActions", actions: [{ type: "output", port: 0xfffffffd, maxLen: 0xffff }] }])));
  });

  it("gradual: weighted select buckets, branch tags pushed on entry and popped at each end", () => {
    // a (old place, port 5) -- a:2 <-> b:1 -- b (new place, port 6)
    const input = {
      svc,
      old: { dpid: "a", port: 5 },
      target: { dpid: "b", port: 6 },
      oldHops: new Map([["a", 5], ["b", 1]]),
      newHops: new Map([["a", 2], ["b", 6]]),
      cookie: 1n,
      groupId: 3,
      oldVid: 10,
      newVid: 11,
      newWeight: 25,
      groupCommand: "add" as const,
    };
    const changes = gradualChanges(input, true);
    const a = changes.find((c) => c.dpid === "a");
    const group = a?.groupMods[0];
    expect(group?.groupType).toBe("select");
    expect(group?.buckets.map((b) => b.weight)).toEqual([75, 25]);
    // At the old place the old branch delivers untagged; the new branch is tagged toward b.
    expect(group?.buckets[0]?.actions).toEqual([{ type: "output", port: 5 }]);
    expect(group?.buckets[1]?.actions).toEqual([{ type: "pushVlan" }, { type: "setField", field: { vlanVid: 0x1000 | 11 } }, { type: "output", port: 2 }]);
    const b = changes.find((c) => c.dpid === "b");
    const tagged = b?.flowMods.find((f) => f.match?.vlanVid === (0x1000 | 11));
    expect(tagged?.instructions).toEqual([{ type: "applyActions", actions: [{ type: "popVlan" }, { type: "output", port: 6 }] }]);
    // Later steps change only the weights.
    expect(gradualChanges({ ...input, groupCommand: "modify", newWeight: 50 }, false).every((c) => c.flowMods.length === 0)).toBe(true);
  });

  it("gradual weights end at 100", () => {
    expect(gradualWeights(4)).toEqual([25, 50, 75, 100]);
    expect(gradualWeights(1)).toEqual([100]);
  });
});
