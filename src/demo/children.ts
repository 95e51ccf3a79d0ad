// The processes `up` starts: each a `fleximigrate` subcommand of this same
// checkout. Keeps the tail of their output for error reports, and stops them
// by PID (SIGTERM, then SIGKILL after a grace period).
import { type ClientTls, tlsFetch } from "../http/tls-fetch.js";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { waitFor } from "../wait.js";

const CLI = fileURLToPath(new URL("../../bin/fleximigrate.js", import.meta.url));
const TAIL_LINES = 15;

export class Child {
  readonly process: ChildProcess;
  private readonly stdoutLines: string[] = [];
  private readonly stderrLines: string[] = [];
  private readonly lineWaiters: Array<(line: string) => void> = [];
  readonly exited: Promise<number | null>;
  /** undefined while running; null when it died of a signal. */
  exitCode: number | null | undefined = undefined;

  constructor(
    readonly name: string,
    readonly args: string[],
    /** `wrap`: a command the child runs under (e.g. nsenter into a namespace, which execs it: same PID). */
    opts: { wrap?: string[]; env?: NodeJS.ProcessEnv } = {},
  ) {
    const argv = [...(opts.wrap ?? []), process.execPath, CLI, ...args];
    this.process = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], env: opts.env ?? process.env });
    this.exited = new Promise((resolve) => {
      this.process.once("error", (err) => {
        this.stderrLines.push(err.message);
        this.exitCode = null;
        resolve(null);
      });
      this.process.once("exit", (code) => {
        this.exitCode = code;
        resolve(code);
      });
    });
    collectLines(this.process.stdout!, (line) => {
      keepTail(this.stdoutLines, line);
      for (const w of this.lineWaiters) w(line);
    });
    collectLines(this.process.stderr!, (line) => keepTail(this.stderrLines, line));
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Last lines the child wrote on stderr (or stdout when stderr is empty). */
  tail(): string {
    return (this.stderrLines.length ? this.stderrLines : this.stdoutLines).join("\n");
  }

  /** Resolves with the first stdout line matching `re` (seen so far or later); rejects when the child exits or on timeout. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const seen = this.stdoutLines.map((l) => l.match(re)).find((m) => m);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no sign of life after ${timeoutMs / 1000} s`)), timeoutMs);
      const waiter = (line: string) => {
        const m = line.match(re);
        if (m) done(null, m);
      };
      const done = (err: Error | null, m?: RegExpMatchArray) => {
        clearTimeout(timer);
        const i = this.lineWaiters.indexOf(waiter);
        if (i >= 0) this.lineWaiters.splice(i, 1);
        if (err) reject(err);
        else resolve(m!);
      };
      this.lineWaiters.push(waiter);
      void this.exited.then((code) => done(new Error(`exited (code ${code}) before it was ready`)));
    });
  }

  /** SIGKILL by PID, synchronously (for process exit handlers). */
  kill(): void {
    if (this.pid !== undefined) signal(this.pid, "SIGKILL");
  }

  /** Stops the child by its PID; resolves once it has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running || this.pid === undefined) return;
    signal(this.pid, "SIGTERM");
    const timer = setTimeout(() => signal(this.pid!, "SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Resolves true when `url` answers HTTP at all (any status) before `timeoutMs`, false when the child exits first or time runs out. */
export async function waitForHttp(child: Child, url: string, timeoutMs: number, tls?: ClientTls): Promise<boolean> {
  const get = tls ? tlsFetch(tls) : (u: string, init: RequestInit) => fetch(u, init);
  const answers = async () => {
    try {
      await get(url, { signal: AbortSignal.timeout(1000) });
      return "answers";
    } catch {
      return child.running ? undefined : "exited";
    }
  };
  const outcome = await waitFor(answers, { timeoutMs, intervalMs: 250, what: url }).catch(() => "timed out");
  return outcome === "answers";
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function collectLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffer += chunk;
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      onLine(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf("\n");
    }
  });
  stream.on("end", () => {
    if (buffer) onLine(buffer);
  });
}

function keepTail(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > TAIL_LINES) lines.shift();
}
