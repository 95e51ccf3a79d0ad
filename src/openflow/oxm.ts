// OXM TLVs (OpenFlow basic class) and the ofp_match struct that wraps them (OFPMT_OXM, padded to 8).
import { formatIpv4, formatMac, writeIpv4, writeMac } from "./addresses.js";
import { OFPBMC, OFPET, OFPMT_OXM, OFPXMC_OPENFLOW_BASIC } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { Match, RawOxm } from "./messages.js";
import { Reader, type Writer } from "./wire.js";

type Kind = "u8" | "u16" | "u32" | "u64" | "mac" | "ipv4";
type NamedKey = Exclude<keyof Match, "other">;

interface FieldSpec {
  field: number;
  key: NamedKey;
  maskKey?: NamedKey;
  kind: Kind;
}

const SIZE: Record<Kind, number> = { u8: 1, u16: 2, u32: 4, u64: 8, mac: 6, ipv4: 4 };

// In OXM field-number order, which is also the order we encode in (prerequisites come first).
const FIELDS: FieldSpec[] = [
  { field: 0, key: "inPort", kind: "u32" },
  { field: 1, key: "inPhyPort", kind: "u32" },
  { field: 2, key: "metadata", maskKey: "metadataMask", kind: "u64" },
  { field: 3, key: "ethDst", maskKey: "ethDstMask", kind: "mac" },
  { field: 4, key: "ethSrc", maskKey: "ethSrcMask", kind: "mac" },
  { field: 5, key: "ethType", kind: "u16" },
  { field: 6, key: "vlanVid", maskKey: "vlanVidMask", kind: "u16" },
  { field: 7, key: "vlanPcp", kind: "u8" },
  { field: 8, key: "ipDscp", kind: "u8" },
  { field: 9, key: "ipEcn", kind: "u8" },
  { field: 10, key: "ipProto", kind: "u8" },
  { field: 11, key: "ipv4Src", maskKey: "ipv4SrcMask", kind: "ipv4" },
  { field: 12, key: "ipv4Dst", maskKey: "ipv4DstMask", kind: "ipv4" },
  { field: 13, key: "tcpSrc", kind: "u16" },
  { field: 14, key: "tcpDst", kind: "u16" },
  { field: 15, key: "udpSrc", kind: "u16" },
  { field: 16, key: "udpDst", kind: "u16" },
  { field: 19, key: "icmpv4Type", kind: "u8" },
  { field: 20, key: "icmpv4Code", kind: "u8" },
  { field: 21, key: "arpOp", kind: "u16" },
  { field: 22, key: "arpSpa", maskKey: "arpSpaMask", kind: "ipv4" },
  { field: 23, key: "arpTpa", maskKey: "arpTpaMask", kind: "ipv4" },
  { field: 24, key: "arpSha", maskKey: "arpShaMask", kind: "mac" },
  { field: 25, key: "arpTha", maskKey: "arpThaMask", kind: "mac" },
  { field: 38, key: "tunnelId", maskKey: "tunnelIdMask", kind: "u64" },
];

const BY_FIELD = new Map<number, FieldSpec>(FIELDS.map((f) => [f.field, f]));

type Value = number | bigint | string;

function writeValue(w: Writer, kind: Kind, v: Value): void {
  switch (kind) {
    case "u8":
      w.u8(v as number);
      return;
    case "u16":
      w.u16(v as number);
      return;
    case "u32":
      w.u32(v as number);
      return;
    case "u64":
      w.u64(v as bigint);
      return;
    case "mac":
      w.zeros(6);
      writeMac(v as string, w.buf, w.pos - 6);
      return;
    case "ipv4":
      w.zeros(4);
      writeIpv4(v as string, w.buf, w.pos - 4);
      return;
  }
}

function readValue(buf: Buffer, at: number, kind: Kind): Value {
  switch (kind) {
    case "u8":
      return buf[at]!;
    case "u16":
      return buf.readUInt16BE(at);
    case "u32":
      return buf.readUInt32BE(at);
    case "u64":
      return buf.readBigUInt64BE(at);
    case "mac":
      return formatMac(buf, at);
    case "ipv4":
      return formatIpv4(buf, at);
  }
}

