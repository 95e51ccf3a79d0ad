// The controller end to end against scripted switches on real TCP sockets:
// handshake, registry, discovery, live flow reads, bundled installs, bad
// input, redirects with rollback, malformed OpenFlow, the event stream.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { bundleAddOf, bundleControlOf, decodeMessage, OFPBCT } from "../../../src/openflow/index.js";
import type { FlowMod, PacketOut } from "../../../src/openflow/messages.js";
import { ARP_REPLY, ARP_REQUEST, encodeArpFrame, parseArp } from "../../../controller/hosts/arp.js";
import { createController, type RunningController } from "../../../controller/app.js";
import { FakeSwitch } from "../../helpers/fake-switch.js";
import { injectJson, type Method } from "../../helpers/http.js";
import { waitFor } from "../../helpers/wait.js";

const S1 = "0000000000000001";
const S2 = "0000000000000002";
let ctl: RunningController;
const s1 = new FakeSwitch(1n, [1, 2]);
const s2 = new FakeSwitch(2n, [1, 2]);
FakeSwitch.wire(s1, 2, s2, 2);

const call = (method: Method, url: string, payload?: unknown) => injectJson(ctl.http, method, url, payload);

function redirectFlow(sw: FakeSwitch, from = 0): FlowMod | undefined {
  return sw.received
    .slice(from)
    .filter((m): m is FlowMod => m.type === "flowMod" && m.command === "add" && m.match?.ipv4Dst === "10.0.0.100")
    .pop();
}

function outPort(f: FlowMod | undefined): number | undefined {
  const ins = f?.instructions?.[0];
  const a = ins?.type === "applyActions" ? ins.actions[0] : undefined;
  return a?.type === "output" ? a.port : undefined;
}

