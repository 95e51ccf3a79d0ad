// Multipart reply bodies about meters: METER (counters), METER_CONFIG (what is installed), METER_FEATURES.
import { OFPBRC, OFPET } from "./constants.js";
import { OfDecodeError } from "./decode-error.js";
import { decodeBands, encodeBands } from "./meter-band.js";
import type { MeterConfig, MeterFeatures, MeterStats } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const METER_STATS_LEN = 40;
const BAND_COUNTER_LEN = 16;
const METER_CONFIG_LEN = 8;
const BAD_LEN = { errType: OFPET.BAD_REQUEST, code: OFPBRC.BAD_LEN };

function badLen(message: string): OfDecodeError {
  return new OfDecodeError(BAD_LEN.errType, BAD_LEN.code, message);
}

export function encodeMeterStats(w: Writer, s: MeterStats): void {
  w.u32(s.meterId);
  w.u16(METER_STATS_LEN + BAND_COUNTER_LEN * s.bandStats.length);
  w.zeros(6);
  w.u32(s.flowCount);
  w.u64(s.packetInCount);
  w.u64(s.byteInCount);
  w.u32(s.durationSec);
  w.u32(s.durationNsec);
  for (const b of s.bandStats) {
    w.u64(b.packetBandCount);
    w.u64(b.byteBandCount);
  }
}

export function decodeMeterStats(r: Reader): MeterStats {
  r.need(6, "meter stats header");
  const len = r.buf.readUInt16BE(r.pos + 4);
  if (len < METER_STATS_LEN || (len - METER_STATS_LEN) % BAND_COUNTER_LEN) throw badLen(`meter stats length ${len}`);
  const s = r.sub(len, BAD_LEN, "meter stats");
  const meterId = s.u32();
  s.skip(8);
  const flowCount = s.u32();
  const packetInCount = s.u64();
  const byteInCount = s.u64();
  const durationSec = s.u32();
  const durationNsec = s.u32();
  const bandStats: MeterStats["bandStats"] = [];
  while (s.remaining > 0) bandStats.push({ packetBandCount: s.u64(), byteBandCount: s.u64() });
  return { meterId, flowCount, packetInCount, byteInCount, durationSec, durationNsec, bandStats };
}

export function encodeMeterConfig(w: Writer, c: MeterConfig): void {
  const start = w.pos;
  const lenAt = w.placeholder16();
  w.u16(c.flags);
  w.u32(c.meterId);
  encodeBands(w, c.bands);
  w.patch16(lenAt, w.pos - start);
}

export function decodeMeterConfig(r: Reader): MeterConfig {
  r.need(2, "meter config length");
  const len = r.buf.readUInt16BE(r.pos);
  if (len < METER_CONFIG_LEN) throw badLen(`meter config length ${len}`);
  const c = r.sub(len, BAD_LEN, "meter config");
  c.skip(2);
  const flags = c.u16();
  const meterId = c.u32();
  return { flags, meterId, bands: decodeBands(c) };
}

export function encodeMeterFeatures(w: Writer, f: MeterFeatures): void {
  w.u32(f.maxMeter);
  w.u32(f.bandTypes);
  w.u32(f.capabilities);
  w.u8(f.maxBands);
  w.u8(f.maxColor);
  w.zeros(2);
}

export function decodeMeterFeatures(r: Reader): MeterFeatures {
  const maxMeter = r.u32();
  const bandTypes = r.u32();
  const capabilities = r.u32();
  const maxBands = r.u8();
  const maxColor = r.u8();
  r.skip(2);
  return { maxMeter, bandTypes, capabilities, maxBands, maxColor };
}
