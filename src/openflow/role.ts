// ROLE_REQUEST / ROLE_REPLY: role, 4 pad bytes, generation id (OpenFlow 1.3.5 section 7.3.9).
import { OFPCR_ROLE, OFPET, OFPRRFC } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { ControllerRole, RoleReply, RoleRequest } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const ROLES: ControllerRole[] = ["noChange", "equal", "master", "slave"];
const ROLE_CODE: Record<ControllerRole, number> = {
  noChange: OFPCR_ROLE.NOCHANGE,
  equal: OFPCR_ROLE.EQUAL,
  master: OFPCR_ROLE.MASTER,
  slave: OFPCR_ROLE.SLAVE,
};

export function encodeRoleBody(w: Writer, m: RoleRequest | RoleReply): void {
  w.u32(ROLE_CODE[m.role]);
  w.zeros(4);
  w.u64(m.generationId);
}

export function decodeRoleBody<T extends "roleRequest" | "roleReply">(r: Reader, xid: number, type: T): { type: T; xid: number; role: ControllerRole; generationId: bigint } {
  const code = r.u32();
  const role = ROLES[code];
  if (role === undefined) throw new OfDecodeError(OFPET.ROLE_REQUEST_FAILED, OFPRRFC.BAD_ROLE, `unknown controller role ${code}`);
  r.skip(4);
  return { type, xid, role, generationId: r.u64() };
}
