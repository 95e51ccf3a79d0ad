// OpenFlow 1.3 messages as plain data: a discriminated union on `type`.
// Encoding fills the optional fields with the spec defaults noted beside them;
// decoding always fills every field, so decode(encode(m)) is total for full messages.

/** OXM match fields (OFPMT_OXM). A field left undefined is a wildcard. A `...Mask` applies only with its field. */
export interface Match {
  inPort?: number;
  inPhyPort?: number;
  metadata?: bigint;
  metadataMask?: bigint;
  /** "aa:bb:cc:dd:ee:ff", lower case. */
  ethDst?: string;
  ethDstMask?: string;
  ethSrc?: string;
  ethSrcMask?: string;
  ethType?: number;
  /** 13 bits: VLAN id | OFPVID_PRESENT (0x1000); OFPVID_NONE (0) matches untagged frames. */
  vlanVid?: number;
  vlanVidMask?: number;
  vlanPcp?: number;
  ipDscp?: number;
  ipEcn?: number;
  ipProto?: number;
  /** Dotted quad, e.g. "10.0.0.1"; masks too ("255.255.255.0"). */
  ipv4Src?: string;
  ipv4SrcMask?: string;
  ipv4Dst?: string;
  ipv4DstMask?: string;
  tcpSrc?: number;
  tcpDst?: number;
  udpSrc?: number;
  udpDst?: number;
  icmpv4Type?: number;
  icmpv4Code?: number;
  arpOp?: number;
  arpSpa?: string;
  arpSpaMask?: string;
  arpTpa?: string;
  arpTpaMask?: string;
  arpSha?: string;
  arpShaMask?: string;
  arpTha?: string;
  arpThaMask?: string;
  tunnelId?: bigint;
  tunnelIdMask?: bigint;
  sctpSrc?: number;
  sctpDst?: number;
  /** IPv6 text, compressed lower case when decoded ("fe80::1"); masks too. */
  ipv6Src?: string;
  ipv6SrcMask?: string;
  ipv6Dst?: string;
  ipv6DstMask?: string;
  /** 20-bit flow label. */
  ipv6Flabel?: number;
  ipv6FlabelMask?: number;
  icmpv6Type?: number;
  icmpv6Code?: number;
  ipv6NdTarget?: string;
  ipv6NdSll?: string;
  ipv6NdTll?: string;
  /** 20-bit label. */
  mplsLabel?: number;
  mplsTc?: number;
  mplsBos?: number;
  /** 24-bit I-SID. */
  pbbIsid?: number;
  pbbIsidMask?: number;
  /** OFPIEH_* flags (9 bits). */
  ipv6Exthdr?: number;
  ipv6ExthdrMask?: number;
  /** OXM TLVs this codec does not name (other classes or fields), kept verbatim. */
  other?: RawOxm[];
  /**
   * The order the OXMs came in, set (not enumerable) by the decoder only when it differs from ours, so
   * re-encoding a decoded match gives back the peer's bytes. Matches that differ only here are equal.
   */
  [OXM_ORDER]?: readonly OxmSlot[];
}

/** Key of Match[OXM_ORDER]. */
export const OXM_ORDER: unique symbol = Symbol("oxmOrder");

/** One OXM in wire order: a named field (with its mask), or an index into `other`. */
export type OxmSlot = NamedMatchKey | number;

export type NamedMatchKey = Exclude<keyof Match, "other" | typeof OXM_ORDER>;

export interface RawOxm {
  oxmClass: number;
  field: number;
  hasMask: boolean;
  /** Only for the experimenter class (0xffff): the 4-byte experimenter id that precedes value and mask. */
  experimenter?: number;
  value: Buffer;
  mask?: Buffer;
}

