// MULTIPART request/reply: type, flags, 4 pad bytes, then a body per type.
// Every type OpenFlow 1.3.5 names is decoded (the group, meter, queue and table-features bodies in their
// own modules); any other type is kept raw.
import { OFPBRC, OFPET, OFPG_ALL, OFPG_ANY, OFPM_ALL, OFPMP, OFPP_ANY, OFPQ_ALL, OFPTT_ALL } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import { decodeGroupDesc, decodeGroupFeatures, decodeGroupStats, encodeGroupDesc, encodeGroupFeatures, encodeGroupStats } from "./group-stats.js";
import { decodeInstructions, encodeInstructions } from "./instructions.js";
import { decodeMeterConfig, decodeMeterFeatures, decodeMeterStats, encodeMeterConfig, encodeMeterFeatures, encodeMeterStats } from "./meter-stats.js";
import { decodeQueueStats, encodeQueueStats } from "./queue-stats.js";
import { decodeTableFeatures, encodeTableFeatures } from "./table-features.js";
import type {
  ExperimenterBody,
  FlowStats,
  FlowStatsFilter,
  MultipartReply,
  MultipartReplyBody,
  MultipartRequest,
  MultipartRequestBody,
  PortDesc,
  PortStats,
  TableStats,
} from "./messages.js";
import { decodeMatch, encodeMatch } from "./oxm.js";
import { decodePort, encodePort, OFP_PORT_LEN } from "./port.js";
import type { Reader, Writer } from "./wire.js";

const MP_CODE = {
  desc: OFPMP.DESC,
  flow: OFPMP.FLOW,
  aggregate: OFPMP.AGGREGATE,
  table: OFPMP.TABLE,
  portStats: OFPMP.PORT_STATS,
  portDesc: OFPMP.PORT_DESC,
  queueStats: OFPMP.QUEUE,
  group: OFPMP.GROUP,
  groupDesc: OFPMP.GROUP_DESC,
  groupFeatures: OFPMP.GROUP_FEATURES,
  meter: OFPMP.METER,
  meterConfig: OFPMP.METER_CONFIG,
  meterFeatures: OFPMP.METER_FEATURES,
  tableFeatures: OFPMP.TABLE_FEATURES,
  experimenter: OFPMP.EXPERIMENTER,
} as const;

const DESC_STR_LEN = 256;
const SERIAL_NUM_LEN = 32;
const PORT_STATS_LEN = 112;
const TABLE_STATS_LEN = 24;
const BAD_MULTIPART_LEN = { errType: OFPET.BAD_REQUEST, code: OFPBRC.BAD_LEN };

function mpCode(body: MultipartRequestBody | MultipartReplyBody): number {
  return body.kind === "raw" ? body.mpType : MP_CODE[body.kind];
}

function encodeFlowFilter(w: Writer, f: FlowStatsFilter): void {
  w.u8(f.tableId ?? OFPTT_ALL);
  w.zeros(3);
  w.u32(f.outPort ?? OFPP_ANY);
  w.u32(f.outGroup ?? OFPG_ANY);
  w.zeros(4);
  w.u64(f.cookie ?? 0n);
  w.u64(f.cookieMask ?? 0n);
  encodeMatch(w, f.match ?? {});
}

function encodeExperimenterBody(w: Writer, b: ExperimenterBody): void {
  w.u32(b.experimenter);
  w.u32(b.expType);
  w.bytes(b.data);
}

function decodeExperimenterBody(r: Reader): ExperimenterBody {
  const experimenter = r.u32();
  const expType = r.u32();
  return { experimenter, expType, data: r.bytes(r.remaining) };
}

function decodeFlowFilter(r: Reader): Required<FlowStatsFilter> {
  const tableId = r.u8();
  r.skip(3);
  const outPort = r.u32();
  const outGroup = r.u32();
  r.skip(4);
  const cookie = r.u64();
  const cookieMask = r.u64();
  return { tableId, outPort, outGroup, cookie, cookieMask, match: decodeMatch(r) };
}

