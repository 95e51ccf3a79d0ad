// GROUP_MOD: command, group type, group id, then buckets (each with its own length and actions).
import { decodeBuckets, encodeBuckets, GROUP_TYPE_CODE, groupTypeNamed } from "./bucket.js";
import { OFPET, OFPGC, OFPGMFC } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { GroupMod } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const COMMANDS: GroupMod["command"][] = ["add", "modify", "delete"];

export function encodeGroupModBody(w: Writer, m: GroupMod): void {
  w.u16(OFPGC[m.command.toUpperCase() as "ADD" | "MODIFY" | "DELETE"]);
  w.u8(GROUP_TYPE_CODE[m.groupType]);
  w.zeros(1);
  w.u32(m.groupId);
  encodeBuckets(w, m.buckets);
}

export function decodeGroupModBody(r: Reader, xid: number): GroupMod {
  const commandCode = r.u16();
  const command = COMMANDS[commandCode];
  if (!command) throw new OfDecodeError(OFPET.GROUP_MOD_FAILED, OFPGMFC.BAD_COMMAND, `unknown group-mod command ${commandCode}`);
  const groupType = groupTypeNamed(r.u8());
  r.skip(1);
  const groupId = r.u32();
  return { type: "groupMod", xid, command, groupType, groupId, buckets: decodeBuckets(r) };
}
