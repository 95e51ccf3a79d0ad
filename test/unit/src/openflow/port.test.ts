// struct ofp_port names: UTF-8 as OVS writes them, at most 15 bytes so the NUL always fits.
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, type PortDesc, type PortStatus } from "../../../../src/openflow/index.js";

const port = (name: string): PortDesc => ({
  portNo: 1,
  hwAddr: "00:00:00:00:00:01",
  name,
  config: 0,
  state: 0,
  curr: 0,
  advertised: 0,
  supported: 0,
  peer: 0,
  currSpeed: 0,
  maxSpeed: 0,
});
const status = (name: string): PortStatus => ({ type: "portStatus", xid: 1, reason: 0, port: port(name) });
const NAME_AT = 8 + 8 + 16;

describe("port names", () => {
  it("writes a UTF-8 name NUL padded and reads it back, up to 15 bytes", () => {
    for (const name of ["eth0", "fmé13", "ポート", "aaaaaaaaaaaaaé", "15-bytes-exact!"]) {
      const wire = encodeMessage(status(name));
      const field = wire.subarray(NAME_AT, NAME_AT + 16);
      expect(field.subarray(0, Buffer.byteLength(name)).toString("utf8")).toBe(name);
      expect(field.subarray(Buffer.byteLength(name)).every((b) => b === 0)).toBe(true);
      expect(decodeMessage(wire)).toEqual(status(name));
    }
  });

  it("refuses a name over 15 bytes with a clear error rather than cutting it, even inside a character", () => {
    // 14 ASCII bytes + "é" (2 bytes) = 16 bytes: cutting at 15 would split the é.
    expect(() => encodeMessage(status("aaaaaaaaaaaaaaé"))).toThrow(/port name "aaaaaaaaaaaaaaé" is 16 bytes of UTF-8; at most 15 fit/);
    expect(() => encodeMessage(status("sixteen-bytes-xx"))).toThrow(RangeError);
  });
});
