// The WAN relay's pure core: frames held for a fixed delay, released in
// arrival order, at most `capacity` held at once (a frame that finds the queue
// full is dropped and counted, as a router's tail drop would).

export interface DelayQueueStats {
  accepted: number;
  released: number;
  dropped: number;
  /** Most frames held at once. */
  highWater: number;
}

export class DelayQueue<T> {
  private readonly items: Array<{ item: T; due: number }> = [];
  private head = 0;
  private lastDue = Number.NEGATIVE_INFINITY;
  readonly stats: DelayQueueStats = { accepted: 0, released: 0, dropped: 0, highWater: 0 };

  constructor(
    readonly delayMs: number,
    readonly capacity: number,
  ) {
    if (!(Number.isFinite(delayMs) && delayMs >= 0)) throw new RangeError(`delay ${delayMs} ms must be a number >= 0`);
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`capacity ${capacity} must be an integer >= 1`);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Holds `item` until now + delay; false (and counted as dropped) when the queue is full. */
  push(item: T, now: number): boolean {
    if (this.size >= this.capacity) {
      this.stats.dropped++;
      return false;
    }
    // Never before the frame ahead of it: order holds even if the clock steps back.
    const due = Math.max(now + this.delayMs, this.lastDue);
    this.lastDue = due;
    this.items.push({ item, due });
    this.stats.accepted++;
    this.stats.highWater = Math.max(this.stats.highWater, this.size);
    return true;
  }

  /** The frames whose time has come, oldest first. */
  takeDue(now: number): T[] {
    const out: T[] = [];
    while (this.head < this.items.length && this.items[this.head]!.due <= now) out.push(this.items[this.head++]!.item);
    this.stats.released += out.length;
    // Compact now and then so the array does not grow forever.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return out;
  }

  /** When the oldest held frame is due; null when empty. */
  nextDue(): number | null {
    return this.head < this.items.length ? this.items[this.head]!.due : null;
  }
}