export type Action =
  | { type: "output"; port: number; /** default OFPCML_NO_BUFFER */ maxLen?: number }
  /** `field` names exactly one match field, without a mask. */
  | { type: "setField"; field: Match }
  | { type: "pushVlan"; /** default 0x8100 */ ethertype?: number }
  | { type: "popVlan" }
  | { type: "group"; groupId: number }
  | { type: "setQueue"; queueId: number }
  | { type: "decNwTtl" }
  | { type: "setNwTtl"; ttl: number }
  | { type: "copyTtlOut" }
  | { type: "copyTtlIn" }
  | { type: "setMplsTtl"; ttl: number }
  | { type: "decMplsTtl" }
  | { type: "pushMpls"; ethertype: number }
  | { type: "popMpls"; /** the ethertype of the payload after the pop */ ethertype: number }
  | { type: "pushPbb"; ethertype: number }
  | { type: "popPbb" }
  /** OFPAT_EXPERIMENTER: the experimenter id and the bytes after it (zero padded to 8 on the wire). */
  | { type: "experimenter"; experimenter: number; body: Buffer }
  /** An action this codec does not name: its type code and the bytes after its 4-byte header. */
  | { type: "raw"; actionType: number; body: Buffer };

export type Instruction =
  | { type: "gotoTable"; tableId: number }
  | { type: "writeMetadata"; metadata: bigint; mask: bigint }
  | { type: "writeActions"; actions: Action[] }
  | { type: "applyActions"; actions: Action[] }
  | { type: "clearActions" }
  | { type: "meter"; meterId: number }
  /** OFPIT_EXPERIMENTER: the experimenter id and the bytes after it (zero padded to 8 on the wire). */
  | { type: "experimenter"; experimenter: number; body: Buffer };

/** struct ofp_port */
export interface PortDesc {
  portNo: number;
  hwAddr: string;
  /** UTF-8, at most 15 bytes (encoding a longer name throws RangeError). */
  name: string;
  config: number;
  state: number;
  curr: number;
  advertised: number;
  supported: number;
  peer: number;
  currSpeed: number;
  maxSpeed: number;
}

export interface Hello {
  type: "hello";
  xid: number;
  /** Header version; encode default OFP_VERSION. The peer's highest version when it sends no bitmap. */
  version?: number;
  /** Versions from the OFPHET_VERSIONBITMAP element; undefined when the HELLO carries none. */
  versions?: number[];
}

export interface ErrorMessage {
  type: "error";
  xid: number;
  /** OFPET_* (0xffff = experimenter) */
  errType: number;
  /** OFP*C_* code; for experimenter errors the exp_type. */
  code: number;
  /** Only for errType 0xffff. */
  experimenter?: number;
  /** Usually the first 64 bytes of the offending message. */
  data: Buffer;
}

export interface EchoRequest {
  type: "echoRequest";
  xid: number;
  data?: Buffer;
}
export interface EchoReply {
  type: "echoReply";
  xid: number;
  data?: Buffer;
}
export interface FeaturesRequest {
  type: "featuresRequest";
  xid: number;
}
export interface FeaturesReply {
  type: "featuresReply";
  xid: number;
  datapathId: bigint;
  nBuffers: number;
  nTables: number;
  auxiliaryId: number;
  capabilities: number;
}
export interface GetConfigRequest {
  type: "getConfigRequest";
  xid: number;
}
export interface GetConfigReply {
  type: "getConfigReply";
  xid: number;
  flags: number;
  missSendLen: number;
}
export interface SetConfig {
  type: "setConfig";
  xid: number;
  flags: number;
  missSendLen: number;
}

export interface PacketIn {
  type: "packetIn";
  xid: number;
  bufferId: number;
  totalLen: number;
  /** OFPR_NO_MATCH 0, OFPR_ACTION 1, OFPR_INVALID_TTL 2 */
  reason: number;
  tableId: number;
  cookie: bigint;
  match: Match;
  data: Buffer;
}

export interface PacketOut {
  type: "packetOut";
  xid: number;
  /** default OFP_NO_BUFFER */
  bufferId?: number;
  /** default OFPP_CONTROLLER */
  inPort?: number;
  actions: Action[];
  /** default empty */
  data?: Buffer;
}

export type FlowModCommand = "add" | "modify" | "modifyStrict" | "delete" | "deleteStrict";

export interface FlowMod {
  type: "flowMod";
  xid: number;
  command: FlowModCommand;
  /** Defaults: cookie 0n, cookieMask 0n, tableId 0, idle/hard 0, priority 0x8000,
   * bufferId OFP_NO_BUFFER, outPort/outGroup OFPP_ANY/OFPG_ANY, flags 0, match {}, instructions []. */
  cookie?: bigint;
  cookieMask?: bigint;
  tableId?: number;
  idleTimeout?: number;
  hardTimeout?: number;
  priority?: number;
  bufferId?: number;
  outPort?: number;
  outGroup?: number;
  /** OFPFF_SEND_FLOW_REM 1, CHECK_OVERLAP 2, RESET_COUNTS 4, NO_PKT_COUNTS 8, NO_BYT_COUNTS 16 */
  flags?: number;
  match?: Match;
  instructions?: Instruction[];
}

