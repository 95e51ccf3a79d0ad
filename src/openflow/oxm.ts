// OXM TLVs (OpenFlow basic and experimenter classes) and the ofp_match struct that wraps them (OFPMT_OXM, padded to 8).
import { formatIpv4, formatIpv6, formatMac, writeIpv4, writeIpv6, writeMac } from "./addresses.js";
import { OFPBMC, OFPET, OFPMT_OXM, OFPXMC_EXPERIMENTER, OFPXMC_OPENFLOW_BASIC } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import { type Match, type NamedMatchKey, OXM_ORDER, type OxmSlot, type RawOxm } from "./messages.js";
import { Reader, type Writer } from "./wire.js";

type Kind = "u8" | "u16" | "u24" | "u32" | "u64" | "mac" | "ipv4" | "ipv6";

interface FieldSpec {
  field: number;
  key: NamedMatchKey;
  /** Only for the fields the spec lets a peer mask. */
  maskKey?: NamedMatchKey;
  kind: Kind;
  /** Position in FIELDS: the order we encode in. */
  rank: number;
}

const SIZE: Record<Kind, number> = { u8: 1, u16: 2, u24: 3, u32: 4, u64: 8, mac: 6, ipv4: 4, ipv6: 16 };

// In OXM field-number order, which is also the order we encode in (prerequisites come first).
const FIELDS: FieldSpec[] = (
  [
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
    { field: 17, key: "sctpSrc", kind: "u16" },
    { field: 18, key: "sctpDst", kind: "u16" },
    { field: 19, key: "icmpv4Type", kind: "u8" },
    { field: 20, key: "icmpv4Code", kind: "u8" },
    { field: 21, key: "arpOp", kind: "u16" },
    { field: 22, key: "arpSpa", maskKey: "arpSpaMask", kind: "ipv4" },
    { field: 23, key: "arpTpa", maskKey: "arpTpaMask", kind: "ipv4" },
    { field: 24, key: "arpSha", maskKey: "arpShaMask", kind: "mac" },
    { field: 25, key: "arpTha", maskKey: "arpThaMask", kind: "mac" },
    { field: 26, key: "ipv6Src", maskKey: "ipv6SrcMask", kind: "ipv6" },
    { field: 27, key: "ipv6Dst", maskKey: "ipv6DstMask", kind: "ipv6" },
    { field: 28, key: "ipv6Flabel", maskKey: "ipv6FlabelMask", kind: "u32" },
    { field: 29, key: "icmpv6Type", kind: "u8" },
    { field: 30, key: "icmpv6Code", kind: "u8" },
    { field: 31, key: "ipv6NdTarget", kind: "ipv6" },
    { field: 32, key: "ipv6NdSll", kind: "mac" },
    { field: 33, key: "ipv6NdTll", kind: "mac" },
    { field: 34, key: "mplsLabel", kind: "u32" },
    { field: 35, key: "mplsTc", kind: "u8" },
    { field: 36, key: "mplsBos", kind: "u8" },
    { field: 37, key: "pbbIsid", maskKey: "pbbIsidMask", kind: "u24" },
    { field: 38, key: "tunnelId", maskKey: "tunnelIdMask", kind: "u64" },
    { field: 39, key: "ipv6Exthdr", maskKey: "ipv6ExthdrMask", kind: "u16" },
  ] as Omit<FieldSpec, "rank">[]
).map((f, rank) => ({ ...f, rank }));

const BY_FIELD = new Map<number, FieldSpec>(FIELDS.map((f) => [f.field, f]));
const BY_KEY = new Map<string, FieldSpec>(FIELDS.map((f) => [f.key, f]));

type Value = number | bigint | string;
type Values = Record<string, Value | undefined>;

