// GROUP_MOD: command, group type, group id, then buckets (each with its own length and actions).
import { decodeActions, encodeActions } from "./actions.js";
import { OFPET, OFPG_ANY, OFPGC, OFPGMFC, OFPGT, OFPP_ANY } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { Bucket, GroupMod, GroupType } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const COMMANDS: GroupMod["command"][] = ["add", "modify", "delete"];
const TYPE_CODE: Record<GroupType, number> = { all: OFPGT.ALL, select: OFPGT.SELECT, indirect: OFPGT.INDIRECT, fastFailover: OFPGT.FF };
const TYPE_NAME = Object.fromEntries(Object.entries(TYPE_CODE).map(([k, v]) => [v, k])) as Record<number, GroupType>;
const BAD_BUCKET = { errType: OFPET.GROUP_MOD_FAILED, code: OFPGMFC.BAD_BUCKET };

export function encodeGroupModBody(w: Writer, m: GroupMod): void {
  w.u16(OFPGC[m.command.toUpperCase() as "ADD" | "MODIFY" | "DELETE"]);
  w.u8(TYPE_CODE[m.groupType]);
  w.zeros(1);
  w.u32(m.groupId);
  for (const b of m.buckets) {
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

export function decodeGroupModBody(r: Reader, xid: number): GroupMod {
  const commandCode = r.u16();
  const command = COMMANDS[commandCode];
  if (!command) throw new OfDecodeError(OFPET.GROUP_MOD_FAILED, OFPGMFC.BAD_COMMAND, `unknown group-mod command ${commandCode}`);
  const typeCode = r.u8();
  const groupType = TYPE_NAME[typeCode];
  if (!groupType) throw new OfDecodeError(OFPET.GROUP_MOD_FAILED, OFPGMFC.BAD_TYPE, `unknown group type ${typeCode}`);
  r.skip(1);
  const groupId = r.u32();
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
  return { type: "groupMod", xid, command, groupType, groupId, buckets };
}
