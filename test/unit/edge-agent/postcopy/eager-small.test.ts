import { describe, expect, it } from "vitest";
import { parseAreas, planEager } from "../../../../edge-agent/postcopy/eager-small.js";
import { PAGE_SIZE, PE_LAZY, PE_PRESENT } from "../../../../edge-agent/postcopy/pagemap-image.js";

const MiB = 1 << 20;

describe("small areas sent eagerly", () => {
  const areas = [
    { start: 0x10000000, end: 0x10000000 + 2 * MiB }, // a heap
    { start: 0x20000000, end: 0x20000000 + 256 * MiB }, // the working set
    { start: 0x30000000, end: 0x30000000 + 128 * 1024 }, // a stack
  ];
  const entries = [
    { vaddr: 0x10000000, nrPages: 10, flags: PE_LAZY },
    { vaddr: 0x10000000 + 20 * PAGE_SIZE, nrPages: 4, flags: PE_PRESENT },
    { vaddr: 0x20000000, nrPages: 65536, flags: PE_LAZY },
    { vaddr: 0x30000000, nrPages: 3, flags: PE_LAZY },
  ];

  it("takes the lazy entries of small areas, never the large one nor present ones", () => {
    expect([...planEager(entries, areas)].sort()).toEqual([0, 3]);
  });

  it("stays within the budget, smallest areas first", () => {
    expect([...planEager(entries, areas, 8 * MiB, 5 * PAGE_SIZE)]).toEqual([3]);
  });

  it("reads the areas of /proc/PID/maps", () => {
    const maps = "55d0a000-55d0c000 r--p 00000000 fd:01 123 /usr/bin/python3\n7ffd1000-7ffd2000 rw-p 00000000 00:00 0 [stack]\n";
    expect(parseAreas(maps)).toEqual([
      { start: 0x55d0a000, end: 0x55d0c000 },
      { start: 0x7ffd1000, end: 0x7ffd2000 },
    ]);
  });
});
