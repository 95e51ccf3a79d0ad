import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ARP_REPLY, ARP_REQUEST, answerArp, encodeArpFrame, parseArp } from "../../../../controller/hosts/arp.js";
import { HostTable } from "../../../../controller/hosts/table.js";
import { parseEthernet } from "../../../../controller/packets/ethernet.js";
import { decodeLldp, encodeLldp } from "../../../../controller/topology/lldp.js";

describe("LLDP probes", () => {
  it("round-trip any datapath id and port", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 1, max: 0xfffffeff }), (id, port) => {
        const dpid = id.toString(16).padStart(16, "0");
        expect(decodeLldp(encodeLldp({ dpid, port }, "02:00:00:00:00:01"))).toEqual({ dpid, port });
      }),
    );
  });

  it("ignore truncated frames, foreign LLDP and garbage", () => {
    const frame = encodeLldp({ dpid: "0000000000000001", port: 3 }, "02:00:00:00:00:01");
    for (let n = 0; n < frame.length - 2; n++) expect(decodeLldp(frame.subarray(0, n))).toBeNull();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      decodeLldp(Buffer.from(bytes)); // never throws
    }));
  });
});

describe("ARP", () => {
  const request = { op: ARP_REQUEST, senderMac: "00:00:00:00:00:01", senderIp: "10.0.0.1", targetMac: "00:00:00:00:00:00", targetIp: "10.0.0.2" };

  it("parses what it encodes", () => {
    const frame = encodeArpFrame("ff:ff:ff:ff:ff:ff", request.senderMac, request);
    const eth = parseEthernet(frame);
    expect(eth?.ethType).toBe(0x0806);
    expect(parseArp(frame, eth?.payloadOffset ?? 14)).toEqual(request);
  });

  it("answers a request from the host table and nothing else", () => {
    const table = new Map([["10.0.0.2", "00:00:00:00:00:02"]]);
    const reply = answerArp(request, (ip) => table.get(ip));
    expect(reply).not.toBeNull();
    const parsed = parseArp(reply as Buffer, 14);
    expect(parsed).toEqual({ op: ARP_REPLY, senderMac: "00:00:00:00:00:02", senderIp: "10.0.0.2", targetMac: "00:00:00:00:00:01", targetIp: "10.0.0.1" });
    expect(parseEthernet(reply as Buffer)?.dst).toBe("00:00:00:00:00:01");
    expect(answerArp({ ...request, targetIp: "10.0.0.9" }, (ip) => table.get(ip))).toBeNull();
    expect(answerArp({ ...request, op: ARP_REPLY }, (ip) => table.get(ip))).toBeNull();
  });
});

describe("HostTable", () => {
  it("learns, notices moves and IP changes, and indexes by IP", () => {
    const t = new HostTable();
    expect(t.learn("00:00:00:00:00:01", "a", 1, 1, "10.0.0.1")).toBe("new");
    expect(t.learn("00:00:00:00:00:01", "a", 1, 2)).toBeNull();
    expect(t.get("00:00:00:00:00:01")?.lastSeen).toBe(2);
    expect(t.learn("00:00:00:00:00:01", "b", 4, 3)).toBe("moved");
    expect(t.byIp("10.0.0.1")?.dpid).toBe("b");
    expect(t.learn("00:00:00:00:00:01", "b", 4, 4, "10.0.0.9")).toBe("ip");
    expect(t.macOf("10.0.0.1")).toBeUndefined();
    expect(t.macOf("10.0.0.9")).toBe("00:00:00:00:00:01");
    expect(t.forgetPort("b", 4)).toEqual(["00:00:00:00:00:01"]);
    expect(t.all()).toEqual([]);
  });
});
