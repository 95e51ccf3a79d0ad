// Starts the workload server as a child process (so that a cgroup can hold it
// alone) and sends it requests over loopback, timing each one.
import { type ChildProcess, spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import type { ServerCommand } from "./runtime.js";

/** The server's entry file, for a runtime's serverCommand. */
export const SERVER_PATH = fileURLToPath(new URL("./server.ts", import.meta.url));
const START_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 120_000;

export interface WorkloadResult {
  latencyMs: number;
  checksum: string;
  cpuMs: number;
}

export class WorkloadProcess {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  /** Spawns the server and waits for it to report its port. */
  static async start(cmd: ServerCommand): Promise<WorkloadProcess> {
    const child = spawn(cmd.command, cmd.args, {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, FLEXIMIGRATE_WORKLOAD_PORT: "0" },
    });
    const port = await new Promise<number>((resolve, reject) => {
      let buf = "";
      const timer = setTimeout(() => fail(new Error(`workload server (${cmd.command}) did not start within 30 s`)), START_TIMEOUT_MS);
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(err);
      };
      child.once("error", fail);
      child.once("exit", (code) => fail(new Error(`workload server (${cmd.command}) exited early (code ${code})`)));
      child.stdout!.on("data", (chunk: Buffer) => {
        buf += chunk.toString();
        const nl = buf.indexOf("\n");
        if (nl < 0) return;
        clearTimeout(timer);
        child.removeAllListeners("exit");
        try {
          resolve((JSON.parse(buf.slice(0, nl)) as { port: number }).port);
        } catch {
          fail(new Error(`workload server printed '${buf.slice(0, nl)}' instead of its port`));
        }
      });
    });
    return new WorkloadProcess(child, port);
  }

  /** One timed request: wall-clock time from sending to the last byte of the answer. */
  process(size: string): Promise<WorkloadResult> {
    return new Promise((resolve, reject) => {
      const start = performance.now();
      const req = request(
        { host: "127.0.0.1", port: this.port, path: `/process?size=${encodeURIComponent(size)}`, agent: this.agent },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            body += c;
          });
          res.on("end", () => {
            const latencyMs = performance.now() - start;
            if (res.statusCode !== 200) return reject(new Error(`workload answered ${res.statusCode}: ${body}`));
            const { checksum, cpuMs } = JSON.parse(body) as { checksum: string; cpuMs: number };
            resolve({ latencyMs, checksum, cpuMs });
          });
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`request timed out after ${REQUEST_TIMEOUT_MS} ms`)));
      req.on("error", reject);
      req.end();
    });
  }

  /** Stops the server (by its PID) and waits for it to exit. */
  async stop(): Promise<void> {
    this.agent.destroy();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
