// QUEUE multipart reply: 40-byte counters per (port, queue).
import { OFPBRC, OFPET } from "./constants.js";
import type { QueueStats } from "./messages.js";
import type { Reader, Writer } from "./wire.js";

const QUEUE_STATS_LEN = 40;
const BAD_LEN = { errType: OFPET.BAD_REQUEST, code: OFPBRC.BAD_LEN };

export function encodeQueueStats(w: Writer, s: QueueStats): void {
  w.u32(s.portNo);
  w.u32(s.queueId);
  w.u64(s.txBytes);
  w.u64(s.txPackets);
  w.u64(s.txErrors);
  w.u32(s.durationSec);
  w.u32(s.durationNsec);
}

export function decodeQueueStats(r: Reader): QueueStats {
  const s = r.sub(QUEUE_STATS_LEN, BAD_LEN, "queue stats");
  const portNo = s.u32();
  const queueId = s.u32();
  const txBytes = s.u64();
  const txPackets = s.u64();
  const txErrors = s.u64();
  const durationSec = s.u32();
  return { portNo, queueId, txBytes, txPackets, txErrors, durationSec, durationNsec: s.u32() };
}
