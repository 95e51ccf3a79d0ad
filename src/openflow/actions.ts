// Action lists (ofp_action_*), each action 8-byte aligned with its own length.
import { OFPAT, OFPBAC, OFPCML_NO_BUFFER, OFPET } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { Action } from "./messages.js";
import { decodeOxmFields, encodeOxmFields } from "./oxm.js";
import type { Reader, Writer } from "./wire.js";

const BAD_ACTION_LEN = { errType: OFPET.BAD_ACTION, code: OFPBAC.BAD_LEN };

/** Actions that are all header (ofp_action_generic). */
const NO_ARGUMENT_CODE = { copyTtlOut: OFPAT.COPY_TTL_OUT, copyTtlIn: OFPAT.COPY_TTL_IN, decMplsTtl: OFPAT.DEC_MPLS_TTL, popPbb: OFPAT.POP_PBB } as const;
/** Actions whose one argument is an ethertype (ofp_action_push, ofp_action_pop_mpls). */
const ETHERTYPE_CODE = { pushMpls: OFPAT.PUSH_MPLS, popMpls: OFPAT.POP_MPLS, pushPbb: OFPAT.PUSH_PBB } as const;

export function encodeAction(w: Writer, a: Action): void {
  const start = w.pos;
  switch (a.type) {
    case "output":
      w.u16(OFPAT.OUTPUT);
      w.u16(16);
      w.u32(a.port);
      w.u16(a.maxLen ?? OFPCML_NO_BUFFER);
      w.zeros(6);
      return;
    case "setField": {
      w.u16(OFPAT.SET_FIELD);
      const lenAt = w.placeholder16();
      const n = encodeOxmFields(w, a.field);
      if (n !== 1) throw new TypeError(`setField needs exactly one field, got ${n}`);
      w.padTo(start, 8);
      w.patch16(lenAt, w.pos - start);
      return;
    }
    case "pushVlan":
      w.u16(OFPAT.PUSH_VLAN);
      w.u16(8);
      w.u16(a.ethertype ?? 0x8100);
      w.zeros(2);
      return;
    case "popVlan":
      w.u16(OFPAT.POP_VLAN);
      w.u16(8);
      w.zeros(4);
      return;
    case "group":
      w.u16(OFPAT.GROUP);
      w.u16(8);
      w.u32(a.groupId);
      return;
    case "setQueue":
      w.u16(OFPAT.SET_QUEUE);
      w.u16(8);
      w.u32(a.queueId);
      return;
    case "decNwTtl":
      w.u16(OFPAT.DEC_NW_TTL);
      w.u16(8);
      w.zeros(4);
      return;
    case "setNwTtl":
      w.u16(OFPAT.SET_NW_TTL);
      w.u16(8);
      w.u8(a.ttl);
      w.zeros(3);
      return;
    case "copyTtlOut":
    case "copyTtlIn":
    case "decMplsTtl":
    case "popPbb":
      w.u16(NO_ARGUMENT_CODE[a.type]);
      w.u16(8);
      w.zeros(4);
      return;
    case "setMplsTtl":
      w.u16(OFPAT.SET_MPLS_TTL);
      w.u16(8);
      w.u8(a.ttl);
      w.zeros(3);
      return;
    case "pushMpls":
    case "popMpls":
    case "pushPbb":
      w.u16(ETHERTYPE_CODE[a.type]);
      w.u16(8);
      w.u16(a.ethertype);
      w.zeros(2);
      return;
    case "experimenter": {
      w.u16(OFPAT.EXPERIMENTER);
      const lenAt = w.placeholder16();
      w.u32(a.experimenter);
      w.bytes(a.body);
      w.padTo(start, 8);
      w.patch16(lenAt, w.pos - start);
      return;
    }
    case "raw": {
      w.u16(a.actionType);
      const lenAt = w.placeholder16();
      w.bytes(a.body);
      w.padTo(start, 8);
      w.patch16(lenAt, w.pos - start);
      return;
    }
  }
}