export interface FlowRemoved {
  type: "flowRemoved";
  xid: number;
  cookie: bigint;
  priority: number;
  /** OFPRR_IDLE_TIMEOUT 0, HARD_TIMEOUT 1, DELETE 2, GROUP_DELETE 3 */
  reason: number;
  tableId: number;
  durationSec: number;
  durationNsec: number;
  idleTimeout: number;
  hardTimeout: number;
  packetCount: bigint;
  byteCount: bigint;
  match: Match;
}

export interface PortStatus {
  type: "portStatus";
  xid: number;
  /** OFPPR_ADD 0, DELETE 1, MODIFY 2 */
  reason: number;
  port: PortDesc;
}

export interface BarrierRequest {
  type: "barrierRequest";
  xid: number;
}
export interface BarrierReply {
  type: "barrierReply";
  xid: number;
}

/** Body of OFPMP_FLOW and OFPMP_AGGREGATE requests. Defaults as in FlowMod; tableId default OFPTT_ALL. */
export interface FlowStatsFilter {
  tableId?: number;
  outPort?: number;
  outGroup?: number;
  cookie?: bigint;
  cookieMask?: bigint;
  match?: Match;
}

export type MultipartRequestBody =
  | { kind: "desc" }
  | ({ kind: "flow" } & FlowStatsFilter)
  | ({ kind: "aggregate" } & FlowStatsFilter)
  | { kind: "portStats"; /** default OFPP_ANY */ portNo?: number }
  | { kind: "table" }
  | { kind: "portDesc" }
  | { kind: "queueStats"; /** default OFPP_ANY */ portNo?: number; /** default OFPQ_ALL */ queueId?: number }
  | { kind: "group"; /** default OFPG_ALL */ groupId?: number }
  | { kind: "groupDesc" }
  | { kind: "groupFeatures" }
  | { kind: "meter"; /** default OFPM_ALL */ meterId?: number }
  | { kind: "meterConfig"; /** default OFPM_ALL */ meterId?: number }
  | { kind: "meterFeatures" }
  /** Empty `tables` reads the features; a list asks the switch to set them. */
  | { kind: "tableFeatures"; tables: TableFeatures[] }
  | ({ kind: "experimenter" } & ExperimenterBody)
  /** A multipart type this codec does not name, body kept verbatim. */
  | { kind: "raw"; mpType: number; data: Buffer };

/** ofp_experimenter_multipart_header and what follows it. */
export interface ExperimenterBody {
  experimenter: number;
  expType: number;
  data: Buffer;
}

export interface QueueStats {
  portNo: number;
  queueId: number;
  txBytes: bigint;
  txPackets: bigint;
  txErrors: bigint;
  durationSec: number;
  durationNsec: number;
}

export interface GroupStats {
  groupId: number;
  refCount: number;
  packetCount: bigint;
  byteCount: bigint;
  durationSec: number;
  durationNsec: number;
  bucketStats: { packetCount: bigint; byteCount: bigint }[];
}

/** A group as the switch holds it (ofp_group_desc). */
export interface GroupDesc {
  groupType: GroupType;
  groupId: number;
  buckets: Bucket[];
}

export interface GroupFeatures {
  /** Bitmap of OFPGT_* supported */
  types: number;
  /** OFPGFC_* */
  capabilities: number;
  /** Per group type (all, select, indirect, fast failover). */
  maxGroups: [number, number, number, number];
  /** Bitmaps of OFPAT_* per group type. */
  actions: [number, number, number, number];
}

export interface MeterStats {
  meterId: number;
  flowCount: number;
  packetInCount: bigint;
  byteInCount: bigint;
  durationSec: number;
  durationNsec: number;
  bandStats: { packetBandCount: bigint; byteBandCount: bigint }[];
}

/** A meter as the switch holds it (ofp_meter_config). */
export interface MeterConfig {
  flags: number;
  meterId: number;
  bands: MeterBand[];
}

