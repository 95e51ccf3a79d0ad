// Instruction lists (ofp_instruction_*), each 8-byte aligned with its own length.
import { decodeActions, encodeActions } from "./actions.js";
import { OFPBIC, OFPET, OFPIT } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { Instruction } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const BAD_INST_LEN = { errType: OFPET.BAD_INSTRUCTION, code: OFPBIC.BAD_LEN };

export function encodeInstruction(w: Writer, inst: Instruction): void {
  switch (inst.type) {
    case "gotoTable":
      w.u16(OFPIT.GOTO_TABLE);
      w.u16(8);
      w.u8(inst.tableId);
      w.zeros(3);
      return;
    case "writeMetadata":
      w.u16(OFPIT.WRITE_METADATA);
      w.u16(24);
      w.zeros(4);
      w.u64(inst.metadata);
      w.u64(inst.mask);
      return;
    case "writeActions":
    case "applyActions": {
      const start = w.pos;
      w.u16(inst.type === "writeActions" ? OFPIT.WRITE_ACTIONS : OFPIT.APPLY_ACTIONS);
      const lenAt = w.placeholder16();
      w.zeros(4);
      encodeActions(w, inst.actions);
      w.patch16(lenAt, w.pos - start);
      return;
    }
    case "clearActions":
      w.u16(OFPIT.CLEAR_ACTIONS);
      w.u16(8);
      w.zeros(4);
      return;
    case "meter":
      w.u16(OFPIT.METER);
      w.u16(8);
      w.u32(inst.meterId);
      return;
    case "experimenter": {
      const start = w.pos;
      w.u16(OFPIT.EXPERIMENTER);
      const lenAt = w.placeholder16();
      w.u32(inst.experimenter);
      w.bytes(inst.body);
      w.padTo(start, 8);
      w.patch16(lenAt, w.pos - start);
      return;
    }
  }
}

export function encodeInstructions(w: Writer, list: readonly Instruction[]): void {
  for (const inst of list) encodeInstruction(w, inst);
}

function fixedLen(type: string, len: number, want: number): void {
  if (len !== want) throw new OfDecodeError(OFPET.BAD_INSTRUCTION, OFPBIC.BAD_LEN, `${type} instruction length ${len}, want ${want}`);
}

export function decodeInstruction(r: Reader): Instruction {
  r.need(4, "instruction header");
  const type = r.buf.readUInt16BE(r.pos);
  const len = r.buf.readUInt16BE(r.pos + 2);
  if (len < 8 || len % 8 !== 0) throw new OfDecodeError(OFPET.BAD_INSTRUCTION, OFPBIC.BAD_LEN, `instruction length ${len}`);
  const i = r.sub(len, BAD_INST_LEN, "instruction");
  i.skip(4);
  switch (type) {
    case OFPIT.GOTO_TABLE:
      fixedLen("goto_table", len, 8);
      return { type: "gotoTable", tableId: i.u8() };
    case OFPIT.WRITE_METADATA: {
      fixedLen("write_metadata", len, 24);
      i.skip(4);
      const metadata = i.u64();
      return { type: "writeMetadata", metadata, mask: i.u64() };
    }
    case OFPIT.WRITE_ACTIONS:
    case OFPIT.APPLY_ACTIONS: {
      i.skip(4);
      const actions = decodeActions(i);
      return type === OFPIT.WRITE_ACTIONS ? { type: "writeActions", actions } : { type: "applyActions", actions };
    }
    case OFPIT.CLEAR_ACTIONS:
      fixedLen("clear_actions", len, 8);
      return { type: "clearActions" };
    case OFPIT.METER:
      fixedLen("meter", len, 8);
      return { type: "meter", meterId: i.u32() };
    case OFPIT.EXPERIMENTER: {
      const experimenter = i.u32();
      return { type: "experimenter", experimenter, body: i.bytes(i.remaining) };
    }
    default:
      throw new OfDecodeError(OFPET.BAD_INSTRUCTION, OFPBIC.UNKNOWN_INST, `unknown instruction type ${type}`);
  }
}

export function decodeInstructions(r: Reader): Instruction[] {
  const out: Instruction[] = [];
  while (r.remaining > 0) out.push(decodeInstruction(r));
  return out;
}
