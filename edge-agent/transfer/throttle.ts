// A Transform that passes bytes at most at `bytesPerSecond` (token bucket),
// and reports every chunk it lets through.
import { Transform, type TransformCallback } from "node:stream";

export class Throttle extends Transform {
  private readonly start = Date.now();
  private passed = 0;

  constructor(
    private readonly bytesPerSecond: number | undefined,
    private readonly onBytes: (n: number) => void = () => undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.passed += chunk.length;
    this.onBytes(chunk.length);
    const wait = throttleDelayMs(this.passed, Date.now() - this.start, this.bytesPerSecond);
    if (wait <= 0) done(null, chunk);
    else setTimeout(() => done(null, chunk), wait);
  }
}

/** Delay before `bytes` may go out at `rate` B/s, given `passed` so far over `elapsedMs` (pure, for tests). */
export function throttleDelayMs(passed: number, elapsedMs: number, rate: number | undefined): number {
  if (!rate || rate <= 0) return 0;
  return Math.max(0, (passed / rate) * 1000 - elapsedMs);
}
