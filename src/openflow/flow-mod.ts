// FLOW_MOD (ofp_flow_mod): 40 fixed bytes after the header, a match, then instructions.
import { OFP_DEFAULT_PRIORITY, OFP_NO_BUFFER, OFPET, OFPFC, OFPFMFC, OFPG_ANY, OFPP_ANY } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import { decodeInstructions, encodeInstructions } from "./instructions.js";
import type { FlowMod, FlowModCommand } from "./messages.js";
import { decodeMatch, encodeMatch } from "./oxm.js";
import type { Reader, Writer } from "./wire.js";

const COMMAND_CODE: Record<FlowModCommand, number> = {
  add: OFPFC.ADD,
  modify: OFPFC.MODIFY,
  modifyStrict: OFPFC.MODIFY_STRICT,
  delete: OFPFC.DELETE,
  deleteStrict: OFPFC.DELETE_STRICT,
};
const COMMAND_NAME = Object.fromEntries(Object.entries(COMMAND_CODE).map(([k, v]) => [v, k])) as Record<number, FlowModCommand>;

export function encodeFlowModBody(w: Writer, m: FlowMod): void {
  w.u64(m.cookie ?? 0n);
  w.u64(m.cookieMask ?? 0n);
  w.u8(m.tableId ?? 0);
  w.u8(COMMAND_CODE[m.command]);
  w.u16(m.idleTimeout ?? 0);
  w.u16(m.hardTimeout ?? 0);
  w.u16(m.priority ?? OFP_DEFAULT_PRIORITY);
  w.u32(m.bufferId ?? OFP_NO_BUFFER);
  w.u32(m.outPort ?? OFPP_ANY);
  w.u32(m.outGroup ?? OFPG_ANY);
  w.u16(m.flags ?? 0);
  w.zeros(2);
  encodeMatch(w, m.match ?? {});
  encodeInstructions(w, m.instructions ?? []);
}

export function decodeFlowModBody(r: Reader, xid: number): FlowMod {
  const cookie = r.u64();
  const cookieMask = r.u64();
  const tableId = r.u8();
  const code = r.u8();
  const command = COMMAND_NAME[code];
  if (!command) throw new OfDecodeError(OFPET.FLOW_MOD_FAILED, OFPFMFC.BAD_COMMAND, `unknown flow-mod command ${code}`);
  const idleTimeout = r.u16();
  const hardTimeout = r.u16();
  const priority = r.u16();
  const bufferId = r.u32();
  const outPort = r.u32();
  const outGroup = r.u32();
  const flags = r.u16();
  r.skip(2);
  const match = decodeMatch(r);
  const instructions = decodeInstructions(r);
  return {
    type: "flowMod",
    xid,
    command,
    cookie,
    cookieMask,
    tableId,
    idleTimeout,
    hardTimeout,
    priority,
    bufferId,
    outPort,
    outGroup,
    flags,
    match,
    instructions,
  };
}
