// TABLE_FEATURES multipart (request and reply): per table a 64-byte head, then properties, each with its
// own type and length and zero padded to 8 (OpenFlow 1.3.5 section 7.3.5.5).
import { OFPET, OFPTFFC, OFPTFPT, OFPXMC_EXPERIMENTER } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { FeatureId, OxmId, TableFeatureProperty, TableFeatures } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const TABLE_FEATURES_LEN = 64;
const TABLE_NAME_LEN = 32;
const PROP_HEADER_LEN = 4;
const BAD_LEN = { errType: OFPET.TABLE_FEATURES_FAILED, code: OFPTFFC.BAD_LEN };

type Kind = TableFeatureProperty["kind"];

const PROP_CODE: Record<Kind, number> = {
  instructions: OFPTFPT.INSTRUCTIONS,
  instructionsMiss: OFPTFPT.INSTRUCTIONS_MISS,
  nextTables: OFPTFPT.NEXT_TABLES,
  nextTablesMiss: OFPTFPT.NEXT_TABLES_MISS,
  writeActions: OFPTFPT.WRITE_ACTIONS,
  writeActionsMiss: OFPTFPT.WRITE_ACTIONS_MISS,
  applyActions: OFPTFPT.APPLY_ACTIONS,
  applyActionsMiss: OFPTFPT.APPLY_ACTIONS_MISS,
  match: OFPTFPT.MATCH,
  wildcards: OFPTFPT.WILDCARDS,
  writeSetfield: OFPTFPT.WRITE_SETFIELD,
  writeSetfieldMiss: OFPTFPT.WRITE_SETFIELD_MISS,
  applySetfield: OFPTFPT.APPLY_SETFIELD,
  applySetfieldMiss: OFPTFPT.APPLY_SETFIELD_MISS,
  experimenter: OFPTFPT.EXPERIMENTER,
  experimenterMiss: OFPTFPT.EXPERIMENTER_MISS,
};
const PROP_KIND = new Map<number, Kind>(Object.entries(PROP_CODE).map(([k, v]) => [v, k as Kind]));

function badLen(message: string): OfDecodeError {
  return new OfDecodeError(BAD_LEN.errType, BAD_LEN.code, message);
}

function encodeFeatureIds(w: Writer, ids: readonly FeatureId[]): void {
  for (const id of ids) {
    w.u16(id.type);
    w.u16(PROP_HEADER_LEN + (id.data?.length ?? 0));
    if (id.data) w.bytes(id.data);
  }
}

function decodeFeatureIds(r: Reader): FeatureId[] {
  const ids: FeatureId[] = [];
  while (r.remaining > 0) {
    const type = r.u16();
    const len = r.u16();
    if (len < PROP_HEADER_LEN) throw badLen(`instruction/action id length ${len}`);
    ids.push(len === PROP_HEADER_LEN ? { type } : { type, data: r.bytes(len - PROP_HEADER_LEN) });
  }
  return ids;
}

function encodeOxmIds(w: Writer, ids: readonly OxmId[]): void {
  for (const id of ids) {
    w.u32(((id.oxmClass << 16) | ((id.field & 0x7f) << 9) | (id.hasMask ? 0x100 : 0) | (id.length & 0xff)) >>> 0);
    if (id.oxmClass === OFPXMC_EXPERIMENTER) w.u32(id.experimenter ?? 0);
  }
}

function decodeOxmIds(r: Reader): OxmId[] {
  const ids: OxmId[] = [];
  while (r.remaining > 0) {
    const header = r.u32();
    const id: OxmId = { oxmClass: header >>> 16, field: (header >>> 9) & 0x7f, hasMask: (header & 0x100) !== 0, length: header & 0xff };
    if (id.oxmClass === OFPXMC_EXPERIMENTER) id.experimenter = r.u32();
    ids.push(id);
  }
  return ids;
}

function encodeProperty(w: Writer, p: TableFeatureProperty): void {
  const start = w.pos;
  w.u16(PROP_CODE[p.kind]);
  const lenAt = w.placeholder16();
  switch (p.kind) {
    case "instructions":
    case "instructionsMiss":
    case "writeActions":
    case "writeActionsMiss":
    case "applyActions":
    case "applyActionsMiss":
      encodeFeatureIds(w, p.ids);
      break;
    case "nextTables":
    case "nextTablesMiss":
      for (const t of p.tableIds) w.u8(t);
      break;
    case "experimenter":
    case "experimenterMiss":
      w.u32(p.experimenter);
      w.u32(p.expType);
      w.bytes(p.data);
      break;
    default:
      encodeOxmIds(w, p.oxmIds);
  }
  w.patch16(lenAt, w.pos - start);
  w.padTo(start, 8);
}

function decodeProperty(r: Reader): TableFeatureProperty {
  r.need(PROP_HEADER_LEN, "table feature property header");
  const code = r.buf.readUInt16BE(r.pos);
  const len = r.buf.readUInt16BE(r.pos + 2);
  if (len < PROP_HEADER_LEN) throw badLen(`table feature property length ${len}`);
  const p = r.sub(len, BAD_LEN, "table feature property");
  r.skip(((len + 7) & ~7) - len);
  p.skip(PROP_HEADER_LEN);
  const kind = PROP_KIND.get(code);
  switch (kind) {
    case "instructions":
    case "instructionsMiss":
    case "writeActions":
    case "writeActionsMiss":
    case "applyActions":
    case "applyActionsMiss":
      return { kind, ids: decodeFeatureIds(p) };
    case "nextTables":
    case "nextTablesMiss":
      return { kind, tableIds: [...p.bytes(p.remaining)] };
    case "experimenter":
    case "experimenterMiss": {
      const experimenter = p.u32();
      const expType = p.u32();
      return { kind, experimenter, expType, data: p.bytes(p.remaining) };
    }
    case undefined:
      throw new OfDecodeError(OFPET.TABLE_FEATURES_FAILED, OFPTFFC.BAD_TYPE, `unknown table feature property ${code}`);
    default:
      return { kind, oxmIds: decodeOxmIds(p) };
  }
}

export function encodeTableFeatures(w: Writer, t: TableFeatures): void {
  const start = w.pos;
  const lenAt = w.placeholder16();
  w.u8(t.tableId);
  w.zeros(5);
  w.str(t.name, TABLE_NAME_LEN);
  w.u64(t.metadataMatch);
  w.u64(t.metadataWrite);
  w.u32(t.config);
  w.u32(t.maxEntries);
  for (const p of t.properties) encodeProperty(w, p);
  w.patch16(lenAt, w.pos - start);
}

export function decodeTableFeatures(r: Reader): TableFeatures {
  r.need(2, "table features length");
  const len = r.buf.readUInt16BE(r.pos);
  if (len < TABLE_FEATURES_LEN) throw badLen(`table features length ${len}`);
  const t = r.sub(len, BAD_LEN, "table features");
  t.skip(2);
  const tableId = t.u8();
  t.skip(5);
  const name = t.str(TABLE_NAME_LEN);
  const metadataMatch = t.u64();
  const metadataWrite = t.u64();
  const config = t.u32();
  const maxEntries = t.u32();
  const properties: TableFeatureProperty[] = [];
  while (t.remaining > 0) properties.push(decodeProperty(t));
  return { tableId, name, metadataMatch, metadataWrite, config, maxEntries, properties };
}
