// The flows and DNS view model: records follow the controller's DNS events; a
// switch's table is kept for the switch chosen, and the events that change
// that switch's flows ask for a new read.
import { describe, expect, it } from "vitest";
import type { FlowView } from "../../../../../src/api-types/controller.js";
import { applyFlowsDnsEvent, dnsRows, emptyFlowsDns, flowText, selectSwitch, touchesSelectedFlows, withDns, withFlows } from "../../../../../scheduler/ui/state/flows-dns-state.js";

const flow = (priority: number, tableId = 0): FlowView => ({
  tableId,
  priority,
  cookie: "0x0",
  owner: "forwarding",
  idleTimeout: 0,
  hardTimeout: 0,
  durationSec: 1,
  packetCount: 3,
  byteCount: 300,
  match: { ethDst: "02:00:00:00:00:01" },
  instructions: [{ type: "applyActions", actions: [{ type: "output", port: 2 }] }],
});

describe("flows and DNS view model", () => {
  it("DNS records follow set and delete events, sorted by name", () => {
    let s = withDns(emptyFlowsDns(), { zone: "svc.fleximigrate.local", defaultTtl: 5, records: [{ name: "b.svc.fleximigrate.local", ip: "10.77.0.3", ttl: 5, updatedAt: "t" }] });
    s = applyFlowsDnsEvent(s, { type: "dns.record.set", record: { name: "a.svc.fleximigrate.local", ip: "10.77.0.2", ttl: 5, updatedAt: "t" }, at: "t" });
    expect(dnsRows(s).map((r) => r.name)).toEqual(["a.svc.fleximigrate.local", "b.svc.fleximigrate.local"]);
    s = applyFlowsDnsEvent(s, { type: "dns.record.deleted", record: { name: "b.svc.fleximigrate.local" }, at: "t" });
    expect(dnsRows(s).map((r) => r.ip)).toEqual(["10.77.0.2"]);
    expect(s.zone).toBe("svc.fleximigrate.local");
  });

  it("a table is kept for the chosen switch only, highest priority first", () => {
    let s = selectSwitch(emptyFlowsDns(), "a");
    s = withFlows(s, "a", [flow(1), flow(100), flow(5, 1)], "2026-12-02T10:00:00.000Z");
    expect(s.flows.map((f) => f.priority)).toEqual([100, 1, 5]);
    expect(withFlows(s, "b", [flow(7)], "t")).toBe(s);
    s = selectSwitch(s, "b");
    expect(s.flows).toEqual([]);
  });

  it("flow, redirect and switch events of the chosen switch ask for a new read; others do not", () => {
    const s = selectSwitch(emptyFlowsDns(), "a");
    expect(touchesSelectedFlows(s, { type: "flow.installed", dpids: ["a", "b"], at: "t" })).toBe(true);
    expect(touchesSelectedFlows(s, { type: "flow.removed", dpid: "a", at: "t" })).toBe(true);
    expect(touchesSelectedFlows(s, { type: "flow.installed", dpids: ["b"], at: "t" })).toBe(false);
    expect(touchesSelectedFlows(s, { type: "switch.up", dpid: "a", at: "t" })).toBe(true);
    expect(touchesSelectedFlows(emptyFlowsDns(), { type: "flow.installed", dpids: ["a"], at: "t" })).toBe(false);
  });

  it("a flow in one line: its match and its instructions", () => {
    expect(flowText(flow(1))).toEqual({ match: "ethDst=02:00:00:00:00:01", actions: "applyActions(output:2)" });
    expect(flowText({ ...flow(0), match: {}, instructions: [] })).toEqual({ match: "*", actions: "drop" });
  });
});
