// Group buckets (ofp_bucket): length, weight, watch port and group, then actions. Used by GROUP_MOD and GROUP_DESC.
import { decodeActions, encodeActions } from "./actions.js";
import { OFPET, OFPG_ANY, OFPGMFC, OFPGT, OFPP_ANY } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { Bucket, GroupType } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const BAD_BUCKET = { errType: OFPET.GROUP_MOD_FAILED, code: OFPGMFC.BAD_BUCKET };

export const GROUP_TYPE_CODE: Record<GroupType, number> = { all: OFPGT.ALL, select: OFPGT.SELECT, indirect: OFPGT.INDIRECT, fastFailover: OFPGT.FF };
const GROUP_TYPE_NAME = Object.fromEntries(Object.entries(GROUP_TYPE_CODE).map(([k, v]) => [v, k])) as Record<number, GroupType>;

export function groupTypeNamed(code: number): GroupType {
  const groupType = GROUP_TYPE_NAME[code];
  if (!groupType) throw new OfDecodeError(OFPET.GROUP_MOD_FAILED, OFPGMFC.BAD_TYPE, `unknown group type ${code}`);
  return groupType;
}

export function encodeBuckets(w: Writer, buckets: readonly Bucket[]): void {
  for (const b of buckets) {
    const start = w.pos;
    const lenAt = w.placeholder16();
    w.u16(b.weight ?? 0);
    w.u32(b.watchPort ?? OFPP_ANY);
    w.u32(b.watchGroup ?? OFPG_ANY);
    w.zeros(4);
    encodeActions(w, b.actions);
    w.patch16(lenAt, w.pos - start);
  }
}

/** Reads buckets until `r` is exhausted. */
export function decodeBuckets(r: Reader): Bucket[] {
  const buckets: Bucket[] = [];
  while (r.remaining > 0) {
    r.need(2, "bucket length");
    const len = r.buf.readUInt16BE(r.pos);
    if (len < 16 || len % 8 !== 0) throw new OfDecodeError(BAD_BUCKET.errType, BAD_BUCKET.code, `bucket length ${len}`);
    const b = r.sub(len, BAD_BUCKET, "bucket");
    b.skip(2);
    const weight = b.u16();
    const watchPort = b.u32();
    const watchGroup = b.u32();
    b.skip(4);
    buckets.push({ weight, watchPort, watchGroup, actions: decodeActions(b) });
  }
  return buckets;
}
