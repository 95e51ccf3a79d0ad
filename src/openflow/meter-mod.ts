// METER_MOD: command, flags, meter id, then 16-byte bands.
import { OFPET, OFPMMFC } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import { decodeBands, encodeBands } from "./meter-band.js";
import type { MeterMod } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const COMMANDS: MeterMod["command"][] = ["add", "modify", "delete"];

export function encodeMeterModBody(w: Writer, m: MeterMod): void {
  w.u16(COMMANDS.indexOf(m.command));
  w.u16(m.flags);
  w.u32(m.meterId);
  encodeBands(w, m.bands);
}

export function decodeMeterModBody(r: Reader, xid: number): MeterMod {
  const commandCode = r.u16();
  const command = COMMANDS[commandCode];
  if (!command) throw new OfDecodeError(OFPET.METER_MOD_FAILED, OFPMMFC.BAD_COMMAND, `unknown meter-mod command ${commandCode}`);
  const flags = r.u16();
  const meterId = r.u32();
  return { type: "meterMod", xid, command, flags, meterId, bands: decodeBands(r) };
}
