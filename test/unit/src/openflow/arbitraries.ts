// fast-check generators for every OpenFlow message family, in the canonical form decodeMessage returns
// (every defaultable field present), so decode(encode(m)) must equal m exactly.
import fc from "fast-check";
import {
  formatIpv6,
  type Action,
  type Bucket,
  type FeatureId,
  type FlowStats,
  type GroupStats,
  type Instruction,
  type Match,
  type MeterBand,
  type MeterStats,
  type MultipartReplyBody,
  type MultipartRequestBody,
  type OfMessage,
  type OxmId,
  type PacketQueue,
  type PortDesc,
  type PortStats,
  type QueueProperty,
  type QueueStats,
  type RawOxm,
  type TableFeatureProperty,
  type TableFeatures,
} from "../../../../src/openflow/index.js";

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u24 = fc.integer({ min: 0, max: 0xffffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((a) => Array.from(a, (b) => b.toString(16).padStart(2, "0")).join(":"));
const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((a) => Array.from(a).join("."));
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => formatIpv6(Buffer.from(a), 0));
/** Port names as OVS writes them: any UTF-8 without NUL, at most 15 bytes. */
const portName = fc
  .string({ unit: "grapheme", maxLength: 15 })
  .map((s) => s.replaceAll("\0", ""))
  .filter((s) => Buffer.byteLength(s, "utf8") <= 15);
const ascii = (max: number) => fc.array(fc.integer({ min: 32, max: 126 }), { maxLength: max }).map((cs) => String.fromCharCode(...cs));

const rawOxm: fc.Arbitrary<RawOxm> = fc
  .record({
    oxmClass: fc.constantFrom(0x0000, 0x0001, 0x8001, 0xffff),
    field: fc.integer({ min: 0, max: 127 }),
    hasMask: fc.boolean(),
    experimenter: u32,
    value: fc.uint8Array({ minLength: 1, maxLength: 16 }).map((a) => Buffer.from(a)),
  })
  .map(({ experimenter, ...r }) => {
    const withId = r.oxmClass === 0xffff ? { ...r, experimenter } : r;
    return r.hasMask ? { ...withId, mask: Buffer.from(r.value.map((b) => b ^ 0x5a)) } : withId;
  });

/** A match with any subset of the named fields, masks only beside their field. */
export const match: fc.Arbitrary<Match> = fc
  .record(
    {
      inPort: u32,
      inPhyPort: u32,
      metadata: u64,
      metadataMask: u64,
      ethDst: mac,
      ethDstMask: mac,
      ethSrc: mac,
      ethSrcMask: mac,
      ethType: u16,
      vlanVid: u16,
      vlanVidMask: u16,
      vlanPcp: u8,
      ipDscp: u8,
      ipEcn: u8,
      ipProto: u8,
      ipv4Src: ipv4,
      ipv4SrcMask: ipv4,
      ipv4Dst: ipv4,
      ipv4DstMask: ipv4,
      tcpSrc: u16,
      tcpDst: u16,
      udpSrc: u16,
      udpDst: u16,
      icmpv4Type: u8,
      icmpv4Code: u8,
      arpOp: u16,
      arpSpa: ipv4,
      arpSpaMask: ipv4,
      arpTpa: ipv4,
      arpTpaMask: ipv4,
      arpSha: mac,
      arpShaMask: mac,
      arpTha: mac,
      arpThaMask: mac,
      tunnelId: u64,
      tunnelIdMask: u64,
      sctpSrc: u16,
      sctpDst: u16,
      ipv6Src: ipv6,
      ipv6SrcMask: ipv6,
      ipv6Dst: ipv6,
      ipv6DstMask: ipv6,
      ipv6Flabel: u32,
      ipv6FlabelMask: u32,
      icmpv6Type: u8,
      icmpv6Code: u8,
      ipv6NdTarget: ipv6,
      ipv6NdSll: mac,
      ipv6NdTll: mac,
      mplsLabel: u32,
      mplsTc: u8,
      mplsBos: u8,
      pbbIsid: u24,
      pbbIsidMask: u24,
      ipv6Exthdr: u16,
      ipv6ExthdrMask: u16,
      other: fc.array(rawOxm, { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: [] },
  )
  .map((m) => {
    const out = { ...m } as Record<string, unknown>;
    for (const key of Object.keys(out)) {
      if (key.endsWith("Mask") && out[key.slice(0, -4)] === undefined) delete out[key];
    }
    return out as Match;
  });

/** A match holding exactly one unmasked named field, as set_field needs. */
const oneField: fc.Arbitrary<Match> = fc.oneof(
  fc.record({ vlanVid: u16 }),
  fc.record({ ethDst: mac }),
  fc.record({ ipv4Src: ipv4 }),
  fc.record({ tcpDst: u16 }),
  fc.record({ tunnelId: u64 }),
  fc.record({ ipDscp: u8 }),
  fc.record({ ipv6Dst: ipv6 }),
  fc.record({ mplsLabel: u32 }),
  fc.record({ pbbIsid: u24 }),
);

/** Bytes that fill an 8-aligned TLV exactly after `header` bytes. */
const alignedBody = (header: number) =>
  fc.integer({ min: 0, max: 3 }).chain((k) => fc.uint8Array({ minLength: 8 * k + ((8 - header) % 8), maxLength: 8 * k + ((8 - header) % 8) }).map((a) => Buffer.from(a)));

export const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ type: fc.constant("output" as const), port: u32, maxLen: u16 }),
  fc.record({ type: fc.constant("setField" as const), field: oneField }),
  fc.record({ type: fc.constant("pushVlan" as const), ethertype: u16 }),
  fc.constant({ type: "popVlan" as const }),
  fc.record({ type: fc.constant("group" as const), groupId: u32 }),
  fc.record({ type: fc.constant("setQueue" as const), queueId: u32 }),
  fc.constant({ type: "decNwTtl" as const }),
  fc.record({ type: fc.constant("setNwTtl" as const), ttl: u8 }),
  fc.constant({ type: "copyTtlOut" as const }),
  fc.constant({ type: "copyTtlIn" as const }),
  fc.record({ type: fc.constant("setMplsTtl" as const), ttl: u8 }),
  fc.constant({ type: "decMplsTtl" as const }),
  fc.record({ type: fc.constant("pushMpls" as const), ethertype: u16 }),
  fc.record({ type: fc.constant("popMpls" as const), ethertype: u16 }),
  fc.record({ type: fc.constant("pushPbb" as const), ethertype: u16 }),
  fc.constant({ type: "popPbb" as const }),
  fc.record({ type: fc.constant("experimenter" as const), experimenter: u32, body: alignedBody(8) }),
  // Codes OpenFlow 1.3 leaves unnamed (OpenFlow 1.0-era numbers a peer may still send).
  fc.record({ type: fc.constant("raw" as const), actionType: fc.constantFrom(1, 7, 13, 28, 0xfffe), body: alignedBody(4) }),
);

