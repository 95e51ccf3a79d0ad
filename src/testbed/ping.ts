// ping's summary line, parsed (pure): the figures the testbed reports for the
// WAN's real delay and registers as each node's network delay.

export interface PingSummary {
  sent: number;
  received: number;
  minMs: number;
  avgMs: number;
  maxMs: number;
  /** ping's mdev: the RTT's spread, reported as jitter. */
  mdevMs: number;
  /** Each reply's RTT, in order. */
  samplesMs: number[];
}

export function parsePing(out: string): PingSummary | null {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(out);
  const rtt = /(?:rtt|round-trip) min\/avg\/max\/(?:mdev|stddev) = ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(out);
  if (!counts || !rtt) return null;
  const samplesMs = [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  return { sent: Number(counts[1]), received: Number(counts[2]), minMs: Number(rtt[1]), avgMs: Number(rtt[2]), maxMs: Number(rtt[3]), mdevMs: Number(rtt[4]), samplesMs };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
