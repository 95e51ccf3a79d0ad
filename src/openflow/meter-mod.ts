// METER_MOD: command, flags, meter id, then 16-byte bands.
import { OFPET, OFPMBT, OFPMMFC } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { MeterBand, MeterMod } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const COMMANDS: MeterMod["command"][] = ["add", "modify", "delete"];
const BAD_BAND = { errType: OFPET.METER_MOD_FAILED, code: OFPMMFC.BAD_BAND };

export function encodeMeterModBody(w: Writer, m: MeterMod): void {
  w.u16(COMMANDS.indexOf(m.command));
  w.u16(m.flags);
  w.u32(m.meterId);
  for (const band of m.bands) {
    w.u16(band.kind === "drop" ? OFPMBT.DROP : band.kind === "dscpRemark" ? OFPMBT.DSCP_REMARK : OFPMBT.EXPERIMENTER);
    w.u16(16);
    w.u32(band.rate);
    w.u32(band.burstSize);
    if (band.kind === "dscpRemark") {
      w.u8(band.precLevel);
      w.zeros(3);
    } else if (band.kind === "experimenter") {
      w.u32(band.experimenter);
    } else {
      w.zeros(4);
    }
  }
}

export function decodeMeterModBody(r: Reader, xid: number): MeterMod {
  const commandCode = r.u16();
  const command = COMMANDS[commandCode];
  if (!command) throw new OfDecodeError(OFPET.METER_MOD_FAILED, OFPMMFC.BAD_COMMAND, `unknown meter-mod command ${commandCode}`);
  const flags = r.u16();
  const meterId = r.u32();
  const bands: MeterBand[] = [];
  while (r.remaining > 0) {
    const b = r.sub(16, BAD_BAND, "meter band");
    const type = b.u16();
    const len = b.u16();
    if (len !== 16) throw new OfDecodeError(BAD_BAND.errType, BAD_BAND.code, `meter band length ${len}`);
    const rate = b.u32();
    const burstSize = b.u32();
    if (type === OFPMBT.DROP) bands.push({ kind: "drop", rate, burstSize });
    else if (type === OFPMBT.DSCP_REMARK) bands.push({ kind: "dscpRemark", rate, burstSize, precLevel: b.u8() });
    else if (type === OFPMBT.EXPERIMENTER) bands.push({ kind: "experimenter", rate, burstSize, experimenter: b.u32() });
    else throw new OfDecodeError(BAD_BAND.errType, BAD_BAND.code, `unknown meter band type ${type}`);
  }
  return { type: "meterMod", xid, command, flags, meterId, bands };
}