export function encodeMultipartRequestBody(w: Writer, m: MultipartRequest): void {
  const body = m.body;
  w.u16(mpCode(body));
  w.u16(m.flags ?? 0);
  w.zeros(4);
  switch (body.kind) {
    case "flow":
    case "aggregate":
      encodeFlowFilter(w, body);
      return;
    case "portStats":
      w.u32(body.portNo ?? OFPP_ANY);
      w.zeros(4);
      return;
    case "queueStats":
      w.u32(body.portNo ?? OFPP_ANY);
      w.u32(body.queueId ?? OFPQ_ALL);
      return;
    case "group":
      w.u32(body.groupId ?? OFPG_ALL);
      w.zeros(4);
      return;
    case "meter":
    case "meterConfig":
      w.u32(body.meterId ?? OFPM_ALL);
      w.zeros(4);
      return;
    case "tableFeatures":
      for (const t of body.tables) encodeTableFeatures(w, t);
      return;
    case "experimenter":
      encodeExperimenterBody(w, body);
      return;
    case "raw":
      w.bytes(body.data);
      return;
    default:
      return; // desc, table, portDesc, groupDesc, groupFeatures, meterFeatures: empty bodies
  }
}

function expectEmpty(r: Reader, what: string): void {
  if (r.remaining !== 0) throw new OfDecodeError(OFPET.BAD_REQUEST, OFPBRC.BAD_LEN, `${what} request has a ${r.remaining}-byte body`);
}

export function decodeMultipartRequestBody(r: Reader, xid: number): MultipartRequest {
  const mpType = r.u16();
  const flags = r.u16();
  r.skip(4);
  let body: MultipartRequestBody;
  switch (mpType) {
    case OFPMP.DESC:
      expectEmpty(r, "desc");
      body = { kind: "desc" };
      break;
    case OFPMP.TABLE:
      expectEmpty(r, "table");
      body = { kind: "table" };
      break;
    case OFPMP.PORT_DESC:
      expectEmpty(r, "port-desc");
      body = { kind: "portDesc" };
      break;
    case OFPMP.FLOW:
      body = { kind: "flow", ...decodeFlowFilter(r) };
      break;
    case OFPMP.AGGREGATE:
      body = { kind: "aggregate", ...decodeFlowFilter(r) };
      break;
    case OFPMP.PORT_STATS: {
      const portNo = r.u32();
      r.skip(4);
      body = { kind: "portStats", portNo };
      break;
    }
    case OFPMP.QUEUE: {
      const portNo = r.u32();
      body = { kind: "queueStats", portNo, queueId: r.u32() };
      break;
    }
    case OFPMP.GROUP: {
      const groupId = r.u32();
      r.skip(4);
      body = { kind: "group", groupId };
      break;
    }
    case OFPMP.GROUP_DESC:
      expectEmpty(r, "group-desc");
      body = { kind: "groupDesc" };
      break;
    case OFPMP.GROUP_FEATURES:
      expectEmpty(r, "group-features");
      body = { kind: "groupFeatures" };
      break;
    case OFPMP.METER:
    case OFPMP.METER_CONFIG: {
      const meterId = r.u32();
      r.skip(4);
      body = { kind: mpType === OFPMP.METER ? "meter" : "meterConfig", meterId };
      break;
    }
    case OFPMP.METER_FEATURES:
      expectEmpty(r, "meter-features");
      body = { kind: "meterFeatures" };
      break;
    case OFPMP.TABLE_FEATURES:
      body = { kind: "tableFeatures", tables: many(r, decodeTableFeatures) };
      break;
    case OFPMP.EXPERIMENTER:
      body = { kind: "experimenter", ...decodeExperimenterBody(r) };
      break;
    default:
      body = { kind: "raw", mpType, data: r.bytes(r.remaining) };
  }
  return { type: "multipartRequest", xid, flags, body };
}

