// ROLE_REQUEST / ROLE_REPLY: the four roles by name; an unknown one is ROLE_REQUEST_FAILED/BAD_ROLE.
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, OFPET, OFPRRFC } from "../../../../src/openflow/index.js";

describe("controller roles", () => {
  it("writes noChange, equal, master and slave as OFPCR_ROLE_* 0..3", () => {
    const roles = ["noChange", "equal", "master", "slave"] as const;
    roles.forEach((role, code) => {
      const wire = encodeMessage({ type: "roleRequest", xid: 1, role, generationId: 7n });
      expect(wire.readUInt32BE(8)).toBe(code);
      expect(wire.readBigUInt64BE(16)).toBe(7n);
    });
  });

  it("refuses an unknown role with ROLE_REQUEST_FAILED/BAD_ROLE", () => {
    const wire = encodeMessage({ type: "roleRequest", xid: 1, role: "slave", generationId: 0n });
    wire.writeUInt32BE(4, 8);
    expect(() => decodeMessage(wire)).toThrow(expect.objectContaining({ errType: OFPET.ROLE_REQUEST_FAILED, code: OFPRRFC.BAD_ROLE }));
  });
});
