// A mixed stream with every message family of the codec (src/openflow/message-table.ts) and every multipart
// body kind, for the codec throughput part of `bench controller`. The record types make the type checker
// refuse a stream that misses a family: a new message type must bring its sample here.
import type { MessageOf } from "../src/openflow/message-table.js";
import type { Match, MultipartReplyBody, MultipartRequestBody, OfMessage, OfMessageType, PortDesc, TableFeatures } from "../src/openflow/messages.js";

type Kind<B extends { kind: string }> = B["kind"];

const match: Match = { inPort: 1, ethType: 0x0800, ipv4Src: "10.0.0.0", ipv4SrcMask: "255.0.0.0", ipProto: 6, tcpDst: 80 };
const port: PortDesc = {
  portNo: 1,
  hwAddr: "5a:9d:08:dc:9c:80",
  name: "fmbp1",
  config: 0,
  state: 4,
  curr: 0x840,
  advertised: 0,
  supported: 0,
  peer: 0,
  currSpeed: 10_000_000,
  maxSpeed: 0,
};
const frame = Buffer.alloc(60, 0xab);
const table: TableFeatures = {
  tableId: 0,
  name: "classifier",
  metadataMatch: 0xffffffffffffffffn,
  metadataWrite: 0xffffffffffffffffn,
  config: 0,
  maxEntries: 1_000_000,
  properties: [
    { kind: "instructions", ids: [1, 2, 3, 4, 5, 6].map((type) => ({ type })) },
    { kind: "nextTables", tableIds: [1, 2, 3] },
    { kind: "writeActions", ids: [0, 17, 25].map((type) => ({ type })) },
    { kind: "applyActions", ids: [0, 17, 25].map((type) => ({ type })) },
    { kind: "match", oxmIds: [{ oxmClass: 0x8000, field: 0, hasMask: false, length: 4 }] },
    { kind: "wildcards", oxmIds: [{ oxmClass: 0x8000, field: 0, hasMask: false, length: 4 }] },
    { kind: "writeSetfield", oxmIds: [{ oxmClass: 0x8000, field: 6, hasMask: false, length: 2 }] },
    { kind: "applySetfield", oxmIds: [{ oxmClass: 0x8000, field: 6, hasMask: false, length: 2 }] },
  ],
};

const REQUESTS: { [K in Kind<MultipartRequestBody>]: Extract<MultipartRequestBody, { kind: K }> } = {
  desc: { kind: "desc" },
  flow: { kind: "flow", tableId: 0xff, match },
  aggregate: { kind: "aggregate", tableId: 0xff, match: {} },
  portStats: { kind: "portStats" },
  table: { kind: "table" },
  portDesc: { kind: "portDesc" },
  queueStats: { kind: "queueStats" },
  group: { kind: "group" },
  groupDesc: { kind: "groupDesc" },
  groupFeatures: { kind: "groupFeatures" },
  meter: { kind: "meter" },
  meterConfig: { kind: "meterConfig" },
  meterFeatures: { kind: "meterFeatures" },
  tableFeatures: { kind: "tableFeatures", tables: [] },
  experimenter: { kind: "experimenter", experimenter: 0x2320, expType: 3, data: Buffer.alloc(0) },
  raw: { kind: "raw", mpType: 0xfffe, data: Buffer.alloc(8) },
};