function encodeFlowStats(w: Writer, s: FlowStats): void {
  const start = w.pos;
  const lenAt = w.placeholder16();
  w.u8(s.tableId);
  w.zeros(1);
  w.u32(s.durationSec);
  w.u32(s.durationNsec);
  w.u16(s.priority);
  w.u16(s.idleTimeout);
  w.u16(s.hardTimeout);
  w.u16(s.flags);
  w.zeros(4);
  w.u64(s.cookie);
  w.u64(s.packetCount);
  w.u64(s.byteCount);
  encodeMatch(w, s.match);
  encodeInstructions(w, s.instructions);
  w.patch16(lenAt, w.pos - start);
}

function decodeFlowStats(r: Reader): FlowStats {
  r.need(2, "flow stats length");
  const len = r.buf.readUInt16BE(r.pos);
  if (len < 56) throw new OfDecodeError(OFPET.BAD_REQUEST, OFPBRC.BAD_LEN, `flow stats length ${len}`);
  const s = r.sub(len, BAD_MULTIPART_LEN, "flow stats");
  s.skip(2);
  const tableId = s.u8();
  s.skip(1);
  const durationSec = s.u32();
  const durationNsec = s.u32();
  const priority = s.u16();
  const idleTimeout = s.u16();
  const hardTimeout = s.u16();
  const flags = s.u16();
  s.skip(4);
  const cookie = s.u64();
  const packetCount = s.u64();
  const byteCount = s.u64();
  const match = decodeMatch(s);
  const instructions = decodeInstructions(s);
  return {
    tableId,
    durationSec,
    durationNsec,
    priority,
    idleTimeout,
    hardTimeout,
    flags,
    cookie,
    packetCount,
    byteCount,
    match,
    instructions,
  };
}

const PORT_COUNTERS = [
  "rxPackets",
  "txPackets",
  "rxBytes",
  "txBytes",
  "rxDropped",
  "txDropped",
  "rxErrors",
  "txErrors",
  "rxFrameErr",
  "rxOverErr",
  "rxCrcErr",
  "collisions",
] as const;

function encodePortStats(w: Writer, s: PortStats): void {
  w.u32(s.portNo);
  w.zeros(4);
  for (const k of PORT_COUNTERS) w.u64(s[k]);
  w.u32(s.durationSec);
  w.u32(s.durationNsec);
}

function decodePortStats(r: Reader): PortStats {
  const s = r.sub(PORT_STATS_LEN, BAD_MULTIPART_LEN, "port stats");
  const portNo = s.u32();
  s.skip(4);
  const counters = {} as Record<(typeof PORT_COUNTERS)[number], bigint>;
  for (const k of PORT_COUNTERS) counters[k] = s.u64();
  const durationSec = s.u32();
  return { portNo, ...counters, durationSec, durationNsec: s.u32() };
}

function encodeTableStats(w: Writer, s: TableStats): void {
  w.u8(s.tableId);
  w.zeros(3);
  w.u32(s.activeCount);
  w.u64(s.lookupCount);
  w.u64(s.matchedCount);
}

function decodeTableStats(r: Reader): TableStats {
  const s = r.sub(TABLE_STATS_LEN, BAD_MULTIPART_LEN, "table stats");
  const tableId = s.u8();
  s.skip(3);
  const activeCount = s.u32();
  const lookupCount = s.u64();
  return { tableId, activeCount, lookupCount, matchedCount: s.u64() };
}

