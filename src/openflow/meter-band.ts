// Meter bands (ofp_meter_band_*, 16 bytes each). Used by METER_MOD and the METER_CONFIG reply.
import { OFPET, OFPMBT, OFPMMFC } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import type { MeterBand } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const BAD_BAND = { errType: OFPET.METER_MOD_FAILED, code: OFPMMFC.BAD_BAND };

export function encodeBands(w: Writer, bands: readonly MeterBand[]): void {
  for (const band of bands) {
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

/** Reads bands until `r` is exhausted. */
export function decodeBands(r: Reader): MeterBand[] {
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
  return bands;
}