const counters = { packetCount: 10n, byteCount: 600n };
const REPLIES: { [K in Kind<MultipartReplyBody>]: Extract<MultipartReplyBody, { kind: K }> } = {
  desc: { kind: "desc", mfrDesc: "Nicira, Inc.", hwDesc: "Open vSwitch", swDesc: "3.1.0", serialNum: "None", dpDesc: "fmbbench0" },
  flow: {
    kind: "flow",
    stats: [0, 1, 2].map((i) => ({
      tableId: 0,
      durationSec: i,
      durationNsec: 0,
      priority: 100,
      idleTimeout: 0,
      hardTimeout: 0,
      flags: 0,
      cookie: 0n,
      ...counters,
      match: { ...match, tcpDst: 80 + i },
      instructions: [{ type: "applyActions", actions: [{ type: "output", port: 2 }] }],
    })),
  },
  aggregate: { kind: "aggregate", ...counters, flowCount: 3 },
  portStats: {
    kind: "portStats",
    stats: [1, 2].map((portNo) => ({
      portNo,
      rxPackets: 1n,
      txPackets: 2n,
      rxBytes: 60n,
      txBytes: 120n,
      rxDropped: 0n,
      txDropped: 0n,
      rxErrors: 0n,
      txErrors: 0n,
      rxFrameErr: 0n,
      rxOverErr: 0n,
      rxCrcErr: 0n,
      collisions: 0n,
      durationSec: 5,
      durationNsec: 0,
    })),
  },
  table: { kind: "table", stats: [0, 1].map((tableId) => ({ tableId, activeCount: 3, lookupCount: 100n, matchedCount: 90n })) },
  portDesc: { kind: "portDesc", ports: [port, { ...port, portNo: 2, name: "fmbp2" }] },
  queueStats: { kind: "queueStats", stats: [{ portNo: 1, queueId: 0, txBytes: 60n, txPackets: 1n, txErrors: 0n, durationSec: 1, durationNsec: 0 }] },
  group: { kind: "group", stats: [{ groupId: 1, refCount: 1, ...counters, durationSec: 1, durationNsec: 0, bucketStats: [counters, counters] }] },
  groupDesc: {
    kind: "groupDesc",
    groups: [{ groupType: "select", groupId: 1, buckets: [1, 2].map((p) => ({ weight: 10 * p, actions: [{ type: "output" as const, port: p }] })) }],
  },
  groupFeatures: { kind: "groupFeatures", types: 0xf, capabilities: 7, maxGroups: [65535, 65535, 65535, 65535], actions: [0x1ffff, 0x1ffff, 0x1ffff, 0x1ffff] },
  meter: { kind: "meter", stats: [{ meterId: 1, flowCount: 1, packetInCount: 10n, byteInCount: 600n, durationSec: 1, durationNsec: 0, bandStats: [{ packetBandCount: 0n, byteBandCount: 0n }] }] },
  meterConfig: { kind: "meterConfig", meters: [{ flags: 0b1101, meterId: 1, bands: [{ kind: "drop", rate: 1000, burstSize: 100 }] }] },
  meterFeatures: { kind: "meterFeatures", maxMeter: 262144, bandTypes: 2, capabilities: 0xf, maxBands: 8, maxColor: 0 },
  tableFeatures: { kind: "tableFeatures", tables: [table] },
  // NXST_IPFIX_BRIDGE's reply (Nicira), as long as OVS expects it.
  experimenter: { kind: "experimenter", experimenter: 0x2320, expType: 3, data: Buffer.alloc(88) },
  raw: { kind: "raw", mpType: 0xfffe, data: Buffer.alloc(8) },
};

