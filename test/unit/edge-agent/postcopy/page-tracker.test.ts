import { describe, expect, it } from "vitest";
import { PAGE_SIZE } from "../../../../edge-agent/postcopy/pagemap-image.js";
import { PageTracker } from "../../../../edge-agent/postcopy/page-tracker.js";

const P = PAGE_SIZE;
const tracker = () =>
  new PageTracker(
    new Map([
      [1, [{ vaddr: 0x100000, nrPages: 8 }, { vaddr: 0x200000, nrPages: 1 }]],
      [2, [{ vaddr: 0x100000, nrPages: 4 }]],
    ]),
  );

describe("PageTracker", () => {
  it("counts every lazy page of every task", () => {
    expect(tracker().snapshot()).toMatchObject({ pagesTotal: 13, pagesRemaining: 13, pagesOnFault: 0, pagesPushed: 0 });
  });

  it("calls a multi-page request background and a lone page in the middle a fault", () => {
    const t = tracker();
    expect(t.classify(1, 0x100000, 4)).toBe("push");
    expect(t.classify(1, 0x100000 + 5 * P, 1)).toBe("fault");
    // The lowest unsent page, but more pages follow it: the daemon's background fetch would ask for them all.
    expect(t.classify(1, 0x100000, 1)).toBe("fault");
  });

  it("calls the last lone page at the lowest unsent address background", () => {
    const t = tracker();
    t.markSent(1, 0x100000, 8, "push");
    expect(t.classify(1, 0x200000, 1)).toBe("push");
    t.markSent(2, 0x100000, 3, "push");
    expect(t.classify(2, 0x100000 + 3 * P, 1)).toBe("push");
  });

  it("tracks sent pages per kind until none remain, and counts resends", () => {
    const t = tracker();
    t.markSent(1, 0x100000 + 2 * P, 1, "fault");
    t.markSent(1, 0x100000, 8, "push");
    t.markSent(1, 0x200000, 1, "push");
    t.markSent(2, 0x100000, 4, "push");
    t.markSent(2, 0x900000, 4, "push"); // not lazy: ignored
    expect(t.snapshot()).toEqual({ pagesTotal: 13, pagesOnFault: 1, pagesPushed: 12, pagesResent: 1, pagesRemaining: 0 });
    expect(t.remaining).toBe(0);
  });
});