const actions = fc.array(action, { maxLength: 4 });

export const instruction: fc.Arbitrary<Instruction> = fc.oneof(
  fc.record({ type: fc.constant("gotoTable" as const), tableId: u8 }),
  fc.record({ type: fc.constant("writeMetadata" as const), metadata: u64, mask: u64 }),
  fc.record({ type: fc.constant("writeActions" as const), actions }),
  fc.record({ type: fc.constant("applyActions" as const), actions }),
  fc.constant({ type: "clearActions" as const }),
  fc.record({ type: fc.constant("meter" as const), meterId: u32 }),
  fc.record({ type: fc.constant("experimenter" as const), experimenter: u32, body: alignedBody(8) }),
);

const instructions = fc.array(instruction, { maxLength: 3 });

const port: fc.Arbitrary<PortDesc> = fc.record({
  portNo: u32,
  hwAddr: mac,
  name: portName,
  config: u32,
  state: u32,
  curr: u32,
  advertised: u32,
  supported: u32,
  peer: u32,
  currSpeed: u32,
  maxSpeed: u32,
});

const bucket: fc.Arbitrary<Bucket> = fc.record({ weight: u16, watchPort: u32, watchGroup: u32, actions });
const groupType = fc.constantFrom("all" as const, "select" as const, "indirect" as const, "fastFailover" as const);