export function encodeActions(w: Writer, actions: readonly Action[]): void {
  for (const a of actions) encodeAction(w, a);
}

function fixedLen(type: string, len: number, want: number): void {
  if (len !== want) throw new OfDecodeError(OFPET.BAD_ACTION, OFPBAC.BAD_LEN, `${type} action length ${len}, want ${want}`);
}

export function decodeAction(r: Reader): Action {
  r.need(4, "action header");
  const type = r.buf.readUInt16BE(r.pos);
  const len = r.buf.readUInt16BE(r.pos + 2);
  if (len < 8 || len % 8 !== 0) throw new OfDecodeError(OFPET.BAD_ACTION, OFPBAC.BAD_LEN, `action length ${len}`);
  const a = r.sub(len, BAD_ACTION_LEN, "action");
  a.skip(4);
  switch (type) {
    case OFPAT.OUTPUT: {
      fixedLen("output", len, 16);
      const port = a.u32();
      const maxLen = a.u16();
      return { type: "output", port, maxLen };
    }
    case OFPAT.SET_FIELD: {
      a.need(4, "set_field OXM header");
      const oxmHeader = a.buf.readUInt32BE(a.pos);
      if (oxmHeader & 0x100) throw new OfDecodeError(OFPET.BAD_ACTION, OFPBAC.BAD_SET_ARGUMENT, "set_field with a mask");
      const oxm = a.sub(4 + (oxmHeader & 0xff), BAD_ACTION_LEN, "set_field OXM");
      const field = decodeOxmFields(oxm);
      return { type: "setField", field };
    }
    case OFPAT.PUSH_VLAN:
      fixedLen("push_vlan", len, 8);
      return { type: "pushVlan", ethertype: a.u16() };
    case OFPAT.POP_VLAN:
      fixedLen("pop_vlan", len, 8);
      return { type: "popVlan" };
    case OFPAT.GROUP:
      fixedLen("group", len, 8);
      return { type: "group", groupId: a.u32() };
    case OFPAT.SET_QUEUE:
      fixedLen("set_queue", len, 8);
      return { type: "setQueue", queueId: a.u32() };
    case OFPAT.DEC_NW_TTL:
      fixedLen("dec_nw_ttl", len, 8);
      return { type: "decNwTtl" };
    case OFPAT.SET_NW_TTL:
      fixedLen("set_nw_ttl", len, 8);
      return { type: "setNwTtl", ttl: a.u8() };
    case OFPAT.COPY_TTL_OUT:
      fixedLen("copy_ttl_out", len, 8);
      return { type: "copyTtlOut" };
    case OFPAT.COPY_TTL_IN:
      fixedLen("copy_ttl_in", len, 8);
      return { type: "copyTtlIn" };
    case OFPAT.SET_MPLS_TTL:
      fixedLen("set_mpls_ttl", len, 8);
      return { type: "setMplsTtl", ttl: a.u8() };
    case OFPAT.DEC_MPLS_TTL:
      fixedLen("dec_mpls_ttl", len, 8);
      return { type: "decMplsTtl" };
    case OFPAT.PUSH_MPLS:
      fixedLen("push_mpls", len, 8);
      return { type: "pushMpls", ethertype: a.u16() };
    case OFPAT.POP_MPLS:
      fixedLen("pop_mpls", len, 8);
      return { type: "popMpls", ethertype: a.u16() };
    case OFPAT.PUSH_PBB:
      fixedLen("push_pbb", len, 8);
      return { type: "pushPbb", ethertype: a.u16() };
    case OFPAT.POP_PBB:
      fixedLen("pop_pbb", len, 8);
      return { type: "popPbb" };
    case OFPAT.EXPERIMENTER: {
      const experimenter = a.u32();
      return { type: "experimenter", experimenter, body: a.bytes(a.remaining) };
    }
    default:
      return { type: "raw", actionType: type, body: a.bytes(len - 4) };
  }
}

export function decodeActions(r: Reader): Action[] {
  const out: Action[] = [];
  while (r.remaining > 0) out.push(decodeAction(r));
  return out;
}