/** Writes the OXM TLVs of `match` (no ofp_match header); returns how many it wrote. */
export function encodeOxmFields(w: Writer, match: Match): number {
  let count = 0;
  const values = match as Record<string, Value | undefined>;
  for (const spec of FIELDS) {
    const v = values[spec.key];
    if (v === undefined) continue;
    const mask = spec.maskKey ? values[spec.maskKey] : undefined;
    const size = SIZE[spec.kind];
    const hasMask = mask !== undefined;
    w.u32(((OFPXMC_OPENFLOW_BASIC << 16) | (spec.field << 9) | (hasMask ? 0x100 : 0) | (hasMask ? size * 2 : size)) >>> 0);
    writeValue(w, spec.kind, v);
    if (hasMask) writeValue(w, spec.kind, mask);
    count++;
  }
  for (const raw of match.other ?? []) {
    const len = raw.value.length + (raw.hasMask && raw.mask ? raw.mask.length : 0);
    if (len > 255) throw new RangeError("OXM payload longer than 255 bytes");
    w.u32(((raw.oxmClass << 16) | ((raw.field & 0x7f) << 9) | (raw.hasMask ? 0x100 : 0) | len) >>> 0);
    w.bytes(raw.value);
    if (raw.hasMask && raw.mask) w.bytes(raw.mask);
    count++;
  }
  return count;
}

const BAD_MATCH_LEN = { errType: OFPET.BAD_MATCH, code: OFPBMC.BAD_LEN };

function badMatch(code: number, message: string): OfDecodeError {
  return new OfDecodeError(OFPET.BAD_MATCH, code, message);
}

/** Reads OXM TLVs until `r` is exhausted. */
export function decodeOxmFields(r: Reader): Match {
  const match: Match = {};
  const out = match as Record<string, Value | RawOxm[] | undefined>;
  while (r.remaining > 0) {
    const header = r.u32();
    const oxmClass = header >>> 16;
    const field = (header >>> 9) & 0x7f;
    const hasMask = (header & 0x100) !== 0;
    const len = header & 0xff;
    const body = r.sub(len, BAD_MATCH_LEN, "OXM field");
    const spec = oxmClass === OFPXMC_OPENFLOW_BASIC ? BY_FIELD.get(field) : undefined;
    if (!spec) {
      const half = hasMask ? len >> 1 : len;
      if (hasMask && len % 2) throw badMatch(OFPBMC.BAD_LEN, `masked OXM ${oxmClass}:${field} has odd length ${len}`);
      const raw: RawOxm = { oxmClass, field, hasMask, value: body.bytes(half) };
      if (hasMask) raw.mask = body.bytes(half);
      (match.other ??= []).push(raw);
      continue;
    }
    const size = SIZE[spec.kind];
    if (hasMask && !spec.maskKey) throw badMatch(OFPBMC.BAD_MASK, `OXM field ${spec.key} cannot be masked`);
    if (len !== (hasMask ? size * 2 : size)) throw badMatch(OFPBMC.BAD_LEN, `OXM field ${spec.key} has length ${len}`);
    if (out[spec.key] !== undefined) throw badMatch(OFPBMC.DUP_FIELD, `OXM field ${spec.key} repeated`);
    out[spec.key] = readValue(r.buf, body.pos, spec.kind);
    if (hasMask) out[spec.maskKey!] = readValue(r.buf, body.pos + size, spec.kind);
  }
  return match;
}

/** Writes a whole ofp_match (type, length, OXMs, zero padding to 8). */
export function encodeMatch(w: Writer, match: Match): void {
  const start = w.pos;
  w.u16(OFPMT_OXM);
  const lenAt = w.placeholder16();
  encodeOxmFields(w, match);
  w.patch16(lenAt, w.pos - start);
  w.padTo(start, 8);
}

/** Reads a whole ofp_match, including its padding. */
export function decodeMatch(r: Reader): Match {
  const type = new Reader(r.buf, r.pos, r.end, BAD_MATCH_LEN).u16();
  if (type !== OFPMT_OXM) throw badMatch(OFPBMC.BAD_TYPE, `match type ${type} is not OFPMT_OXM`);
  r.need(4, "match header");
  const len = r.buf.readUInt16BE(r.pos + 2);
  if (len < 4) throw badMatch(OFPBMC.BAD_LEN, `match length ${len} < 4`);
  const padded = (len + 7) & ~7;
  const whole = r.sub(padded, BAD_MATCH_LEN, "match");
  const fields = new Reader(r.buf, whole.pos + 4, whole.pos + len, BAD_MATCH_LEN);
  return decodeOxmFields(fields);
}