const band: fc.Arbitrary<MeterBand> = fc.oneof(
  fc.record({ kind: fc.constant("drop" as const), rate: u32, burstSize: u32 }),
  fc.record({ kind: fc.constant("dscpRemark" as const), rate: u32, burstSize: u32, precLevel: u8 }),
  fc.record({ kind: fc.constant("experimenter" as const), rate: u32, burstSize: u32, experimenter: u32 }),
);

const four = fc.tuple(u32, u32, u32, u32);
const experimenterBody = { experimenter: u32, expType: u32, data: bytes(32) };
/** Multipart types OpenFlow 1.3.5 does not name. */
const unnamedMultipart = fc.constantFrom(14, 100, 0xfffe);

const queueStats: fc.Arbitrary<QueueStats> = fc.record({ portNo: u32, queueId: u32, txBytes: u64, txPackets: u64, txErrors: u64, durationSec: u32, durationNsec: u32 });
const groupStats: fc.Arbitrary<GroupStats> = fc.record({
  groupId: u32,
  refCount: u32,
  packetCount: u64,
  byteCount: u64,
  durationSec: u32,
  durationNsec: u32,
  bucketStats: fc.array(fc.record({ packetCount: u64, byteCount: u64 }), { maxLength: 3 }),
});
const meterStats: fc.Arbitrary<MeterStats> = fc.record({
  meterId: u32,
  flowCount: u32,
  packetInCount: u64,
  byteInCount: u64,
  durationSec: u32,
  durationNsec: u32,
  bandStats: fc.array(fc.record({ packetBandCount: u64, byteBandCount: u64 }), { maxLength: 3 }),
});

