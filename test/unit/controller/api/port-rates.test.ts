// Port rates between two polls: over the switch's own duration counters when
// they advance, over the receive times otherwise; none on a first poll or
// after a counter went back.
import { describe, expect, it } from "vitest";
import { PortRateBook, portRates } from "../../../../controller/api/port-rates.js";
import type { PortStats } from "../../../../src/openflow/messages.js";

function stats(portNo: number, rxBytes: bigint, txBytes: bigint, rxPackets: bigint, txPackets: bigint, durationSec: number, durationNsec = 0): PortStats {
  const z = 0n;
  return { portNo, rxPackets, txPackets, rxBytes, txBytes, rxDropped: z, txDropped: z, rxErrors: z, txErrors: z, rxFrameErr: z, rxOverErr: z, rxCrcErr: z, collisions: z, durationSec, durationNsec };
}

describe("portRates", () => {
  it("divides the counters' growth by the switch's own interval", () => {
    const r = portRates({ stats: stats(1, 1000n, 0n, 10n, 0n, 10), atMs: 0 }, { stats: stats(1, 5000n, 2000n, 50n, 4n, 12, 500_000_000), atMs: 999_999 });
    expect(r).toEqual({ intervalSec: 2.5, rxBytesPerSec: 1600, txBytesPerSec: 800, rxPacketsPerSec: 16, txPacketsPerSec: 1.6 });
  });

  it("falls back to the controller's receive times when the switch gives no durations", () => {
    const r = portRates({ stats: stats(1, 0n, 0n, 0n, 0n, 0), atMs: 1000 }, { stats: stats(1, 400n, 0n, 4n, 0n, 0), atMs: 5000 });
    expect(r).toMatchObject({ intervalSec: 4, rxBytesPerSec: 100, rxPacketsPerSec: 1 });
  });

  it("answers null when no time passed or a counter went back (the port was re-created)", () => {
    expect(portRates({ stats: stats(1, 0n, 0n, 0n, 0n, 0), atMs: 10 }, { stats: stats(1, 9n, 0n, 1n, 0n, 0), atMs: 10 })).toBeNull();
    expect(portRates({ stats: stats(1, 900n, 0n, 9n, 0n, 5), atMs: 0 }, { stats: stats(1, 100n, 0n, 10n, 0n, 6), atMs: 1000 })).toBeNull();
  });
});

describe("PortRateBook", () => {
  it("has no rates on a switch's first poll, then rates against the previous one; forgets a switch that left", () => {
    const book = new PortRateBook();
    expect(book.observe("s1", [stats(1, 0n, 0n, 0n, 0n, 1)], 0).get(1)).toBeNull();
    expect(book.observe("s1", [stats(1, 300n, 0n, 3n, 0n, 4)], 3000).get(1)).toMatchObject({ intervalSec: 3, rxBytesPerSec: 100 });
    expect(book.observe("s1", [stats(1, 300n, 0n, 3n, 0n, 5), stats(2, 1n, 1n, 1n, 1n, 5)], 4000)).toEqual(
      new Map([
        [1, { intervalSec: 1, rxBytesPerSec: 0, txBytesPerSec: 0, rxPacketsPerSec: 0, txPacketsPerSec: 0 }],
        [2, null],
      ]),
    );
    book.forget("s1");
    expect(book.observe("s1", [stats(1, 900n, 0n, 9n, 0n, 9)], 9000).get(1)).toBeNull();
  });
});