export interface MeterFeatures {
  maxMeter: number;
  /** Bitmap of (1 << OFPMBT_*) */
  bandTypes: number;
  /** OFPMF_* */
  capabilities: number;
  maxBands: number;
  maxColor: number;
}

/** An instruction or action type in a table-features property; `data` is what follows its 4-byte header (experimenter id...), present when not empty. */
export interface FeatureId {
  type: number;
  data?: Buffer;
}

/** An OXM header in a table-features property; experimenter-class headers carry their experimenter id. */
export interface OxmId {
  oxmClass: number;
  field: number;
  hasMask: boolean;
  length: number;
  experimenter?: number;
}

export type TableFeatureProperty =
  | { kind: "instructions" | "instructionsMiss"; ids: FeatureId[] }
  | { kind: "nextTables" | "nextTablesMiss"; tableIds: number[] }
  | { kind: "writeActions" | "writeActionsMiss" | "applyActions" | "applyActionsMiss"; ids: FeatureId[] }
  | { kind: "match" | "wildcards" | "writeSetfield" | "writeSetfieldMiss" | "applySetfield" | "applySetfieldMiss"; oxmIds: OxmId[] }
  | ({ kind: "experimenter" | "experimenterMiss" } & ExperimenterBody);

/** struct ofp_table_features */
export interface TableFeatures {
  tableId: number;
  name: string;
  metadataMatch: bigint;
  metadataWrite: bigint;
  config: number;
  maxEntries: number;
  properties: TableFeatureProperty[];
}

export interface FlowStats {
  tableId: number;
  durationSec: number;
  durationNsec: number;
  priority: number;
  idleTimeout: number;
  hardTimeout: number;
  flags: number;
  cookie: bigint;
  packetCount: bigint;
  byteCount: bigint;
  match: Match;
  instructions: Instruction[];
}

export interface PortStats {
  portNo: number;
  rxPackets: bigint;
  txPackets: bigint;
  rxBytes: bigint;
  txBytes: bigint;
  rxDropped: bigint;
  txDropped: bigint;
  rxErrors: bigint;
  txErrors: bigint;
  rxFrameErr: bigint;
  rxOverErr: bigint;
  rxCrcErr: bigint;
  collisions: bigint;
  durationSec: number;
  durationNsec: number;
}

export interface TableStats {
  tableId: number;
  activeCount: number;
  lookupCount: bigint;
  matchedCount: bigint;
}

export interface SwitchDesc {
  mfrDesc: string;
  hwDesc: string;
  swDesc: string;
  serialNum: string;
  dpDesc: string;
}

export type MultipartReplyBody =
  | ({ kind: "desc" } & SwitchDesc)
  | { kind: "flow"; stats: FlowStats[] }
  | { kind: "aggregate"; packetCount: bigint; byteCount: bigint; flowCount: number }
  | { kind: "portStats"; stats: PortStats[] }
  | { kind: "table"; stats: TableStats[] }
  | { kind: "portDesc"; ports: PortDesc[] }
  | { kind: "queueStats"; stats: QueueStats[] }
  | { kind: "group"; stats: GroupStats[] }
  | { kind: "groupDesc"; groups: GroupDesc[] }
  | ({ kind: "groupFeatures" } & GroupFeatures)
  | { kind: "meter"; stats: MeterStats[] }
  | { kind: "meterConfig"; meters: MeterConfig[] }
  | ({ kind: "meterFeatures" } & MeterFeatures)
  | { kind: "tableFeatures"; tables: TableFeatures[] }
  | ({ kind: "experimenter" } & ExperimenterBody)
  | { kind: "raw"; mpType: number; data: Buffer };

export interface MultipartRequest {
  type: "multipartRequest";
  xid: number;
  /** OFPMPF_REQ_MORE = 1; default 0 */
  flags?: number;
  body: MultipartRequestBody;
}
export interface MultipartReply {
  type: "multipartReply";
  xid: number;
  /** OFPMPF_REPLY_MORE = 1: more replies with this xid follow. */
  flags: number;
  body: MultipartReplyBody;
}

export interface Bucket {
  /** default 0 (use for select groups) */
  weight?: number;
  /** default OFPP_ANY / OFPG_ANY (used by fast-failover groups) */
  watchPort?: number;
  watchGroup?: number;
  actions: Action[];
}

export type GroupType = "all" | "select" | "indirect" | "fastFailover";