/** A standard id is its 4-byte header; an experimenter id carries its experimenter id (and maybe data) after it. */
const featureId: fc.Arbitrary<FeatureId> = fc.oneof(
  fc.record({ type: u16 }),
  fc.record({ type: fc.constant(0xffff), data: fc.uint8Array({ minLength: 4, maxLength: 12 }).map((a) => Buffer.from(a)) }),
);
const oxmId: fc.Arbitrary<OxmId> = fc.oneof(
  fc.record({ oxmClass: fc.constantFrom(0x8000, 0x0001), field: fc.integer({ min: 0, max: 127 }), hasMask: fc.boolean(), length: u8 }),
  fc.record({ oxmClass: fc.constant(0xffff), field: fc.integer({ min: 0, max: 127 }), hasMask: fc.boolean(), length: u8, experimenter: u32 }),
);
const tableFeatureProperty: fc.Arbitrary<TableFeatureProperty> = fc.oneof(
  fc.record({ kind: fc.constantFrom("instructions" as const, "instructionsMiss" as const), ids: fc.array(featureId, { maxLength: 4 }) }),
  fc.record({ kind: fc.constantFrom("nextTables" as const, "nextTablesMiss" as const), tableIds: fc.array(u8, { maxLength: 10 }) }),
  fc.record({
    kind: fc.constantFrom("writeActions" as const, "writeActionsMiss" as const, "applyActions" as const, "applyActionsMiss" as const),
    ids: fc.array(featureId, { maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constantFrom(
      "match" as const,
      "wildcards" as const,
      "writeSetfield" as const,
      "writeSetfieldMiss" as const,
      "applySetfield" as const,
      "applySetfieldMiss" as const,
    ),
    oxmIds: fc.array(oxmId, { maxLength: 5 }),
  }),
  fc.record({ kind: fc.constantFrom("experimenter" as const, "experimenterMiss" as const), ...experimenterBody }),
);
const tableFeatures: fc.Arbitrary<TableFeatures> = fc.record({
  tableId: u8,
  name: ascii(31),
  metadataMatch: u64,
  metadataWrite: u64,
  config: u32,
  maxEntries: u32,
  properties: fc.array(tableFeatureProperty, { maxLength: 5 }),
});

const flowFilter = { tableId: u8, outPort: u32, outGroup: u32, cookie: u64, cookieMask: u64, match };

const multipartRequestBody: fc.Arbitrary<MultipartRequestBody> = fc.oneof(
  fc.constant({ kind: "desc" as const }),
  fc.record({ kind: fc.constant("flow" as const), ...flowFilter }),
  fc.record({ kind: fc.constant("aggregate" as const), ...flowFilter }),
  fc.record({ kind: fc.constant("portStats" as const), portNo: u32 }),
  fc.constant({ kind: "table" as const }),
  fc.constant({ kind: "portDesc" as const }),
  fc.record({ kind: fc.constant("queueStats" as const), portNo: u32, queueId: u32 }),
  fc.record({ kind: fc.constant("group" as const), groupId: u32 }),
  fc.constant({ kind: "groupDesc" as const }),
  fc.constant({ kind: "groupFeatures" as const }),
  fc.record({ kind: fc.constant("meter" as const), meterId: u32 }),
  fc.record({ kind: fc.constant("meterConfig" as const), meterId: u32 }),
  fc.constant({ kind: "meterFeatures" as const }),
  fc.record({ kind: fc.constant("tableFeatures" as const), tables: fc.array(tableFeatures, { maxLength: 2 }) }),
  fc.record({ kind: fc.constant("experimenter" as const), ...experimenterBody }),
  fc.record({ kind: fc.constant("raw" as const), mpType: unnamedMultipart, data: bytes(32) }),
);

const flowStats: fc.Arbitrary<FlowStats> = fc.record({
  tableId: u8,
  durationSec: u32,
  durationNsec: u32,
  priority: u16,
  idleTimeout: u16,
  hardTimeout: u16,
  flags: u16,
  cookie: u64,
  packetCount: u64,
  byteCount: u64,
  match,
  instructions,
});

const portStats: fc.Arbitrary<PortStats> = fc.record({
  portNo: u32,
  rxPackets: u64,
  txPackets: u64,
  rxBytes: u64,
  txBytes: u64,
  rxDropped: u64,
  txDropped: u64,
  rxErrors: u64,
  txErrors: u64,
  rxFrameErr: u64,
  rxOverErr: u64,
  rxCrcErr: u64,
  collisions: u64,
  durationSec: u32,
  durationNsec: u32,
});

const multipartReplyBody: fc.Arbitrary<MultipartReplyBody> = fc.oneof(
  fc.record({ kind: fc.constant("desc" as const), mfrDesc: ascii(40), hwDesc: ascii(40), swDesc: ascii(40), serialNum: ascii(31), dpDesc: ascii(40) }),
  fc.record({ kind: fc.constant("flow" as const), stats: fc.array(flowStats, { maxLength: 3 }) }),
  fc.record({ kind: fc.constant("aggregate" as const), packetCount: u64, byteCount: u64, flowCount: u32 }),
  fc.record({ kind: fc.constant("portStats" as const), stats: fc.array(portStats, { maxLength: 3 }) }),
  fc.record({
    kind: fc.constant("table" as const),
    stats: fc.array(fc.record({ tableId: u8, activeCount: u32, lookupCount: u64, matchedCount: u64 }), { maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant("portDesc" as const), ports: fc.array(port, { maxLength: 4 }) }),
  fc.record({ kind: fc.constant("queueStats" as const), stats: fc.array(queueStats, { maxLength: 3 }) }),
  fc.record({ kind: fc.constant("group" as const), stats: fc.array(groupStats, { maxLength: 3 }) }),
  fc.record({
    kind: fc.constant("groupDesc" as const),
    groups: fc.array(fc.record({ groupType, groupId: u32, buckets: fc.array(bucket, { maxLength: 2 }) }), { maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant("groupFeatures" as const), types: u32, capabilities: u32, maxGroups: four, actions: four }),
  fc.record({ kind: fc.constant("meter" as const), stats: fc.array(meterStats, { maxLength: 3 }) }),
  fc.record({
    kind: fc.constant("meterConfig" as const),
    meters: fc.array(fc.record({ flags: u16, meterId: u32, bands: fc.array(band, { maxLength: 3 }) }), { maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant("meterFeatures" as const), maxMeter: u32, bandTypes: u32, capabilities: u32, maxBands: u8, maxColor: u8 }),
  fc.record({ kind: fc.constant("tableFeatures" as const), tables: fc.array(tableFeatures, { maxLength: 2 }) }),
  fc.record({ kind: fc.constant("experimenter" as const), ...experimenterBody }),
  fc.record({ kind: fc.constant("raw" as const), mpType: unnamedMultipart, data: bytes(32) }),
);


const xid = u32;
const role = fc.constantFrom("noChange" as const, "equal" as const, "master" as const, "slave" as const);
const maskPair = fc.tuple(u32, u32);
const asyncConfig = { packetInMask: maskPair, portStatusMask: maskPair, flowRemovedMask: maskPair };

const queueProperty: fc.Arbitrary<QueueProperty> = fc.oneof(
  fc.record({ kind: fc.constant("minRate" as const), rate: u16 }),
  fc.record({ kind: fc.constant("maxRate" as const), rate: u16 }),
  fc.record({ kind: fc.constant("experimenter" as const), experimenter: u32, data: bytes(24) }),
);
const packetQueue: fc.Arbitrary<PacketQueue> = fc.record({ queueId: u32, port: u32, properties: fc.array(queueProperty, { maxLength: 3 }) });

/** One arbitrary per message family, keyed by `type`, so tests can report which family failed. */
export const messageByType: Record<OfMessage["type"], fc.Arbitrary<OfMessage>> = {
  hello: fc.record(
    {
      type: fc.constant("hello" as const),
      xid,
      version: fc.integer({ min: 1, max: 6 }),
      versions: fc.uniqueArray(fc.integer({ min: 0, max: 70 }), { maxLength: 6 }).map((vs) => vs.sort((a, b) => a - b)),
    },
    { requiredKeys: ["type", "xid", "version"] },
  ),
  error: fc.oneof(
    fc.record({ type: fc.constant("error" as const), xid, errType: fc.integer({ min: 0, max: 13 }), code: u16, data: bytes(64) }),
    fc.record({ type: fc.constant("error" as const), xid, errType: fc.constant(0xffff), code: u16, experimenter: u32, data: bytes(64) }),
  ),
  echoRequest: fc.record({ type: fc.constant("echoRequest" as const), xid, data: bytes(64) }),
  echoReply: fc.record({ type: fc.constant("echoReply" as const), xid, data: bytes(64) }),
  featuresRequest: fc.record({ type: fc.constant("featuresRequest" as const), xid }),
  featuresReply: fc.record({ type: fc.constant("featuresReply" as const), xid, datapathId: u64, nBuffers: u32, nTables: u8, auxiliaryId: u8, capabilities: u32 }),
  getConfigRequest: fc.record({ type: fc.constant("getConfigRequest" as const), xid }),
  getConfigReply: fc.record({ type: fc.constant("getConfigReply" as const), xid, flags: u16, missSendLen: u16 }),
  setConfig: fc.record({ type: fc.constant("setConfig" as const), xid, flags: u16, missSendLen: u16 }),
  packetIn: fc.record({
    type: fc.constant("packetIn" as const),
    xid,
    bufferId: u32,
    totalLen: u16,
    reason: u8,
    tableId: u8,
    cookie: u64,
    match,
    data: bytes(128),
  }),
  packetOut: fc.record({ type: fc.constant("packetOut" as const), xid, bufferId: u32, inPort: u32, actions, data: bytes(128) }),
  flowMod: fc.record({
    type: fc.constant("flowMod" as const),
    xid,
    command: fc.constantFrom("add" as const, "modify" as const, "modifyStrict" as const, "delete" as const, "deleteStrict" as const),
    cookie: u64,
    cookieMask: u64,
    tableId: u8,
    idleTimeout: u16,
    hardTimeout: u16,
    priority: u16,
    bufferId: u32,
    outPort: u32,
    outGroup: u32,
    flags: u16,
    match,
    instructions,
  }),
  flowRemoved: fc.record({
    type: fc.constant("flowRemoved" as const),
    xid,
    cookie: u64,
    priority: u16,
    reason: u8,
    tableId: u8,
    durationSec: u32,
    durationNsec: u32,
    idleTimeout: u16,
    hardTimeout: u16,
    packetCount: u64,
    byteCount: u64,
    match,
  }),
  portStatus: fc.record({ type: fc.constant("portStatus" as const), xid, reason: u8, port }),
  barrierRequest: fc.record({ type: fc.constant("barrierRequest" as const), xid }),
  barrierReply: fc.record({ type: fc.constant("barrierReply" as const), xid }),
  multipartRequest: fc.record({ type: fc.constant("multipartRequest" as const), xid, flags: u16, body: multipartRequestBody }),
  multipartReply: fc.record({ type: fc.constant("multipartReply" as const), xid, flags: u16, body: multipartReplyBody }),
  groupMod: fc.record({
    type: fc.constant("groupMod" as const),
    xid,
    command: fc.constantFrom("add" as const, "modify" as const, "delete" as const),
    groupType,
    groupId: u32,
    buckets: fc.array(bucket, { maxLength: 3 }),
  }),
  meterMod: fc.record({
    type: fc.constant("meterMod" as const),
    xid,
    command: fc.constantFrom("add" as const, "modify" as const, "delete" as const),
    flags: u16,
    meterId: u32,
    bands: fc.array(band, { maxLength: 3 }),
  }),
  roleRequest: fc.record({ type: fc.constant("roleRequest" as const), xid, role, generationId: u64 }),
  roleReply: fc.record({ type: fc.constant("roleReply" as const), xid, role, generationId: u64 }),
  getAsyncRequest: fc.record({ type: fc.constant("getAsyncRequest" as const), xid }),
  getAsyncReply: fc.record({ type: fc.constant("getAsyncReply" as const), xid, ...asyncConfig }),
  setAsync: fc.record({ type: fc.constant("setAsync" as const), xid, ...asyncConfig }),
  portMod: fc.record({ type: fc.constant("portMod" as const), xid, portNo: u32, hwAddr: mac, config: u32, mask: u32, advertise: u32 }),
  tableMod: fc.record({ type: fc.constant("tableMod" as const), xid, tableId: u8, config: u32 }),
  queueGetConfigRequest: fc.record({ type: fc.constant("queueGetConfigRequest" as const), xid, port: u32 }),
  queueGetConfigReply: fc.record({ type: fc.constant("queueGetConfigReply" as const), xid, port: u32, queues: fc.array(packetQueue, { maxLength: 3 }) }),
  experimenter: fc.record({ type: fc.constant("experimenter" as const), xid, experimenter: u32, expType: u32, data: bytes(48) }),
};

export const anyMessage: fc.Arbitrary<OfMessage> = fc.oneof(...Object.values(messageByType));