function writeValue(w: Writer, kind: Kind, v: Value): void {
  switch (kind) {
    case "u8":
      w.u8(v as number);
      return;
    case "u16":
      w.u16(v as number);
      return;
    case "u24":
      w.u8((v as number) >>> 16);
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
    case "ipv6":
      w.zeros(16);
      writeIpv6(v as string, w.buf, w.pos - 16);
      return;
  }
}

function readValue(buf: Buffer, at: number, kind: Kind): Value {
  switch (kind) {
    case "u8":
      return buf[at]!;
    case "u16":
      return buf.readUInt16BE(at);
    case "u24":
      return buf.readUIntBE(at, 3);
    case "u32":
      return buf.readUInt32BE(at);
    case "u64":
      return buf.readBigUInt64BE(at);
    case "mac":
      return formatMac(buf, at);
    case "ipv4":
      return formatIpv4(buf, at);
    case "ipv6":
      return formatIpv6(buf, at);
  }
}

function writeNamed(w: Writer, spec: FieldSpec, v: Value, mask: Value | undefined): void {
  const size = SIZE[spec.kind];
  const hasMask = mask !== undefined;
  w.u32(((OFPXMC_OPENFLOW_BASIC << 16) | (spec.field << 9) | (hasMask ? 0x100 : 0) | (hasMask ? size * 2 : size)) >>> 0);
  writeValue(w, spec.kind, v);
  if (hasMask) writeValue(w, spec.kind, mask);
}

function writeRaw(w: Writer, raw: RawOxm): void {
  const experimenterLen = raw.oxmClass === OFPXMC_EXPERIMENTER ? 4 : 0;
  const len = experimenterLen + raw.value.length + (raw.hasMask && raw.mask ? raw.mask.length : 0);
  if (len > 255) throw new RangeError("OXM payload longer than 255 bytes");
  w.u32(((raw.oxmClass << 16) | ((raw.field & 0x7f) << 9) | (raw.hasMask ? 0x100 : 0) | len) >>> 0);
  if (experimenterLen) w.u32(raw.experimenter ?? 0);
  w.bytes(raw.value);
  if (raw.hasMask && raw.mask) w.bytes(raw.mask);
}

/** Writes one slot unless `written` already holds it; returns whether it wrote. */
function writeSlot(w: Writer, match: Match, slot: OxmSlot, written: Set<OxmSlot>): boolean {
  if (written.has(slot)) return false;
  if (typeof slot === "number") {
    const raw = match.other?.[slot];
    if (!raw) return false;
    writeRaw(w, raw);
  } else {
    const spec = BY_KEY.get(slot);
    const values = match as Values;
    const v = spec ? values[spec.key] : undefined;
    if (!spec || v === undefined) return false;
    writeNamed(w, spec, v, spec.maskKey ? values[spec.maskKey] : undefined);
  }
  written.add(slot);
  return true;
}

/** Fields named in match[OXM_ORDER] first, in that order; the rest in ours. */
function encodeInWireOrder(w: Writer, match: Match, order: readonly OxmSlot[]): number {
  const written = new Set<OxmSlot>();
  for (const slot of order) writeSlot(w, match, slot, written);
  for (const spec of FIELDS) writeSlot(w, match, spec.key, written);
  for (let i = 0; i < (match.other?.length ?? 0); i++) writeSlot(w, match, i, written);
  return written.size;
}

/** Scratch list of the named fields a match holds, reused so the FLOW_MOD hot path allocates nothing. */
const present: FieldSpec[] = [];

/** Writes the OXM TLVs of `match` (no ofp_match header); returns how many it wrote. */
export function encodeOxmFields(w: Writer, match: Match): number {
  const order = match[OXM_ORDER];
  if (order) return encodeInWireOrder(w, match, order);
  const values = match as Values;
  // Visit the keys the match has (a handful) rather than probing all forty fields, and sort them into our order.
  present.length = 0;
  for (const key in values) {
    const spec = BY_KEY.get(key);
    if (spec === undefined || values[key] === undefined) continue;
    let i = present.length;
    while (i > 0 && present[i - 1]!.rank > spec.rank) {
      present[i] = present[i - 1]!;
      i--;
    }
    present[i] = spec;
  }
  for (const spec of present) writeNamed(w, spec, values[spec.key]!, spec.maskKey ? values[spec.maskKey] : undefined);
  let count = present.length;
  for (const raw of match.other ?? []) {
    writeRaw(w, raw);
    count++;
  }
  return count;
}

