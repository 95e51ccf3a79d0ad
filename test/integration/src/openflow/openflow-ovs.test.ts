// Cross-checks the OpenFlow codec against a real Open vSwitch: ovs-ofctl parses our encodings, and a
// netdev bridge connects to a tiny controller built on the codec (handshake, FLOW_MOD, stats, errors).
import { execFileSync } from "node:child_process";
import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  decodeMessage,
  echoReplyFor,
  encodeMessage,
  encodeMessages,
  MessageFramer,
  type OfMessage,
  OFPET,
  OFPFMFC,
  OFPP_CONTROLLER,
  OFPP_TABLE,
  OFPR,
} from "../../../../src/openflow/index.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";

const BRIDGE = "fmbof0";

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", timeout: 20_000 });
}

function ofPrint(m: OfMessage): string {
  return sh("ovs-ofctl", ["ofp-print", encodeMessage(m).toString("hex")]);
}

/** One switch connection seen from the controller side, with a queue of decoded messages. */
class SwitchConn {
  private readonly framer = new MessageFramer();
  private readonly inbox: OfMessage[] = [];
  private waiters: Array<() => void> = [];

  constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk) => {
      for (const frame of this.framer.push(chunk)) {
        const m = decodeMessage(frame);
        if (m.type === "echoRequest") socket.write(encodeMessage(echoReplyFor(m)));
        else this.inbox.push(m);
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** ERROR messages the switch sent that nobody took yet. */
  errors(): OfMessage[] {
    return this.inbox.filter((m) => m.type === "error");
  }

  send(...ms: OfMessage[]): void {
    this.socket.write(encodeMessages(ms));
  }

  /** Removes and returns the first queued message matching `pred`, waiting up to `timeoutMs`. */
  async take<T extends OfMessage>(pred: (m: OfMessage) => m is T, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex(pred);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as T;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; queued: ${this.inbox.map((m) => m.type).join(",")}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

const is =
  <K extends OfMessage["type"]>(type: K, xid?: number) =>
  (m: OfMessage): m is Extract<OfMessage, { type: K }> =>
    m.type === type && (xid === undefined || m.xid === xid);

describeWhen("OpenFlow codec against Open vSwitch", missing([needs.root(), needs.ovs()]), () => {
  let server: net.Server;
  let sw: SwitchConn;

  beforeAll(async () => {
    sh("ovs-vsctl", ["--if-exists", "del-br", BRIDGE]);
    server = net.createServer();
    const connected = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    sh("ovs-vsctl", [
      "add-br",
      BRIDGE,
      "--",
      "set",
      "bridge",
      BRIDGE,
      "datapath_type=netdev",
      "protocols=OpenFlow13",
      "fail-mode=secure",
      "other-config:datapath-id=00000000000f0b01",
      "--",
      "set-controller",
      BRIDGE,
      `tcp:127.0.0.1:${port}`,
    ]);
    sw = new SwitchConn(await connected);
  });

  afterAll(() => {
    sw?.socket.destroy();
    server?.close();
    sh("ovs-vsctl", ["--if-exists", "del-br", BRIDGE]);
  });

  it("ovs-ofctl ofp-print reads our encodings the way we meant them", () => {
    expect(ofPrint({ type: "hello", xid: 0, versions: [1, 4] })).toContain("version bitmap: 0x01, 0x04");
    const flowMod = ofPrint({
      type: "flowMod",
      xid: 3,
      command: "modifyStrict",
      cookie: 0xabcn,
      priority: 300,
      idleTimeout: 10,
      hardTimeout: 20,
      flags: 1,
      match: { inPort: 2, ethType: 0x800, ipProto: 17, ipv4Dst: "10.0.0.0", ipv4DstMask: "255.255.0.0", udpDst: 53 },
      instructions: [{ type: "applyActions", actions: [{ type: "setField", field: { ipv4Dst: "10.9.9.9" } }, { type: "output", port: 3 }] }],
    });
    expect(flowMod).toContain("MOD_STRICT");
    expect(flowMod).toMatch(/priority=300,udp,in_port=2,nw_dst=10\.0\.0\.0\/16,tp_dst=53/);
    expect(flowMod).toContain("idle:10 hard:20 send_flow_rem");
    expect(flowMod).toContain("actions=set_field:10.9.9.9->ip_dst,output:3");
    const arp = ofPrint({
      type: "flowMod",
      xid: 4,
      command: "add",
      match: { ethType: 0x806, arpOp: 2, arpSpa: "10.0.0.1", arpSha: "00:11:22:33:44:55", tunnelId: 0x77n },
      instructions: [
        { type: "writeActions", actions: [{ type: "pushVlan" }, { type: "setField", field: { vlanVid: 0x1005 } }, { type: "group", groupId: 4 }] },
        { type: "gotoTable", tableId: 2 },
      ],
    });
    expect(arp).toContain("ADD arp,tun_id=0x77,arp_spa=10.0.0.1,arp_op=2,arp_sha=00:11:22:33:44:55 ");
    expect(arp).toContain("write_actions(push_vlan:0x8100,set_field:4101->vlan_vid,group:4),goto_table:2");
    expect(ofPrint({ type: "multipartRequest", xid: 5, body: { kind: "portStats", portNo: 1 } })).toContain("OFPST_PORT request");
    expect(ofPrint({ type: "groupMod", xid: 6, command: "add", groupType: "select", groupId: 9, buckets: [{ weight: 5, actions: [{ type: "output", port: 1 }] }] })).toMatch(
      /ADD group_id=9,type=select.*bucket=.*weight:5.*actions=output:1/,
    );
    expect(ofPrint({ type: "meterMod", xid: 7, command: "add", flags: 1 | 8, meterId: 3, bands: [{ kind: "drop", rate: 1000, burstSize: 0 }] })).toMatch(
      /ADD meter=3 kbps stats bands=\s*type=drop rate=1000/,
    );
  });

  it("completes the HELLO / FEATURES handshake with the bridge", async () => {
    const hello = await sw.take(is("hello"));
    expect(hello.versions).toContain(4);
    sw.send({ type: "hello", xid: 1, versions: [4] }, { type: "featuresRequest", xid: 2 });
    const features = await sw.take(is("featuresReply", 2));
    expect(features.datapathId).toBe(0xf0b01n);
    expect(features.nTables).toBeGreaterThan(0);
  });

  it("installs flows with FLOW_MOD + BARRIER and reads them back with a flow-stats MULTIPART", async () => {
    sw.send(
      { type: "flowMod", xid: 10, command: "delete", tableId: 0xff },
      {
        type: "flowMod",
        xid: 11,
        command: "add",
        cookie: 0x1001n,
        priority: 500,
        idleTimeout: 300,
        match: { inPort: 1, ethType: 0x800, ipv4Dst: "10.20.0.0", ipv4DstMask: "255.255.0.0", ipProto: 6, tcpDst: 8080 },
        instructions: [{ type: "applyActions", actions: [{ type: "setQueue", queueId: 1 }, { type: "output", port: 2 }] }],
      },
      {
        type: "flowMod",
        xid: 12,
        command: "add",
        cookie: 0x1002n,
        priority: 100,
        match: { ethType: 0x806, arpOp: 1, arpTpa: "10.20.0.1" },
        instructions: [{ type: "applyActions", actions: [{ type: "output", port: OFPP_CONTROLLER, maxLen: 0xffff }] }],
      },
      { type: "barrierRequest", xid: 13 },
    );
    await sw.take(is("barrierReply", 13));
    sw.send({ type: "multipartRequest", xid: 14, body: { kind: "flow", cookie: 0x1000n, cookieMask: 0xf000n } });
    const reply = await sw.take(is("multipartReply", 14));
    expect(reply.body.kind).toBe("flow");
    const stats = reply.body.kind === "flow" ? reply.body.stats : [];
    expect(stats.map((s) => s.cookie).sort()).toEqual([0x1001n, 0x1002n]);
    const tcp = stats.find((s) => s.cookie === 0x1001n)!;
    expect(tcp).toMatchObject({ priority: 500, idleTimeout: 300, tableId: 0 });
    expect(tcp.match).toEqual({ inPort: 1, ethType: 0x800, ipv4Dst: "10.20.0.0", ipv4DstMask: "255.255.0.0", ipProto: 6, tcpDst: 8080 });
    expect(tcp.instructions).toEqual([{ type: "applyActions", actions: [{ type: "setQueue", queueId: 1 }, { type: "output", port: 2, maxLen: 0xffff }] }]);

    const dump = sh("ovs-ofctl", ["-O", "OpenFlow13", "dump-flows", BRIDGE]);
    expect(dump).toMatch(/cookie=0x1001,.*idle_timeout=300, priority=500,tcp,in_port=1,nw_dst=10\.20\.0\.0\/16,tp_dst=8080 actions=set_queue:1,output:2/);
    expect(dump).toMatch(/cookie=0x1002,.*priority=100,arp,arp_tpa=10\.20\.0\.1,arp_op=1 actions=CONTROLLER:65535/);
    expect(dump.trim().split("\n").filter((l) => l.includes("cookie=")).length).toBe(stats.length);
  });

  it("gets an ERROR back from OVS for a FLOW_MOD with a bad command, and decodes it", async () => {
    const wire = Buffer.from(encodeMessage({ type: "flowMod", xid: 20, command: "add", match: {} }));
    wire[8 + 17] = 7; // no such OFPFC_*
    sw.socket.write(wire);
    const err = await sw.take(is("error", 20));
    expect(err).toMatchObject({ errType: OFPET.FLOW_MOD_FAILED, code: OFPFMFC.BAD_COMMAND });
    expect(err.data.subarray(0, 8).equals(wire.subarray(0, 8))).toBe(true);
  });

  it("round-trips a frame: PACKET_OUT to the table, flow sends it back as PACKET_IN", async () => {
    sw.send(
      {
        type: "flowMod",
        xid: 30,
        command: "add",
        priority: 900,
        cookie: 0x3000n,
        match: { ethType: 0x88b5 },
        instructions: [{ type: "applyActions", actions: [{ type: "output", port: OFPP_CONTROLLER, maxLen: 0xffff }] }],
      },
      { type: "barrierRequest", xid: 31 },
    );
    await sw.take(is("barrierReply", 31));
    const frame = Buffer.concat([Buffer.from("ffffffffffff02000000000188b5", "hex"), Buffer.from("fleximigrate-openflow-test".padEnd(50, "."))]);
    sw.send({ type: "packetOut", xid: 32, inPort: OFPP_CONTROLLER, actions: [{ type: "output", port: OFPP_TABLE }], data: frame });
    const pin = await sw.take(is("packetIn"));
    expect(pin).toMatchObject({ reason: OFPR.ACTION, cookie: 0x3000n, tableId: 0, totalLen: frame.length });
    expect(pin.match.inPort).toBe(OFPP_CONTROLLER);
    expect(pin.data.equals(frame)).toBe(true);
  });

  it("installs a GROUP_MOD and a METER_MOD that ovs-ofctl then lists", async () => {
    sw.send(
      {
        type: "groupMod",
        xid: 40,
        command: "add",
        groupType: "all",
        groupId: 7,
        buckets: [{ actions: [{ type: "output", port: 1 }] }, { actions: [{ type: "popVlan" }, { type: "output", port: 2 }] }],
      },
      { type: "meterMod", xid: 41, command: "add", flags: 1, meterId: 5, bands: [{ kind: "drop", rate: 10_000, burstSize: 0 }] },
      { type: "barrierRequest", xid: 42 },
    );
    await sw.take(is("barrierReply", 42));
    expect(sw.errors()).toEqual([]);
    expect(sh("ovs-ofctl", ["-O", "OpenFlow13", "dump-groups", BRIDGE])).toMatch(/group_id=7,type=all,bucket=.*actions=output:1,bucket=.*actions=pop_vlan,output:2/);
    expect(sh("ovs-ofctl", ["-O", "OpenFlow13", "dump-meters", BRIDGE])).toMatch(/meter=5 kbps.*\n?.*type=drop rate=10000/);
  });

  it("answers ECHO, SET_CONFIG/GET_CONFIG and the desc, table and aggregate MULTIPARTs", async () => {
    sw.send(
      { type: "echoRequest", xid: 60, data: Buffer.from("are you there") },
      { type: "setConfig", xid: 61, flags: 0, missSendLen: 200 },
      { type: "getConfigRequest", xid: 62 },
      { type: "multipartRequest", xid: 63, body: { kind: "desc" } },
      { type: "multipartRequest", xid: 64, body: { kind: "table" } },
      { type: "multipartRequest", xid: 65, body: { kind: "aggregate", match: { ethType: 0x806 } } },
    );
    const echo = await sw.take(is("echoReply", 60));
    expect(echo.data?.toString()).toBe("are you there");
    expect(await sw.take(is("getConfigReply", 62))).toMatchObject({ missSendLen: 200 });
    const desc = await sw.take(is("multipartReply", 63));
    expect(desc.body).toMatchObject({ kind: "desc", mfrDesc: "Nicira, Inc.", hwDesc: "Open vSwitch" });
    const tables = await sw.take(is("multipartReply", 64));
    expect(tables.body.kind === "table" && tables.body.stats.length).toBeGreaterThan(0);
    const aggregate = await sw.take(is("multipartReply", 65));
    expect(aggregate.body).toMatchObject({ kind: "aggregate", flowCount: 1 }); // the arp flow from above
  });

  it("sends FLOW_REMOVED with the flow's cookie and match when a hard timeout expires", async () => {
    sw.send({
      type: "flowMod",
      xid: 70,
      command: "add",
      cookie: 0x7000n,
      priority: 77,
      hardTimeout: 1,
      flags: 1, // OFPFF_SEND_FLOW_REM
      match: { ethType: 0x800, ipv4Src: "192.168.7.0", ipv4SrcMask: "255.255.255.0" },
      instructions: [],
    });
    const removed = await sw.take(is("flowRemoved"), 15_000);
    expect(removed).toMatchObject({ cookie: 0x7000n, priority: 77, reason: 1, hardTimeout: 1, packetCount: 0n });
    expect(removed.match).toEqual({ ethType: 0x800, ipv4Src: "192.168.7.0", ipv4SrcMask: "255.255.255.0" });
  });

  it("decodes PORT_STATUS, port-desc and port-stats for a port added to the bridge", async () => {
    sh("ovs-vsctl", ["add-port", BRIDGE, "fmbof0p1", "--", "set", "interface", "fmbof0p1", "type=internal", "ofport_request=5"]);
    const status = await sw.take(is("portStatus"));
    expect(status.port).toMatchObject({ portNo: 5, name: "fmbof0p1" });
    sw.send({ type: "multipartRequest", xid: 50, body: { kind: "portDesc" } }, { type: "multipartRequest", xid: 51, body: { kind: "portStats", portNo: 5 } });
    const desc = await sw.take(is("multipartReply", 50));
    expect(desc.body.kind === "portDesc" && desc.body.ports.map((p) => p.name)).toContain("fmbof0p1");
    const stats = await sw.take(is("multipartReply", 51));
    expect(stats.body.kind === "portStats" && stats.body.stats[0]?.portNo).toBe(5);
  });

  it("reads back the group and meter installed above with GROUP_DESC, GROUP, METER_CONFIG, METER and the FEATURES replies", async () => {
    sw.send(
      { type: "multipartRequest", xid: 80, body: { kind: "groupDesc" } },
      { type: "multipartRequest", xid: 81, body: { kind: "group" } },
      { type: "multipartRequest", xid: 82, body: { kind: "groupFeatures" } },
      { type: "multipartRequest", xid: 83, body: { kind: "meterConfig" } },
      { type: "multipartRequest", xid: 84, body: { kind: "meter" } },
      { type: "multipartRequest", xid: 85, body: { kind: "meterFeatures" } },
    );
    const groups = (await sw.take(is("multipartReply", 80))).body;
    expect(groups.kind === "groupDesc" && groups.groups).toEqual([
      {
        groupType: "all",
        groupId: 7,
        buckets: [
          { weight: 0, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [{ type: "output", port: 1, maxLen: 0xffff }] },
          { weight: 0, watchPort: 0xffffffff, watchGroup: 0xffffffff, actions: [{ type: "popVlan" }, { type: "output", port: 2, maxLen: 0xffff }] },
        ],
      },
    ]);
    const groupStats = (await sw.take(is("multipartReply", 81))).body;
    expect(groupStats.kind === "group" && groupStats.stats.map((g) => [g.groupId, g.bucketStats.length])).toEqual([[7, 2]]);
    expect((await sw.take(is("multipartReply", 82))).body).toMatchObject({ kind: "groupFeatures", types: 0xf });
    const meters = (await sw.take(is("multipartReply", 83))).body;
    // OVS stores a burst size equal to the rate when the METER_MOD gave none.
    expect(meters.kind === "meterConfig" && meters.meters).toEqual([{ flags: 1, meterId: 5, bands: [{ kind: "drop", rate: 10_000, burstSize: 10_000 }] }]);
    const meterStats = (await sw.take(is("multipartReply", 84))).body;
    expect(meterStats.kind === "meter" && meterStats.stats.map((m) => m.meterId)).toEqual([5]);
    const features = (await sw.take(is("multipartReply", 85))).body;
    expect(features.kind === "meterFeatures" && features.maxMeter).toBeGreaterThan(0);
  });

  it("takes a port down with PORT_MOD and reads the new config back, then brings it up", async () => {
    sw.send({ type: "multipartRequest", xid: 90, body: { kind: "portDesc" } });
    const before = (await sw.take(is("multipartReply", 90))).body;
    const port = before.kind === "portDesc" ? before.ports.find((p) => p.portNo === 5) : undefined;
    if (!port) throw new Error("port 5 missing");
    const setDown = (down: boolean, xid: number) =>
      sw.send({ type: "portMod", xid, portNo: 5, hwAddr: port.hwAddr, config: down ? 1 : 0, mask: 1, advertise: 0 }, { type: "barrierRequest", xid: xid + 1 });
    setDown(true, 91);
    await sw.take(is("barrierReply", 92));
    expect(sw.errors()).toEqual([]);
    expect(sh("ovs-ofctl", ["-O", "OpenFlow13", "dump-ports-desc", BRIDGE])).toMatch(/5\(fmbof0p1\)[^\n]*\n\s+config:\s+PORT_DOWN/);
    setDown(false, 93);
    await sw.take(is("barrierReply", 94));
    sw.send({ type: "multipartRequest", xid: 95, body: { kind: "portDesc" } });
    const after = (await sw.take(is("multipartReply", 95))).body;
    expect(after.kind === "portDesc" && after.ports.find((p) => p.portNo === 5)?.config).toBe(0);
  });

  it("speaks ROLE_REQUEST and GET/SET_ASYNC with OVS, which refuses a stale generation id", async () => {
    sw.send(
      { type: "roleRequest", xid: 100, role: "master", generationId: 10n },
      { type: "setAsync", xid: 101, packetInMask: [1, 0], portStatusMask: [7, 1], flowRemovedMask: [15, 0] },
      { type: "getAsyncRequest", xid: 102 },
      { type: "roleRequest", xid: 103, role: "slave", generationId: 9n },
    );
    expect(await sw.take(is("roleReply", 100))).toEqual({ type: "roleReply", xid: 100, role: "master", generationId: 10n });
    expect(await sw.take(is("getAsyncReply", 102))).toEqual({
      type: "getAsyncReply",
      xid: 102,
      packetInMask: [1, 0],
      portStatusMask: [7, 1],
      flowRemovedMask: [15, 0],
    });
    expect(await sw.take(is("error", 103))).toMatchObject({ errType: OFPET.ROLE_REQUEST_FAILED, code: 0 }); // OFPRRFC_STALE
    // Back to equal, and the async config OVS starts with, for the tests after this one.
    sw.send(
      { type: "roleRequest", xid: 104, role: "equal", generationId: 0n },
      { type: "setAsync", xid: 105, packetInMask: [3, 0], portStatusMask: [7, 7], flowRemovedMask: [15, 0] },
      { type: "barrierRequest", xid: 106 },
    );
    expect(await sw.take(is("roleReply", 104))).toMatchObject({ role: "equal" });
    await sw.take(is("barrierReply", 106));
  });

  it("decodes OVS's whole TABLE_FEATURES reply, every table and property, and re-encodes each part byte for byte", async () => {
    const parts: Buffer[] = [];
    const seen = new Promise<void>((resolve) => {
      const framer = new MessageFramer();
      const onData = (chunk: Buffer) => {
        for (const frame of framer.push(chunk)) {
          if (frame[1] !== 19 || frame.readUInt32BE(4) !== 110) continue;
          parts.push(frame);
          if ((frame.readUInt16BE(10) & 1) === 0) {
            sw.socket.off("data", onData);
            resolve();
          }
        }
      };
      sw.socket.on("data", onData);
    });
    sw.send({ type: "multipartRequest", xid: 110, body: { kind: "tableFeatures", tables: [] } });
    await seen;
    const tables = parts.flatMap((frame) => {
      const m = decodeMessage(frame);
      expect(encodeMessage(m).equals(frame)).toBe(true);
      return m.type === "multipartReply" && m.body.kind === "tableFeatures" ? m.body.tables : [];
    });
    expect(tables.map((t) => t.tableId)).toEqual(Array.from({ length: 254 }, (_, i) => i));
    expect(new Set(tables[0]?.properties.map((p) => p.kind))).toContain("match");
  });
});
