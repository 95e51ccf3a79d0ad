// The benchmark's emulated switch against a minimal in-test controller over loopback.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EmulatedSwitch } from "../../../bench/emulated-switch.js";
import { encodeMessages, MessageStream, type OfMessage, OFPET, OFPP_FLOOD } from "../../../src/openflow/index.js";
import { waitFor } from "../../helpers/wait.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe("EmulatedSwitch (bench driver)", () => {
  it("handshakes, answers housekeeping, refuses unknown requests, and counts replies to its PACKET_INs", async () => {
    const seen: OfMessage[] = [];
    const lldp = Buffer.alloc(60);
    lldp.writeUInt16BE(0x88cc, 12);
    const server = net.createServer((sock) => {
      const stream = new MessageStream();
      sock.write(
        Buffer.concat([
          encodeMessages([
            { type: "hello", xid: 1, versions: [4] },
            { type: "featuresRequest", xid: 2 },
            { type: "multipartRequest", xid: 3, body: { kind: "portDesc" } },
            { type: "echoRequest", xid: 4, data: Buffer.from("hi") },
          ]),
          // Type 30: no OpenFlow 1.3 message (ROLE_REQUEST, used here before, is one the codec now speaks).
          Buffer.concat([Buffer.from("041e001800000005", "hex"), Buffer.alloc(16)]),
        ]),
      );
      sock.on("data", (chunk) => {
        const batch = stream.push(chunk);
        const out: OfMessage[] = [];
        for (const m of batch.messages) {
          seen.push(m);
          if (m.type === "packetIn") {
            out.push({ type: "flowMod", xid: 9, command: "add", match: { inPort: m.match.inPort }, instructions: [] });
            out.push({ type: "packetOut", xid: 10, actions: [{ type: "output", port: OFPP_FLOOD }], data: m.data });
            out.push({ type: "packetOut", xid: 11, actions: [{ type: "output", port: 1 }], data: lldp });
          }
        }
        if (out.length) sock.write(encodeMessages(out));
      });
      cleanups.push(() => sock.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => server.close());
    const sw = new EmulatedSwitch({ host: "127.0.0.1", port: (server.address() as net.AddressInfo).port, dpid: 0xabcn, hosts: 10 });
    cleanups.push(() => sw.close());
    await sw.handshaken;
    await waitFor(() => seen.some((m) => m.type === "error") && seen.some((m) => m.type === "echoReply"), { what: "the ERROR and the ECHO_REPLY" });
    expect(seen).toContainEqual(expect.objectContaining({ type: "featuresReply", xid: 2, datapathId: 0xabcn }));
    const ports = seen.find((m) => m.type === "multipartReply" && m.xid === 3);
    expect(ports?.type === "multipartReply" && ports.body.kind === "portDesc" && ports.body.ports.length).toBe(4);
    expect(seen).toContainEqual(expect.objectContaining({ type: "echoReply", xid: 4, data: Buffer.from("hi") }));
    expect(seen).toContainEqual(expect.objectContaining({ type: "error", xid: 5, errType: OFPET.BAD_REQUEST }));
    expect(sw.errorsSent).toBe(1);

    sw.pump(8);
    await waitFor(() => sw.answered >= 200, { what: "200 answered PACKET_INs" });
    sw.pump(0);
    expect(sw.flowMods).toBe(sw.packetOuts); // LLDP PACKET_OUTs are not counted
    expect(sw.packetInsSent).toBeGreaterThanOrEqual(sw.answered);
    const packetIns = seen.filter((m) => m.type === "packetIn");
    expect(packetIns.length).toBeGreaterThanOrEqual(200);
    const first = packetIns[0]!;
    expect(first.type === "packetIn" && first.data.readUInt16BE(12)).toBe(0x0800);
    expect(new Set(packetIns.map((m) => (m.type === "packetIn" ? m.match.inPort : 0)))).toEqual(new Set([1, 2, 3, 4]));
  });
});