const SAMPLES: { [K in OfMessageType]: MessageOf<K>[] } = {
  hello: [{ type: "hello", xid: 1, version: 4, versions: [4] }],
  // BAD_MATCH/BAD_NW_ADDR_MASK carrying the head of the message it refuses.
  error: [{ type: "error", xid: 2, errType: 4, code: 4, data: Buffer.from("040e00900000000600000000000012340000000000000000", "hex") }],
  echoRequest: [{ type: "echoRequest", xid: 3, data: Buffer.alloc(8) }],
  echoReply: [{ type: "echoReply", xid: 3, data: Buffer.alloc(8) }],
  featuresRequest: [{ type: "featuresRequest", xid: 4 }],
  featuresReply: [{ type: "featuresReply", xid: 4, datapathId: 0xfbe01n, nBuffers: 0, nTables: 254, auxiliaryId: 0, capabilities: 0x4f }],
  getConfigRequest: [{ type: "getConfigRequest", xid: 5 }],
  getConfigReply: [{ type: "getConfigReply", xid: 5, flags: 0, missSendLen: 0xffff }],
  setConfig: [{ type: "setConfig", xid: 6, flags: 0, missSendLen: 0xffff }],
  packetIn: [{ type: "packetIn", xid: 0, bufferId: 0xffffffff, totalLen: 60, reason: 0, tableId: 0, cookie: 0n, match: { inPort: 1 }, data: frame }],
  packetOut: [{ type: "packetOut", xid: 7, inPort: 0xfffffffd, actions: [{ type: "output", port: 2 }], data: frame }],
  flowMod: [
    {
      type: "flowMod",
      xid: 8,
      command: "add",
      priority: 100,
      match,
      instructions: [{ type: "applyActions", actions: [{ type: "pushVlan" }, { type: "setField", field: { vlanVid: 0x1064 } }, { type: "output", port: 2 }] }],
    },
  ],
  flowRemoved: [
    { type: "flowRemoved", xid: 0, cookie: 1n, priority: 100, reason: 0, tableId: 0, durationSec: 5, durationNsec: 0, idleTimeout: 5, hardTimeout: 0, ...counters, match },
  ],
  portStatus: [{ type: "portStatus", xid: 0, reason: 2, port }],
  barrierRequest: [{ type: "barrierRequest", xid: 9 }],
  barrierReply: [{ type: "barrierReply", xid: 9 }],
  multipartRequest: Object.values(REQUESTS).map((body, i) => ({ type: "multipartRequest" as const, xid: 100 + i, flags: 0, body })),
  multipartReply: Object.values(REPLIES).map((body, i) => ({ type: "multipartReply" as const, xid: 100 + i, flags: 0, body })),
  groupMod: [{ type: "groupMod", xid: 10, command: "add", groupType: "select", groupId: 1, buckets: [{ weight: 10, actions: [{ type: "output", port: 1 }] }] }],
  meterMod: [{ type: "meterMod", xid: 11, command: "add", flags: 0b1101, meterId: 1, bands: [{ kind: "drop", rate: 1000, burstSize: 100 }] }],
  roleRequest: [{ type: "roleRequest", xid: 12, role: "master", generationId: 5n }],
  roleReply: [{ type: "roleReply", xid: 12, role: "master", generationId: 5n }],
  getAsyncRequest: [{ type: "getAsyncRequest", xid: 13 }],
  getAsyncReply: [{ type: "getAsyncReply", xid: 13, packetInMask: [3, 0], portStatusMask: [7, 7], flowRemovedMask: [15, 0] }],
  setAsync: [{ type: "setAsync", xid: 14, packetInMask: [3, 0], portStatusMask: [7, 7], flowRemovedMask: [15, 0] }],
  portMod: [{ type: "portMod", xid: 15, portNo: 1, hwAddr: "5a:9d:08:dc:9c:80", config: 1, mask: 1, advertise: 0 }],
  tableMod: [{ type: "tableMod", xid: 16, tableId: 0, config: 0 }],
  queueGetConfigRequest: [{ type: "queueGetConfigRequest", xid: 17, port: 1 }],
  queueGetConfigReply: [{ type: "queueGetConfigReply", xid: 17, port: 1, queues: [{ queueId: 1, port: 1, properties: [{ kind: "minRate", rate: 100 }] }] }],
  experimenter: [{ type: "experimenter", xid: 18, experimenter: 0x4f4e4600, expType: 2300, data: Buffer.from("0000000000000003", "hex") }],
};

/** One sample of every family (multipart: one per body kind), each with the family it stands for. */
export function codecSamples(): Array<{ family: string; msg: OfMessage }> {
  const out: Array<{ family: string; msg: OfMessage }> = [];
  for (const [type, msgs] of Object.entries(SAMPLES) as Array<[OfMessageType, OfMessage[]]>) {
    for (const msg of msgs) {
      const kind = msg.type === "multipartRequest" || msg.type === "multipartReply" ? `/${msg.body.kind}` : "";
      out.push({ family: `${type}${kind}`, msg });
    }
  }
  return out;
}