export function encodeMultipartReplyBody(w: Writer, m: MultipartReply): void {
  const body = m.body;
  w.u16(mpCode(body));
  w.u16(m.flags);
  w.zeros(4);
  switch (body.kind) {
    case "desc":
      w.str(body.mfrDesc, DESC_STR_LEN);
      w.str(body.hwDesc, DESC_STR_LEN);
      w.str(body.swDesc, DESC_STR_LEN);
      w.str(body.serialNum, SERIAL_NUM_LEN);
      w.str(body.dpDesc, DESC_STR_LEN);
      return;
    case "flow":
      for (const s of body.stats) encodeFlowStats(w, s);
      return;
    case "aggregate":
      w.u64(body.packetCount);
      w.u64(body.byteCount);
      w.u32(body.flowCount);
      w.zeros(4);
      return;
    case "portStats":
      for (const s of body.stats) encodePortStats(w, s);
      return;
    case "table":
      for (const s of body.stats) encodeTableStats(w, s);
      return;
    case "portDesc":
      for (const p of body.ports) encodePort(w, p);
      return;
    case "queueStats":
      for (const s of body.stats) encodeQueueStats(w, s);
      return;
    case "group":
      for (const s of body.stats) encodeGroupStats(w, s);
      return;
    case "groupDesc":
      for (const g of body.groups) encodeGroupDesc(w, g);
      return;
    case "groupFeatures":
      encodeGroupFeatures(w, body);
      return;
    case "meter":
      for (const s of body.stats) encodeMeterStats(w, s);
      return;
    case "meterConfig":
      for (const c of body.meters) encodeMeterConfig(w, c);
      return;
    case "meterFeatures":
      encodeMeterFeatures(w, body);
      return;
    case "tableFeatures":
      for (const t of body.tables) encodeTableFeatures(w, t);
      return;
    case "experimenter":
      encodeExperimenterBody(w, body);
      return;
    case "raw":
      w.bytes(body.data);
      return;
  }
}

function many<T>(r: Reader, one: (r: Reader) => T): T[] {
  const out: T[] = [];
  while (r.remaining > 0) out.push(one(r));
  return out;
}

export function decodeMultipartReplyBody(r: Reader, xid: number): MultipartReply {
  const mpType = r.u16();
  const flags = r.u16();
  r.skip(4);
  let body: MultipartReplyBody;
  switch (mpType) {
    case OFPMP.DESC:
      body = {
        kind: "desc",
        mfrDesc: r.str(DESC_STR_LEN),
        hwDesc: r.str(DESC_STR_LEN),
        swDesc: r.str(DESC_STR_LEN),
        serialNum: r.str(SERIAL_NUM_LEN),
        dpDesc: r.str(DESC_STR_LEN),
      };
      break;
    case OFPMP.FLOW:
      body = { kind: "flow", stats: many(r, decodeFlowStats) };
      break;
    case OFPMP.AGGREGATE: {
      const packetCount = r.u64();
      const byteCount = r.u64();
      const flowCount = r.u32();
      r.skip(4);
      body = { kind: "aggregate", packetCount, byteCount, flowCount };
      break;
    }
    case OFPMP.PORT_STATS:
      body = { kind: "portStats", stats: many(r, decodePortStats) };
      break;
    case OFPMP.TABLE:
      body = { kind: "table", stats: many(r, decodeTableStats) };
      break;
    case OFPMP.PORT_DESC:
      body = { kind: "portDesc", ports: many(r, (pr): PortDesc => decodePort(pr.sub(OFP_PORT_LEN, BAD_MULTIPART_LEN, "port"))) };
      break;
    case OFPMP.QUEUE:
      body = { kind: "queueStats", stats: many(r, decodeQueueStats) };
      break;
    case OFPMP.GROUP:
      body = { kind: "group", stats: many(r, decodeGroupStats) };
      break;
    case OFPMP.GROUP_DESC:
      body = { kind: "groupDesc", groups: many(r, decodeGroupDesc) };
      break;
    case OFPMP.GROUP_FEATURES:
      body = { kind: "groupFeatures", ...decodeGroupFeatures(r) };
      break;
    case OFPMP.METER:
      body = { kind: "meter", stats: many(r, decodeMeterStats) };
      break;
    case OFPMP.METER_CONFIG:
      body = { kind: "meterConfig", meters: many(r, decodeMeterConfig) };
      break;
    case OFPMP.METER_FEATURES:
      body = { kind: "meterFeatures", ...decodeMeterFeatures(r) };
      break;
    case OFPMP.TABLE_FEATURES:
      body = { kind: "tableFeatures", tables: many(r, decodeTableFeatures) };
      break;
    case OFPMP.EXPERIMENTER:
      body = { kind: "experimenter", ...decodeExperimenterBody(r) };
      break;
    default:
      body = { kind: "raw", mpType, data: r.bytes(r.remaining) };
  }
  return { type: "multipartReply", xid, flags, body };
}
