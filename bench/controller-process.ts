// Runs the controller as a child process on free loopback ports, so the benchmark can measure its
// memory (VmHWM) apart from the emulated switches, and stops it by PID.
import { type ChildProcess, spawn } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ControllerClient } from "../src/clients/controller.js";
import { waitFor } from "../src/wait.js";

const CLI = fileURLToPath(new URL("../bin/fleximigrate.js", import.meta.url));

export async function freeTcpPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export async function freeUdpPort(): Promise<number> {
  const sock = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
  const port = sock.address().port;
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return port;
}

export class ControllerProcess {
  private stderrTail = "";
  readonly api: ControllerClient;

  private constructor(
    readonly child: ChildProcess,
    readonly openflowPort: number,
    readonly httpUrl: string,
  ) {
    child.stderr?.on("data", (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-2000);
    });
    child.stdout?.resume();
    this.api = new ControllerClient(httpUrl);
  }

  /**
   * Starts `fleximigrate controller` (or `command`, given the same flags) and waits until its HTTP API answers.
   */
  static async start(opts: { timeoutMs?: number; command?: string[]; extraArgs?: string[] } = {}): Promise<ControllerProcess> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const openflowPort = await freeTcpPort();
    const httpPort = await freeTcpPort();
    const dnsPort = await freeUdpPort();
    const [cmd, ...prefix] = opts.command ?? [process.execPath, CLI, "controller"];
    // Our controller gets a state folder of its own (gone at stop): no earlier run's records.
    const stateDir = opts.command ? undefined : mkdtempSync(path.join(tmpdir(), "fm-bench-ctl-"));
    const child = spawn(
      cmd!,
      [...prefix, "--openflow-port", String(openflowPort), "--http-port", String(httpPort), "--dns-port", String(dnsPort), ...(stateDir ? ["--state-dir", stateDir, "--insecure"] : []), ...(opts.extraArgs ?? [])],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    if (stateDir) child.once("exit", () => rmSync(stateDir, { recursive: true, force: true }));
    const proc = new ControllerProcess(child, openflowPort, `http://127.0.0.1:${httpPort}`);
    const answers = async () => {
      if (child.exitCode !== null) throw new Error(`controller exited with ${child.exitCode}: ${proc.stderrTail.trim()}`);
      return proc.api.switches({ retry: false, timeoutMs: 1000 }).then(
        () => true,
        () => false, // not listening yet
      );
    };
    try {
      await waitFor(answers, { timeoutMs, intervalMs: 200, what: `the controller on ${proc.httpUrl}` });
      return proc;
    } catch (err) {
      await proc.stop();
      throw new Error(`${(err as Error).message}: ${proc.stderrTail.trim()}`);
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Peak resident set size so far (VmHWM), in MiB. */
  peakRssMiB(): number {
    return this.statusMiB("VmHWM");
  }

  /** Resident set size now (VmRSS), in MiB. */
  rssMiB(): number {
    return this.statusMiB("VmRSS");
  }

  private statusMiB(field: string): number {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    const kb = Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return kb / 1024;
  }

  /** Switches the controller lists (GET /v1/switches), or -1 when the answer is not a list. */
  async switchCount(): Promise<number> {
    const { switches } = await this.api.switches();
    return Array.isArray(switches) ? switches.length : -1;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}
