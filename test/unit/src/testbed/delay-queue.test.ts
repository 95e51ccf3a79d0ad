import { describe, expect, it } from "vitest";
import { DelayQueue } from "../../../../src/testbed/delay-queue.js";

describe("DelayQueue (the WAN relay's core)", () => {
  it("holds each frame for the delay and releases them in arrival order", () => {
    const q = new DelayQueue<string>(10, 100);
    q.push("a", 0);
    q.push("b", 3);
    q.push("c", 3);
    expect(q.takeDue(9.9)).toEqual([]);
    expect(q.nextDue()).toBe(10);
    expect(q.takeDue(10)).toEqual(["a"]);
    expect(q.takeDue(13)).toEqual(["b", "c"]);
    expect(q.nextDue()).toBeNull();
    expect(q.stats).toEqual({ accepted: 3, released: 3, dropped: 0, highWater: 3 });
  });

  it("never releases a frame before one that came earlier, even when the clock steps back", () => {
    const q = new DelayQueue<number>(5, 10);
    q.push(1, 100);
    q.push(2, 90);
    expect(q.takeDue(99)).toEqual([]);
    expect(q.takeDue(105)).toEqual([1, 2]);
  });

  it("drops and counts frames that find the queue full (tail drop), and takes more once it drains", () => {
    const q = new DelayQueue<number>(1, 2);
    expect(q.push(1, 0)).toBe(true);
    expect(q.push(2, 0)).toBe(true);
    expect(q.push(3, 0)).toBe(false);
    expect(q.stats.dropped).toBe(1);
    expect(q.takeDue(1)).toEqual([1, 2]);
    expect(q.push(4, 1)).toBe(true);
    expect(q.takeDue(2)).toEqual([4]);
    expect(q.stats).toEqual({ accepted: 3, released: 3, dropped: 1, highWater: 2 });
  });

  it("with no delay releases at once", () => {
    const q = new DelayQueue<string>(0, 1);
    q.push("x", 7);
    expect(q.takeDue(7)).toEqual(["x"]);
  });

  it("keeps order across its internal compaction", () => {
    const q = new DelayQueue<number>(1, 5000);
    const out: number[] = [];
    for (let i = 0; i < 4000; i++) {
      q.push(i, i);
      out.push(...q.takeDue(i));
    }
    out.push(...q.takeDue(Number.POSITIVE_INFINITY));
    expect(out).toEqual(Array.from({ length: 4000 }, (_, i) => i));
  });

  it("refuses a negative delay or an empty capacity", () => {
    expect(() => new DelayQueue(-1, 1)).toThrow(/delay -1/);
    expect(() => new DelayQueue(1, 0)).toThrow(/capacity 0/);
  });
});
