// The device of `bench loop`: one keep-alive TCP connection to a task's
// service IP, a request every `everyMs` (the next one leaves once the answer
// is in and the interval is over), recording when each answer arrived and the
// service's own request counter, so a move's cost shows as a gap.
import { Agent, request } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface DeviceRecord {
  /** Arrival of each answer (ms since the epoch, sub-ms precision), ascending. */
  answersAt: number[];
  /** The service's `served` counter in each answer. */
  served: number[];
  errors: Array<{ at: number; code: string }>;
  connections: number;
}

const now = () => performance.timeOrigin + performance.now();

export class LoopDevice {
  // keepAliveMsecs is also the socket's TCP keep-alive delay: Node's default (1 s, then
  // libuv's 10 probes 1 s apart) ends a connection whose server is frozen for more
  // than ~11 s with ETIMEDOUT, which a 1 GiB stop-and-copy is. A real device's
  // kernel default waits two hours; a minute keeps the move, not the device, measured.
  private readonly agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000, maxSockets: 1, maxFreeSockets: 1 });
  private stopped = false;
  private running: Promise<void> | undefined;
  readonly record: DeviceRecord = { answersAt: [], served: [], errors: [], connections: 0 };

  constructor(
    private readonly ip: string,
    private readonly port: number,
    private readonly everyMs: number,
    private readonly timeoutMs = 120_000,
  ) {}

  start(): void {
    this.running = this.run();
  }

  async stop(): Promise<DeviceRecord> {
    this.stopped = true;
    await this.running;
    this.agent.destroy();
    return this.record;
  }

  /** Resolves once `n` more answers arrived; rejects after `timeoutMs` with the last errors. */
  async answersAfter(n: number, timeoutMs = 30_000): Promise<void> {
    const target = this.record.answersAt.length + n;
    const end = Date.now() + timeoutMs;
    while (this.record.answersAt.length < target) {
      if (Date.now() > end) throw new Error(`the device got no ${n} answers within ${timeoutMs / 1000} s (errors: ${JSON.stringify(this.record.errors.slice(-3))})`);
      await sleep(10);
    }
  }

  counterContinued(): boolean {
    return this.record.served.every((s, i) => i === 0 || s > this.record.served[i - 1]!);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const t0 = now();
      await this.once();
      await sleep(Math.max(0, this.everyMs - (now() - t0)));
    }
  }

  private once(): Promise<void> {
    return new Promise((resolve) => {
      // A request may fail twice (response error, then request error): count it once.
      let settled = false;
      const fail = (code: string) => {
        if (settled) return;
        settled = true;
        this.record.errors.push({ at: now(), code });
        resolve();
      };
      const req = request({ host: this.ip, port: this.port, path: "/process?size=small", agent: this.agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          body += c;
        });
        res.on("error", (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
        res.on("end", () => {
          const at = now();
          let served: unknown;
          try {
            served = (JSON.parse(body) as { served?: unknown }).served;
          } catch {
            return fail("bad body");
          }
          if (res.statusCode !== 200 || typeof served !== "number") return fail(`HTTP ${res.statusCode}`);
          if (settled) return;
          settled = true;
          this.record.answersAt.push(at);
          this.record.served.push(served);
          resolve();
        });
      });
      req.on("socket", (s: Socket) => {
        // A reused keep-alive socket is announced again: count each one once.
        const tagged = s as Socket & { fmqCounted?: boolean };
        if (!tagged.fmqCounted) {
          tagged.fmqCounted = true;
          this.record.connections++;
        }
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
      req.on("error", (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
      req.end();
    });
  }
}
