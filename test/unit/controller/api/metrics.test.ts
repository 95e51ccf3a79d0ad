// The controller's GET /metrics with a scripted switch: names and types, and
// counters that move when their event happens (flows installed through the
// API, a PACKET_IN from the switch, DNS answers by rcode); and a call that
// carries a migration's id as x-request-id logged under it (GET /v1/logs).
import dgram from "node:dgram";
import { once } from "node:events";
import dns2 from "dns2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createController, type RunningController } from "../../../../controller/app.js";
import { CONTROLLER_METRICS } from "../../../../controller/api/metrics.js";
import { HTTP_DURATION } from "../../../../src/metrics/http-metrics.js";
import { FakeSwitch } from "../../../helpers/fake-switch.js";
import { parseExposition, sampleValue } from "../../../helpers/prometheus.js";
import { waitFor } from "../../../helpers/wait.js";

const { Packet } = dns2;
const sw = new FakeSwitch(7n, [1, 2]);
let ctl: RunningController;

const scrape = async () => parseExposition((await ctl.http.inject({ method: "GET", url: "/metrics" })).body);
const counter = async (name: string, labels: Record<string, string> = {}) => sampleValue(await scrape(), name, labels);

/** One UDP query to the controller's DNS server; answers the reply's rcode. */
async function ask(name: string): Promise<number> {
  const q = new Packet();
  q.header.id = 7;
  q.questions.push({ name, type: Packet.TYPE.A, class: Packet.CLASS.IN } as InstanceType<typeof Packet.Question>);
  const sock = dgram.createSocket("udp4");
  try {
    sock.send(q.toBuffer(), ctl.dnsPort, "127.0.0.1");
    const [reply] = (await once(sock, "message")) as [Buffer];
    return reply[3]! & 0x0f;
  } finally {
    sock.close();
  }
}

beforeAll(async () => {
  ctl = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, lldpIntervalMs: 60_000, ovsdb: "unix:/nonexistent/fmmet/db.sock" });
  await sw.connect(ctl.openflowPort);
  await waitFor(async () => (await ctl.http.inject({ method: "GET", url: "/v1/switches" })).json().switches.length === 1, { what: "the switch" });
});

afterAll(async () => {
  sw.close();
  await ctl?.close();
});

describe("controller GET /metrics", () => {
  it("exports its names with their types", async () => {
    const m = await scrape();
    expect(m.types.get(CONTROLLER_METRICS.flowsInstalled)).toBe("counter");
    expect(m.types.get(CONTROLLER_METRICS.packetIns)).toBe("counter");
    expect(m.types.get(CONTROLLER_METRICS.dnsQueries)).toBe("counter");
    expect(m.types.get(HTTP_DURATION)).toBe("histogram");
    expect(m.types.get("process_resident_memory_bytes")).toBe("gauge");
  });

  it("flows installed move by the flows a FLOW_MOD batch adds", async () => {
    const before = await counter(CONTROLLER_METRICS.flowsInstalled);
    const flow = (ip: string) => ({ priority: 100, match: { ethType: 0x0800, ipv4Dst: ip }, instructions: [{ type: "applyActions", actions: [{ type: "output", port: 2 }] }] });
    const res = await ctl.http.inject({ method: "POST", url: "/v1/switches/7/flows", payload: { flows: [flow("10.0.0.2"), flow("10.0.0.3")] } });
    expect(res.statusCode).toBeLessThan(300);
    expect(sw.flows.filter((f) => f.match?.ipv4Dst === "10.0.0.3")).toHaveLength(1);
    expect(await counter(CONTROLLER_METRICS.flowsInstalled)).toBe(before + 2);
  });

  it("a PACKET_IN from the switch counts", async () => {
    const before = await counter(CONTROLLER_METRICS.packetIns);
    const data = Buffer.alloc(60);
    sw.send({ type: "packetIn", xid: 0, bufferId: 0xffffffff, totalLen: data.length, reason: 0, tableId: 0, cookie: 0n, match: { inPort: 1 }, data });
    await waitFor(async () => (await counter(CONTROLLER_METRICS.packetIns)) === before + 1, { what: "the PACKET_IN counted" });
  });

  it("DNS queries count by the rcode answered", async () => {
    expect(await ask("nobody.svc.fleximigrate.local")).toBe(3);
    expect(await ask("example.org")).toBe(5);
    await ctl.http.inject({ method: "PUT", url: "/v1/dns/records/web", payload: { ip: "10.0.0.5" } });
    expect(await ask("web.svc.fleximigrate.local")).toBe(0);
    // The answers are counted in the DNS worker and reach the registry a moment after the reply.
    const m = await waitFor(async () => {
      const now = await scrape();
      return sampleValue(now, CONTROLLER_METRICS.dnsQueries, { rcode: "NOERROR" }) === 1 ? now : undefined;
    }, { timeoutMs: 5000, what: "the DNS worker's counts" });
    expect(sampleValue(m, CONTROLLER_METRICS.dnsQueries, { rcode: "NXDOMAIN" })).toBe(1);
    expect(sampleValue(m, CONTROLLER_METRICS.dnsQueries, { rcode: "REFUSED" })).toBe(1);
    expect(sampleValue(m, CONTROLLER_METRICS.dnsQueries, { rcode: "NOERROR" })).toBe(1);
  });
});

describe("controller logs", () => {
  it("a call made under a migration's id is logged under it", async () => {
    await ctl.http.inject({ method: "PUT", url: "/v1/dns/records/db", payload: { ip: "10.0.0.6" }, headers: { "x-request-id": "m-3" } });
    const logs = (await ctl.http.inject({ method: "GET", url: "/v1/logs?migration=m-3" })).json();
    expect(logs).toMatchObject({ service: "controller", truncated: false });
    expect(logs.lines).toEqual([expect.objectContaining({ reqId: "m-3", msg: "PUT /v1/dns/records/db 201", fields: expect.objectContaining({ route: "/v1/dns/records/:name" }) })]);
  });
});
