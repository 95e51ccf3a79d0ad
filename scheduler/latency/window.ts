// A fixed-size ring of the most recent numbers, for measured latency: memory
// stays bounded however many samples arrive, and percentiles describe "now".
import { percentile } from "../../src/devices/stats.js";

export interface Quantiles {
  p50: number | null;
  p95: number | null;
}

export class Window {
  private readonly values: number[] = [];
  private next = 0;
  /** Every value ever pushed, not only those kept. */
  total = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new Error(`window capacity must be a positive integer, got ${capacity}`);
  }

  push(v: number): void {
    this.total++;
    if (this.values.length < this.capacity) this.values.push(v);
    else this.values[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.values.length;
  }

  quantiles(): Quantiles {
    const sorted = [...this.values].sort((a, b) => a - b);
    return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
  }

  /** Mean of the kept values (null when empty): with 0/1 values, a rate. */
  mean(): number | null {
    if (this.values.length === 0) return null;
    return this.values.reduce((s, v) => s + v, 0) / this.values.length;
  }
}