describe("controller app with scripted switches", () => {
  beforeAll(async () => {
    ctl = await createController({ openflowPort: 0, httpPort: 0, dnsPort: 0, lldpIntervalMs: 100 });
    await s1.connect(ctl.openflowPort);
    await s2.connect(ctl.openflowPort);
    await waitFor(async () => (await call("GET", "/v1/topology")).body.links.length === 1, { what: "both switches and their link" });
  });

  afterAll(async () => {
    s1.close();
    s2.close();
    await ctl.close();
  });

  it("registers switches by datapath id after the handshake and installs the table-miss rule", async () => {
    const { body } = await call("GET", "/v1/switches");
    expect(body.switches.map((s: { dpid: string }) => s.dpid).sort()).toEqual([S1, S2]);
    const miss = s1.received.find((m) => m.type === "flowMod" && m.command === "add" && m.priority === 0);
    expect(miss && miss.type === "flowMod" && outPort(miss)).toBe(0xfffffffd);
  });

  it("discovers the link between the switches with its ports", async () => {
    const { body } = await call("GET", "/v1/topology");
    expect(body.links).toEqual([{ src: { dpid: S1, port: 2 }, dst: { dpid: S2, port: 2 } }]);
    expect(body.switches).toEqual([S1, S2]);
  });

  it("reads ports and flows live by MULTIPART (collecting REPLY_MORE parts)", async () => {
    const ports = await call("GET", `/v1/switches/${S1}/ports`);
    expect(ports.body.ports.map((p: { portNo: number }) => p.portNo)).toEqual([1, 2]);
    const flows = await call("GET", "/v1/switches/1/flows");
    expect(flows.status).toBe(200);
    expect(flows.body.flows.some((f: { owner: string }) => f.owner === "table-miss")).toBe(true);
    expect((await call("GET", "/v1/switches/ab/flows")).status).toBe(404);
  });

  it("learns hosts, floods unknown destinations along the tree, installs paths and answers ARP", async () => {
    await waitFor(async () => (await call("GET", "/v1/topology")).body.settled === true, { what: "discovery settled" });
    const A = { mac: "00:00:00:00:0a:01", ip: "10.9.0.1" };
    const B = { mac: "00:00:00:00:0b:01", ip: "10.9.0.2" };
    const packetIn = (sw: FakeSwitch, inPort: number, data: Buffer) =>
      sw.send({ type: "packetIn", xid: 0, bufferId: 0xffffffff, totalLen: data.length, reason: 0, tableId: 0, cookie: 0n, match: { inPort }, data });
    const outs = (sw: FakeSwitch, from: number) => sw.received.slice(from).filter((m): m is PacketOut => m.type === "packetOut" && (m.data?.readUInt16BE(12) ?? 0) !== 0x88cc);
    const ports = (p: PacketOut) => p.actions.map((a) => (a.type === "output" ? a.port : -1));

    // A asks for B, whom nobody knows yet: flooded on s1 to the tree port only (not back to A).
    let m1 = s1.received.length;
    packetIn(s1, 1, encodeArpFrame("ff:ff:ff:ff:ff:ff", A.mac, { op: ARP_REQUEST, senderMac: A.mac, senderIp: A.ip, targetMac: "00:00:00:00:00:00", targetIp: B.ip }));
    await waitFor(() => outs(s1, m1).length > 0, { what: "flood" });
    expect(ports(outs(s1, m1)[0] as PacketOut)).toEqual([2]);

    // B answers A from s2: a path s2 -> s1 is installed (far end first) and the reply sent on.
    m1 = s1.received.length;
    const m2 = s2.received.length;
    packetIn(s2, 1, encodeArpFrame(A.mac, B.mac, { op: ARP_REPLY, senderMac: B.mac, senderIp: B.ip, targetMac: A.mac, targetIp: A.ip }));
    await waitFor(() => outs(s2, m2).length > 0, { what: "path" });
    const f1 = s1.received.slice(m1).find((m): m is FlowMod => m.type === "flowMod" && m.match?.ethDst === A.mac);
    const f2 = s2.received.slice(m2).find((m): m is FlowMod => m.type === "flowMod" && m.match?.ethDst === A.mac);
    expect(f1?.match).toEqual({ ethSrc: B.mac, ethDst: A.mac });
    expect(outPort(f1)).toBe(1);
    expect(outPort(f2)).toBe(2);
    expect(f1?.idleTimeout).toBeGreaterThan(0);
    expect(ports(outs(s2, m2)[0] as PacketOut)).toEqual([2]);

    // Now A's next request for B is answered by the controller from the host table.
    m1 = s1.received.length;
    packetIn(s1, 1, encodeArpFrame("ff:ff:ff:ff:ff:ff", A.mac, { op: ARP_REQUEST, senderMac: A.mac, senderIp: A.ip, targetMac: "00:00:00:00:00:00", targetIp: B.ip }));
    await waitFor(() => outs(s1, m1).length > 0, { what: "ARP answer" });
    const answer = outs(s1, m1)[0] as PacketOut;
    expect(ports(answer)).toEqual([1]);
    expect(parseArp(answer.data as Buffer, 14)).toMatchObject({ op: ARP_REPLY, senderMac: B.mac, senderIp: B.ip, targetMac: A.mac });

    const hosts = (await call("GET", "/v1/hosts")).body.hosts;
    expect(hosts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ mac: A.mac, ip: A.ip, dpid: S1, port: 1 }),
        expect.objectContaining({ mac: B.mac, ip: B.ip, dpid: S2, port: 1 }),
      ]),
    );
  });

  const apiFlows = (base: number) =>
    [1, 2, 3].map((i) => ({
      priority: 10 + i,
      match: { ethType: 0x0800, ipv4Dst: `10.${base}.0.${i}` },
      instructions: [{ type: "applyActions", actions: [{ type: "output", port: 1 }] }],
      idleTimeout: 5,
    }));
  const installed = (sw: FakeSwitch, base: number) => sw.flows.filter((f) => f.match?.ipv4Dst?.startsWith(`10.${base}.0.`)).length;

  it("installs flows as one bundle: OPEN, an ADD per flow, a BARRIER, then the COMMIT, answering after its reply", async () => {
    const before = s1.received.length;
    const r = await call("POST", `/v1/switches/${S1}/flows`, { flows: apiFlows(1) });
    expect(r.status).toBe(200);
    expect(r.body.installed).toBe(3);
    expect(typeof r.body.ms).toBe("number");
    expect(installed(s1, 1)).toBe(3);
    // LLDP probes (PACKET_OUT) may interleave; the API's own messages must be in this order.
    const after = s1.received.slice(before).filter((m) => m.type !== "packetOut");
    const kinds = after.map((m) => (m.type === "experimenter" ? (bundleControlOf(m)?.ctrlType ?? (bundleAddOf(m) ? "add" : "?")) : m.type));
    expect(kinds).toEqual([OFPBCT.OPEN_REQUEST, "add", "add", "add", "barrierRequest", OFPBCT.COMMIT_REQUEST]);
    // Each ADD carries its own xid, the same as its FLOW_MOD's: an ERROR names the flow.
    const xids = after.slice(1, 4).map((m) => m.xid);
    expect(new Set(xids).size).toBe(3);
    for (const m of after.slice(1, 4)) expect(m.type === "experimenter" && decodeMessage(bundleAddOf(m)!.message).xid).toBe(m.xid);
  });

  it("installs none of the flows when the switch refuses one, and names it (502)", async () => {
    s1.refuseFlow = (m) => (m.match?.ipv4Dst === "10.2.0.2" ? [5, 0] : undefined); // FLOW_MOD_FAILED / UNKNOWN
    try {
      const r = await call("POST", `/v1/switches/${S1}/flows`, { flows: apiFlows(2) });
      expect(r.status).toBe(502);
      expect(r.body.message).toContain("flows[1]");
      expect(r.body.message).toContain("no flow of this request was installed");
      expect(installed(s1, 2)).toBe(0);
      await waitFor(() => s1.bundles.size === 0, { what: "the bundle discarded" });
    } finally {
      s1.refuseFlow = undefined;
    }
  });

  it("falls back to plain FLOW_MODs and a BARRIER on a switch that speaks no ONF bundle", async () => {
    s2.refuseBundles = true;
    try {
      const r = await call("POST", `/v1/switches/${S2}/flows`, { flows: apiFlows(3) });
      expect(r.status).toBe(200);
      expect(installed(s2, 3)).toBe(3);
      // Remembered: the next install goes plainly at once, and a refusal still names its flow.
      const before = s2.received.length;
      s2.refuseFlow = (m) => (m.match?.ipv4Dst === "10.4.0.3" ? [5, 0] : undefined);
      const refused = await call("POST", `/v1/switches/${S2}/flows`, { flows: apiFlows(4) });
      expect(refused.status).toBe(502);
      expect(refused.body.message).toContain("flows[2]");
      expect(s2.received.slice(before).filter((m) => m.type === "experimenter")).toHaveLength(0);
    } finally {
      s2.refuseBundles = false;
      s2.refuseFlow = undefined;
    }
  });

  it("rejects a bad flow with 400 and sends nothing", async () => {
    const before = s1.received.length;
    const good = { match: { ethDst: "00:00:00:00:00:01" }, instructions: [] };
    const bad = { match: { ethDst: "not-a-mac" }, instructions: [] };
    const r = await call("POST", `/v1/switches/${S1}/flows`, { flows: [good, bad] });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain("flows[1]");
    expect((await call("POST", `/v1/switches/${S1}/flows`, { flows: [{ priority: -1, match: {}, instructions: [] }] })).status).toBe(400);
    // A live flow read goes over the same OpenFlow session: once it is answered, any FLOW_MOD sent before it has arrived.
    expect((await call("GET", `/v1/switches/${S1}/flows`)).status).toBe(200);
    expect(s1.received.slice(before).filter((m) => m.type === "flowMod")).toHaveLength(0);
  });

  it("redirects a service, reports the reconfiguration time, and rolls back flows and DNS", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${ctl.httpPort}/v1/events`);
    const events: Array<{ type: string }> = [];
    ws.on("message", (d) => events.push(JSON.parse(d.toString())));
    await new Promise((res) => ws.once("open", res));

    const svc = { service: "web", ip: "10.0.0.100", mac: "00:00:00:00:01:00" };
    const first = await call("POST", "/v1/redirect", { ...svc, to: { switch: "2", port: 1 } });
    expect(first.status).toBe(200);
    expect(first.body.reconfigurationMs).toBeGreaterThan(0);
    expect(first.body.redirects[0].switches).toEqual([S1, S2]);
    expect(outPort(redirectFlow(s1))).toBe(2); // toward s2 over the link
    expect(outPort(redirectFlow(s2))).toBe(1); // to the host port
    expect((await call("GET", "/v1/dns")).body.records[0]).toMatchObject({ name: "web.svc.fleximigrate.local", ip: "10.0.0.100" });

    const mark1 = s1.received.length;
    const mark2 = s2.received.length;
    const second = await call("POST", "/v1/redirect", { ...svc, to: { switch: S1, port: 1 }, dnsAddress: "10.0.0.200", strategy: "per-service" });
    expect(second.status).toBe(200);
    expect(outPort(redirectFlow(s1, mark1))).toBe(1);
    expect(outPort(redirectFlow(s2, mark2))).toBe(2);
    expect((await call("GET", "/v1/dns")).body.records[0].ip).toBe("10.0.0.200");

    const mark3 = s1.received.length;
    const rb = await call("POST", `/v1/redirects/${second.body.redirects[0].id}/rollback`);
    expect(rb.status).toBe(200);
    expect(rb.body.redirect.rollbackOf).toBe(second.body.redirects[0].id);
    expect(outPort(redirectFlow(s1, mark3))).toBe(2); // back toward s2
    expect((await call("GET", "/v1/dns")).body.records[0].ip).toBe("10.0.0.100");
    // A rolled-back redirect cannot be rolled back twice.
    expect((await call("POST", `/v1/redirects/${second.body.redirects[0].id}/rollback`)).status).toBe(409);

    await waitFor(() => events.some((e) => e.type === "redirect") && events.some((e) => e.type === "redirect.rolledBack"), { what: "redirect events" });
    ws.close();
    const listed = (await call("GET", "/v1/redirects")).body.redirects;
    expect(listed.map((r: { state: string }) => r.state)).toEqual(["superseded", "rolled-back", "active"]);
  });

  it("answers bad redirect input with 400 and changes nothing", async () => {
    const before = (await call("GET", "/v1/redirects")).body.redirects.length;
    const changes = () => s1.received.filter((m) => m.type === "flowMod" || m.type === "groupMod").length;
    const sent = changes();
    const base = { service: "web", ip: "10.0.0.100", mac: "00:00:00:00:01:00", to: { switch: S2, port: 1 } };
    const bad = [
      { ...base, ip: "10.0.0" },
      { ...base, mac: "zz" },
      { ...base, service: "no spaces" },
      { ...base, to: { switch: "99", port: 1 } },
      { ...base, to: { switch: S2, port: 9 } },
      { ...base, to: { switch: S2, port: 2 } }, // leads to another switch
      { ...base, to: { node: "nowhere" } },
      { ...base, strategy: "sideways" },
      { ...base, extra: 1 },
    ];
    for (const b of bad) {
      const r = await call("POST", "/v1/redirect", b);
      expect(r.status, JSON.stringify(b)).toBe(400);
      expect(typeof r.body.message).toBe("string");
    }
    expect((await call("GET", "/v1/redirects")).body.redirects).toHaveLength(before);
    expect(changes()).toBe(sent);
  });

  it("refuses an IP with a leading zero (01.2.3.4) with 400 before any FLOW_MOD (it once sent two, then answered 500 with no record)", async () => {
    const before = (await call("GET", "/v1/redirects")).body.redirects;
    const changes = () => [s1, s2].reduce((n, sw) => n + sw.received.filter((m) => m.type === "flowMod" || m.type === "groupMod").length, 0);
    const sent = changes();
    const base = { service: "zero", ip: "10.0.0.100", mac: "00:00:00:00:01:09", to: { switch: S2, port: 1 } };
    for (const bad of [{ ...base, ip: "01.2.3.4" }, { ...base, ip: "10.0.0.010" }, { ...base, dnsAddress: "010.0.0.1" }]) {
      const r = await call("POST", "/v1/redirect", bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/(ip|dnsAddress): not an IPv4 address/) });
    }
    // A read answered over each session: any FLOW_MOD sent before it has arrived.
    expect((await call("GET", `/v1/switches/${S1}/flows`)).status).toBe(200);
    expect((await call("GET", `/v1/switches/${S2}/flows`)).status).toBe(200);
    expect(changes()).toBe(sent);
    expect((await call("GET", "/v1/redirects")).body.redirects).toEqual(before);
    expect((await call("GET", "/v1/dns")).body.records.some((r: { name: string }) => r.name.startsWith("zero."))).toBe(false);
  });

  it("undoes a redirect a switch refuses after its FLOW_MODs went out, and says so (502, undone)", async () => {
    const before = (await call("GET", "/v1/redirects")).body.redirects;
    const dnsBefore = (await call("GET", "/v1/dns")).body.records;
    const ip = "10.0.0.150";
    const ours = (sw: FakeSwitch) => sw.flows.filter((f) => f.match?.ipv4Dst === ip);
    s2.refuseBarriers = true;
    try {
      const r = await call("POST", "/v1/redirect", { service: "refused", ip, mac: "00:00:00:00:01:50", to: { switch: S2, port: 1 } });
      expect(r.status).toBe(502);
      expect(r.body).toMatchObject({ code: "SWITCH_FAILED", undone: true, services: ["refused"], message: expect.stringMatching(/undone: the flows of refused were deleted/) });
    } finally {
      s2.refuseBarriers = false;
    }
    // A read answered over each session: the undo's FLOW_MODs, sent before it, have arrived.
    expect((await call("GET", `/v1/switches/${S1}/flows`)).status).toBe(200);
    expect((await call("GET", `/v1/switches/${S2}/flows`)).status).toBe(200);
    expect(s1.received.some((m) => m.type === "flowMod" && m.command === "add" && m.match?.ipv4Dst === ip)).toBe(true); // it did go out
    expect([...ours(s1), ...ours(s2)]).toEqual([]);
    expect((await call("GET", "/v1/redirects")).body.redirects).toEqual(before);
    expect((await call("GET", "/v1/dns")).body.records).toEqual(dnsBefore);
  });

  it("redirects to a named node", async () => {
    expect((await call("PUT", "/v1/nodes/cloud1", { switch: S2, port: 1, site: "cloud" })).status).toBe(200);
    const r = await call("POST", "/v1/redirect", { service: "api", ip: "10.0.0.101", mac: "00:00:00:00:01:01", to: { node: "cloud1" } });
    expect(r.status).toBe(200);
    expect(r.body.redirects[0].to).toEqual({ dpid: S2, port: 1 });
  });

  it("answers echo requests and keeps the same switch on reconnect", async () => {
    s1.send({ type: "echoRequest", xid: 4242, data: Buffer.from("hi") });
    await waitFor(() => s1.received.some((m) => m.type === "echoReply" && m.xid === 4242), { what: "echo reply" });
    // A switch that really reconnects left a session that no longer answers (a live one is not replaced: dpid-claim.test.ts).
    s2.silent = true;
    const again = new FakeSwitch(2n, [1, 2]);
    await again.connect(ctl.openflowPort);
    await waitFor(() => s2.socket.destroyed || s2.socket.readableEnded, { what: "old session closed" });
    const { body } = await call("GET", "/v1/switches");
    expect(body.switches).toHaveLength(2);
    again.close();
  });

  it("answers malformed OpenFlow with an ERROR, closes that connection and keeps running", async () => {
    const sock = connect(ctl.openflowPort, "127.0.0.1");
    const chunks: Buffer[] = [];
    sock.on("data", (d) => chunks.push(d));
    await new Promise((res) => sock.once("connect", res));
    sock.write(Buffer.from([4, 0, 0, 4, 0, 0, 0, 9])); // length 4 < header
    await new Promise((res) => sock.once("close", res));
    const all = Buffer.concat(chunks);
    // HELLO first, then an ERROR (type 1).
    let at = 0;
    const types: number[] = [];
    while (at + 8 <= all.length) {
      types.push(all[at + 1] as number);
      at += all.readUInt16BE(at + 2);
    }
    expect(types).toContain(1);
    expect((await call("GET", "/v1/switches")).status).toBe(200);
  });

  it("serves the OpenAPI document", async () => {
    const { body } = await call("GET", "/openapi.json");
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(["/v1/redirect", "/v1/switches/{dpid}/flows", "/v1/topology", "/v1/hosts", "/v1/dns"]));
  });
});
