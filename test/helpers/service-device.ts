// A device for end-to-end tests: one keep-alive TCP connection to a task's
// service IP, a request every `everyMs`, recording for each answer the
// service's own request counter (`served`), so a test sees whether the
// workload's state continued across a move, and every failure by kind.
import { Agent, request } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface DeviceAnswer {
  at: number;
  ms: number;
  served: number;
}

export interface DeviceLog {
  answers: DeviceAnswer[];
  errors: Array<{ at: number; code: string }>;
  /** TCP connections opened: 1 while the first one held. */
  connections: number;
  /** Longest time between two consecutive answers, ms. */
  longestGapMs(): number;
  /**
   * True when `served` grew at every answer: one process whose state was kept
   * (probes of others raise it too, so it may grow by more than one; a restart
   * or a copy without the state would start it again from 1).
   */
  counterContinued(): boolean;
}

export class ServiceDevice {
  // keepAliveMsecs: TCP keep-alive probes start after this idle time; Node's 1 s default drops a
  // connection whose service is frozen for more than ~11 s (a long stop-and-copy) with ETIMEDOUT.
  private readonly agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000, maxSockets: 1, maxFreeSockets: 1 });
  private stopped = false;
  private loop: Promise<void> | undefined;
  readonly log: DeviceLog;

  constructor(
    readonly ip: string,
    readonly port: number,
    private readonly opts: { everyMs?: number; timeoutMs?: number; path?: string; maxRequests?: number } = {},
  ) {
    const answers: DeviceAnswer[] = [];
    this.log = {
      answers,
      errors: [],
      connections: 0,
      longestGapMs: () => answers.slice(1).reduce((g, a, i) => Math.max(g, a.at - answers[i]!.at), 0),
      counterContinued: () => answers.every((a, i) => i === 0 || a.served > answers[i - 1]!.served),
    };
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<DeviceLog> {
    this.stopped = true;
    await this.loop;
    this.agent.destroy();
    return this.log;
  }

  /** Resolves once `n` more answers arrived (or rejects after `timeoutMs`). */
  async answersAfter(n: number, timeoutMs = 30_000): Promise<void> {
    const target = this.log.answers.length + n;
    const end = Date.now() + timeoutMs;
    while (this.log.answers.length < target) {
      if (Date.now() > end) throw new Error(`device: ${n} answers did not come within ${timeoutMs} ms (errors: ${JSON.stringify(this.log.errors.slice(-3))})`);
      await sleep(20);
    }
  }

  private async run(): Promise<void> {
    const every = this.opts.everyMs ?? 50;
    const max = this.opts.maxRequests ?? 20_000;
    for (let i = 0; i < max && !this.stopped; i++) {
      const t0 = Date.now();
      await this.once();
      await sleep(Math.max(0, every - (Date.now() - t0)));
    }
  }

  private once(): Promise<void> {
    return new Promise((resolve) => {
      const t0 = Date.now();
      const req = request(
        { host: this.ip, port: this.port, path: this.opts.path ?? "/process?size=small", agent: this.agent },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            body += c;
          });
          res.on("end", () => {
            try {
              const served = (JSON.parse(body) as { served?: number }).served;
              if (res.statusCode === 200 && typeof served === "number") this.log.answers.push({ at: Date.now(), ms: Date.now() - t0, served });
              else this.log.errors.push({ at: Date.now(), code: `HTTP ${res.statusCode}` });
            } catch {
              this.log.errors.push({ at: Date.now(), code: "bad body" });
            }
            resolve();
          });
          res.on("error", (err: NodeJS.ErrnoException) => {
            this.log.errors.push({ at: Date.now(), code: err.code ?? err.message });
            resolve();
          });
        },
      );
      req.on("socket", (s: Socket) => {
        // A reused keep-alive socket is announced again: count each socket once.
        const tagged = s as Socket & { fmCounted?: boolean };
        if (!tagged.fmCounted) {
          tagged.fmCounted = true;
          this.log.connections++;
        }
      });
      req.setTimeout(this.opts.timeoutMs ?? 30_000, () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
      req.on("error", (err: NodeJS.ErrnoException) => {
        this.log.errors.push({ at: Date.now(), code: err.code ?? err.message });
        resolve();
      });
      req.end();
    });
  }
}
