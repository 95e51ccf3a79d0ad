import { describe, expect, it } from "vitest";
import type { PortView } from "../../../../src/api-types/controller.js";
import type { MoveRecord } from "../../../../src/api-types/scheduler.js";
import { DEFAULT_LINK_KBPS, linkUtilisation, pathCongestion, pathLinks, portUtilisation } from "../../../../scheduler/migration/path-congestion.js";
import { FakeAgent, TASK } from "./fakes.js";

function port(portNo: number, speedKbps: number, rx: number | null, tx = 0): PortView {
  return {
    portNo,
    name: `p${portNo}`,
    hwAddr: "00:00:00:00:00:01",
    up: true,
    config: 0,
    state: 0,
    currSpeed: speedKbps,
    adminDown: false,
    linkDown: false,
    noPacketIn: false,
    noFlood: false,
    stats: null,
    rates: rx === null ? null : { intervalSec: 1, rxBytesPerSec: rx, txBytesPerSec: tx, rxPacketsPerSec: 0, txPacketsPerSec: 0 },
  } as PortView;
}

const LINKS = [
  { src: { dpid: "s1", port: 1 }, dst: { dpid: "s2", port: 2 } },
  { src: { dpid: "s3", port: 5 }, dst: { dpid: "s2", port: 3 } },
];

describe("network congestion on the path", () => {
  it("a port's utilisation is its busiest direction over its speed (no speed: 1 Gb/s), capped at 1", () => {
    expect(portUtilisation(port(1, 100_000, 6_250_000))).toBeCloseTo(0.5); // 50 Mb/s of 100 Mb/s
    expect(portUtilisation(port(1, 0, 0, 62_500_000))).toBeCloseTo(0.5 * (1_000_000 / DEFAULT_LINK_KBPS));
    expect(portUtilisation(port(1, 1_000, 1e9))).toBe(1);
    expect(portUtilisation(port(1, 1_000, null))).toBeUndefined();
  });

  it("takes the busiest link end on the path; one switch is 0; no rates is unknown", () => {
    const ends = pathLinks(LINKS, ["s1", "s2", "s3"]);
    expect(ends).toEqual([
      [{ dpid: "s1", port: 1 }, { dpid: "s2", port: 2 }],
      [{ dpid: "s3", port: 5 }, { dpid: "s2", port: 3 }],
    ]);
    const ports = new Map([
      ["s1", [port(1, 1_000_000, 12_500_000)]], // 10 %
      ["s2", [port(2, 1_000_000, 0), port(3, 1_000_000, 0, 100_000_000), port(4, 1_000_000, 125_000_000)]], // port 3: 80 %; port 4 is off the path
      ["s3", [port(5, 1_000_000, 0)]],
    ]);
    expect(linkUtilisation(ends, ports)).toBeCloseTo(0.8);
    expect(linkUtilisation([], ports)).toBe(0);
    expect(linkUtilisation(ends, new Map([["s1", [port(1, 1, null)]]]))).toBeUndefined();
  });

  it("asks the agents for the bridges and the controller for topology and ports, polling again when rates are not there yet", async () => {
    const calls: string[] = [];
    const edge = new FakeAgent("edge1", calls);
    const cloud = new FakeAgent("cloud1", calls);
    const info = async (a: FakeAgent, dpid: string) => ({ ...(await FakeAgent.prototype.info.call(a)), network: { dpid } }) as never;
    edge.info = () => info(edge, "s1");
    cloud.info = () => info(cloud, "s3");
    let polls = 0;
    const controller = {
      topology: async () => ({ switches: ["s1", "s2", "s3"], settled: true, links: LINKS, hosts: [] }) as never,
      ports: async (dpid: string) => {
        polls++;
        const first = polls <= 3;
        // A switch polled for the first time has no rates yet.
        const r = (v: number) => (first ? null : v);
        const byDpid: Record<string, PortView[]> = { s1: [port(1, 1_000_000, r(25_000_000))], s2: [port(2, 1_000_000, r(0)), port(3, 1_000_000, r(0))], s3: [port(5, 1_000_000, r(0))] };
        return { dpid, ports: byDpid[dpid]! };
      },
    };
    const slept: number[] = [];
    const congestion = pathCongestion(controller, (endpoint) => (endpoint === "http://edge1" ? edge : cloud), { sleep: async (ms) => void slept.push(ms) });
    const move = { id: "m-1", task: TASK, from: "edge1", to: "cloud1", cpuShare: 1, fromEndpoint: "http://edge1", toEndpoint: "http://cloud1", status: "requested", requestedAt: "" } as MoveRecord;
    expect(await congestion(move, { waitForRates: false })).toBeUndefined(); // the queue preview: no second poll
    expect([slept, polls]).toEqual([[], 3]);
    polls = 0;
    expect(await congestion(move)).toBeCloseTo(0.2); // 200 Mb/s of 1 Gb/s on s1's end of the first link
    expect(slept).toEqual([500]);
    expect(polls).toBe(6);
  });
});
