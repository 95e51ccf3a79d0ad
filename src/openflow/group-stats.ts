// Multipart reply bodies about groups: GROUP (counters), GROUP_DESC (what is installed), GROUP_FEATURES.
import { decodeBuckets, encodeBuckets, GROUP_TYPE_CODE, groupTypeNamed } from "./bucket.js";
import { OFPBRC, OFPET } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { GroupDesc, GroupFeatures, GroupStats } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const GROUP_STATS_LEN = 40;
const BUCKET_COUNTER_LEN = 16;
const GROUP_DESC_LEN = 8;
const BAD_LEN = { errType: OFPET.BAD_REQUEST, code: OFPBRC.BAD_LEN };

/** The next length-prefixed record (u16 length first), at least `min` bytes. */
function record(r: Reader, min: number, what: string): Reader {
  r.need(2, `${what} length`);
  const len = r.buf.readUInt16BE(r.pos);
  if (len < min) throw new OfDecodeError(BAD_LEN.errType, BAD_LEN.code, `${what} length ${len}`);
  return r.sub(len, BAD_LEN, what);
}

export function encodeGroupStats(w: Writer, s: GroupStats): void {
  w.u16(GROUP_STATS_LEN + BUCKET_COUNTER_LEN * s.bucketStats.length);
  w.zeros(2);
  w.u32(s.groupId);
  w.u32(s.refCount);
  w.zeros(4);
  w.u64(s.packetCount);
  w.u64(s.byteCount);
  w.u32(s.durationSec);
  w.u32(s.durationNsec);
  for (const b of s.bucketStats) {
    w.u64(b.packetCount);
    w.u64(b.byteCount);
  }
}

export function decodeGroupStats(r: Reader): GroupStats {
  const s = record(r, GROUP_STATS_LEN, "group stats");
  s.skip(4);
  const groupId = s.u32();
  const refCount = s.u32();
  s.skip(4);
  const packetCount = s.u64();
  const byteCount = s.u64();
  const durationSec = s.u32();
  const durationNsec = s.u32();
  if (s.remaining % BUCKET_COUNTER_LEN) throw new OfDecodeError(BAD_LEN.errType, BAD_LEN.code, `group stats bucket counters of ${s.remaining} bytes`);
  const bucketStats: GroupStats["bucketStats"] = [];
  while (s.remaining > 0) bucketStats.push({ packetCount: s.u64(), byteCount: s.u64() });
  return { groupId, refCount, packetCount, byteCount, durationSec, durationNsec, bucketStats };
}

export function encodeGroupDesc(w: Writer, g: GroupDesc): void {
  const start = w.pos;
  const lenAt = w.placeholder16();
  w.u8(GROUP_TYPE_CODE[g.groupType]);
  w.zeros(1);
  w.u32(g.groupId);
  encodeBuckets(w, g.buckets);
  w.patch16(lenAt, w.pos - start);
}

export function decodeGroupDesc(r: Reader): GroupDesc {
  const d = record(r, GROUP_DESC_LEN, "group desc");
  d.skip(2);
  const groupType = groupTypeNamed(d.u8());
  d.skip(1);
  const groupId = d.u32();
  return { groupType, groupId, buckets: decodeBuckets(d) };
}

export function encodeGroupFeatures(w: Writer, f: GroupFeatures): void {
  w.u32(f.types);
  w.u32(f.capabilities);
  for (const n of f.maxGroups) w.u32(n);
  for (const bits of f.actions) w.u32(bits);
}

export function decodeGroupFeatures(r: Reader): GroupFeatures {
  const types = r.u32();
  const capabilities = r.u32();
  const four = (): [number, number, number, number] => [r.u32(), r.u32(), r.u32(), r.u32()];
  const maxGroups = four();
  return { types, capabilities, maxGroups, actions: four() };
}