export interface GroupMod {
  type: "groupMod";
  xid: number;
  command: "add" | "modify" | "delete";
  groupType: GroupType;
  groupId: number;
  buckets: Bucket[];
}

export type MeterBand =
  | { kind: "drop"; rate: number; burstSize: number }
  | { kind: "dscpRemark"; rate: number; burstSize: number; precLevel: number }
  | { kind: "experimenter"; rate: number; burstSize: number; experimenter: number };

export interface MeterMod {
  type: "meterMod";
  xid: number;
  command: "add" | "modify" | "delete";
  /** OFPMF_KBPS 1, PKTPS 2, BURST 4, STATS 8 */
  flags: number;
  meterId: number;
  bands: MeterBand[];
}

/** OFPCR_ROLE_*: the controller's role (OpenFlow 1.3.5 section 6.3.7). */
export type ControllerRole = "noChange" | "equal" | "master" | "slave";

export interface RoleRequest {
  type: "roleRequest";
  xid: number;
  role: ControllerRole;
  generationId: bigint;
}
export interface RoleReply {
  type: "roleReply";
  xid: number;
  role: ControllerRole;
  generationId: bigint;
}

/** ofp_async_config: bitmaps of reasons, each [for master/equal, for slave]. */
export interface AsyncConfig {
  /** OFPR_* bits (1 << reason) */
  packetInMask: [number, number];
  /** OFPPR_* bits */
  portStatusMask: [number, number];
  /** OFPRR_* bits */
  flowRemovedMask: [number, number];
}
export interface GetAsyncRequest {
  type: "getAsyncRequest";
  xid: number;
}
export interface GetAsyncReply extends AsyncConfig {
  type: "getAsyncReply";
  xid: number;
}
export interface SetAsync extends AsyncConfig {
  type: "setAsync";
  xid: number;
}

export interface PortMod {
  type: "portMod";
  xid: number;
  portNo: number;
  /** The port's hardware address, as a check that the right port is meant. */
  hwAddr: string;
  /** OFPPC_* bits to set (PORT_DOWN 1, NO_RECV 4, NO_FWD 32, NO_PACKET_IN 64) */
  config: number;
  /** Which OFPPC_* bits `config` changes. */
  mask: number;
  /** OFPPF_* features to advertise; 0 leaves them. */
  advertise: number;
}

export interface TableMod {
  type: "tableMod";
  xid: number;
  /** OFPTT_ALL for every table */
  tableId: number;
  /** OFPTC_* (all deprecated in 1.3; 0) */
  config: number;
}

export type QueueProperty =
  /** Rates in 1/10 of a percent; above 1000 means disabled. */
  | { kind: "minRate"; rate: number }
  | { kind: "maxRate"; rate: number }
  | { kind: "experimenter"; experimenter: number; data: Buffer };

/** struct ofp_packet_queue */
export interface PacketQueue {
  queueId: number;
  port: number;
  properties: QueueProperty[];
}

export interface QueueGetConfigRequest {
  type: "queueGetConfigRequest";
  xid: number;
  /** OFPP_ANY for every port */
  port: number;
}
export interface QueueGetConfigReply {
  type: "queueGetConfigReply";
  xid: number;
  port: number;
  queues: PacketQueue[];
}

/** OFPT_EXPERIMENTER: decoded up to the experimenter id and type; what follows is the experimenter's. */
export interface ExperimenterMessage {
  type: "experimenter";
  xid: number;
  experimenter: number;
  expType: number;
  data: Buffer;
}

export type OfMessage =
  | Hello
  | ErrorMessage
  | EchoRequest
  | EchoReply
  | FeaturesRequest
  | FeaturesReply
  | GetConfigRequest
  | GetConfigReply
  | SetConfig
  | PacketIn
  | PacketOut
  | FlowMod
  | FlowRemoved
  | PortStatus
  | BarrierRequest
  | BarrierReply
  | MultipartRequest
  | MultipartReply
  | GroupMod
  | MeterMod
  | RoleRequest
  | RoleReply
  | GetAsyncRequest
  | GetAsyncReply
  | SetAsync
  | PortMod
  | TableMod
  | QueueGetConfigRequest
  | QueueGetConfigReply
  | ExperimenterMessage;

export type OfMessageType = OfMessage["type"];
