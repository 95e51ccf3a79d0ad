// Port rates from two polls of OFPMP_PORT_STATS: bytes and packets per second
// over the interval between them. Pure; PortRateBook keeps each switch's last
// poll so that every GET of a switch's ports is a poll.
import type { PortStats } from "../../src/openflow/messages.js";
import type { PortRatesView } from "../../src/api-types/controller.js";

export interface PortSample {
  stats: PortStats;
  /** When the controller received it (epoch ms). */
  atMs: number;
}

const durationOf = (s: PortStats) => s.durationSec + s.durationNsec / 1e9;
const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The rates between `prev` and `cur` of one port. The interval is the switch's
 * own (the ports' duration counters) when both carry one, else the controller's
 * receive times. Null when no time passed, or a counter went back (the port was
 * re-created or its counters reset): the rates would be meaningless.
 */
export function portRates(prev: PortSample, cur: PortSample): PortRatesView | null {
  const a = prev.stats;
  const b = cur.stats;
  const bySwitch = durationOf(a) > 0 && durationOf(b) > durationOf(a);
  const dt = bySwitch ? durationOf(b) - durationOf(a) : (cur.atMs - prev.atMs) / 1000;
  if (!(dt > 0)) return null;
  const keys = ["rxBytes", "txBytes", "rxPackets", "txPackets"] as const;
  if (keys.some((k) => b[k] < a[k])) return null;
  const per = (k: (typeof keys)[number]) => round(Number(b[k] - a[k]) / dt);
  return { intervalSec: round(dt), rxBytesPerSec: per("rxBytes"), txBytesPerSec: per("txBytes"), rxPacketsPerSec: per("rxPackets"), txPacketsPerSec: per("txPackets") };
}

/** Each switch's last poll, by port. */
export class PortRateBook {
  private readonly last = new Map<string, Map<number, PortSample>>();

  /** Records this poll; answers each port's rates against the previous one (null when there was none). */
  observe(dpid: string, stats: readonly PortStats[], atMs: number): Map<number, PortRatesView | null> {
    const before = this.last.get(dpid);
    const now = new Map<number, PortSample>();
    const rates = new Map<number, PortRatesView | null>();
    for (const s of stats) {
      const sample = { stats: s, atMs };
      now.set(s.portNo, sample);
      const prev = before?.get(s.portNo);
      rates.set(s.portNo, prev ? portRates(prev, sample) : null);
    }
    this.last.set(dpid, now);
    return rates;
  }

  /** The switch left: its next session starts over. */
  forget(dpid: string): void {
    this.last.delete(dpid);
  }
}