const BAD_MATCH_LEN = { errType: OFPET.BAD_MATCH, code: OFPBMC.BAD_LEN };

function badMatch(code: number, message: string): OfDecodeError {
  return new OfDecodeError(OFPET.BAD_MATCH, code, message);
}

/** The slots decoded so far when all came in our order: the named fields by rank, then `other`. */
function slotsInOurOrder(match: Match): OxmSlot[] {
  const values = match as Values;
  const slots: OxmSlot[] = FIELDS.filter((f) => values[f.key] !== undefined).map((f) => f.key);
  for (let i = 0; i < (match.other?.length ?? 0); i++) slots.push(i);
  return slots;
}

function decodeRaw(body: Reader, oxmClass: number, field: number, hasMask: boolean, len: number): RawOxm {
  const experimenter = oxmClass === OFPXMC_EXPERIMENTER ? body.u32() : undefined;
  const payload = body.remaining;
  if (hasMask && payload % 2) throw badMatch(OFPBMC.BAD_LEN, `masked OXM ${oxmClass}:${field} has odd length ${len}`);
  const half = hasMask ? payload >> 1 : payload;
  const raw: RawOxm = experimenter === undefined ? { oxmClass, field, hasMask, value: body.bytes(half) } : { oxmClass, field, hasMask, experimenter, value: body.bytes(half) };
  if (hasMask) raw.mask = body.bytes(half);
  return raw;
}

/** Reads OXM TLVs until `r` is exhausted. */
export function decodeOxmFields(r: Reader): Match {
  const match: Match = {};
  const out = match as Record<string, Value | RawOxm[] | undefined>;
  // Wire order is recorded only once it departs from ours (rare), so the common case allocates nothing.
  let lastRank = -1;
  let slots: OxmSlot[] | undefined;
  while (r.remaining > 0) {
    const header = r.u32();
    const oxmClass = header >>> 16;
    const field = (header >>> 9) & 0x7f;
    const hasMask = (header & 0x100) !== 0;
    const len = header & 0xff;
    const body = r.sub(len, BAD_MATCH_LEN, "OXM field");
    const spec = oxmClass === OFPXMC_OPENFLOW_BASIC ? BY_FIELD.get(field) : undefined;
    if (!spec) {
      const raw = decodeRaw(body, oxmClass, field, hasMask, len);
      const other = (match.other ??= []);
      slots?.push(other.length);
      other.push(raw);
      lastRank = FIELDS.length;
      continue;
    }
    const size = SIZE[spec.kind];
    if (hasMask && !spec.maskKey) throw badMatch(OFPBMC.BAD_MASK, `OXM field ${spec.key} cannot be masked`);
    if (len !== (hasMask ? size * 2 : size)) throw badMatch(OFPBMC.BAD_LEN, `OXM field ${spec.key} has length ${len}`);
    if (out[spec.key] !== undefined) throw badMatch(OFPBMC.DUP_FIELD, `OXM field ${spec.key} repeated`);
    if (!slots && spec.rank < lastRank) slots = slotsInOurOrder(match);
    lastRank = spec.rank;
    out[spec.key] = readValue(r.buf, body.pos, spec.kind);
    if (hasMask) out[spec.maskKey!] = readValue(r.buf, body.pos + size, spec.kind);
    slots?.push(spec.key);
  }
  if (slots) Object.defineProperty(match, OXM_ORDER, { value: slots, enumerable: false });
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
