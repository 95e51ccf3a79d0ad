// The services of `up`'s scheduler-only demo: the scheduler (required) and
// the controller (when its command exists and starts), each a child process
// of this checkout on the run's ports, speaking mutual TLS with the run's own
// CA in the run's own state folder. Stopped by PID; the folder goes with them.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "../cli/command.js";
import type { ClientTls } from "../http/tls-fetch.js";
import { Child, waitForHttp } from "./children.js";
import { type DemoTrust, demoTrust } from "./demo-trust.js";
import { DEMO_NODES } from "./demo-cluster.js";

const ROOT = new URL("../../", import.meta.url);
const moduleExists = (path: string) => existsSync(fileURLToPath(new URL(path, ROOT)));
const STARTUP_MS = 60_000;

/** The run was stopped (Ctrl-C, its duration) while a start-up step waited. */
export class Stopped extends Error {}

export interface DemoPorts {
  scheduler: number;
  controllerHttp: number;
  openflow: number;
  dns: number;
}

/** What the services tell the run they belong to. */
export interface DemoServicesHost {
  /** Races a start-up step against the run's stop. */
  until<T>(p: Promise<T>): Promise<T>;
  emit(record: Record<string, unknown>, text: string): void;
  emitError(record: Record<string, unknown>, text: string): void;
  /** The scheduler ended on its own (not stopped by us): the run fails with `why`. */
  schedulerDied(why: string): void;
}

export class DemoServices {
  private readonly children: Child[] = [];
  /** The scheduler's state folder, this run's own (made when the scheduler starts). */
  private stateDir: string | undefined;
  /** The run's CA and certificates, in its state folder. */
  private trust: DemoTrust | undefined;
  private stopping = false;

  constructor(
    private readonly ports: DemoPorts,
    private readonly host: DemoServicesHost,
  ) {}

  /** The admin's credentials for this run's clients. */
  get adminTls(): ClientTls | undefined {
    return this.trust?.admin;
  }

  /** Resolves the scheduler's URL once it listens. */
  async startScheduler(): Promise<string> {
    // The demo load lasts seconds: the service's 10 s min-residence would hold back every move it means to show.
    // A state folder of this run's own: the scheduler must not restore an earlier demo's tasks.
    this.stateDir = mkdtempSync(join(tmpdir(), "fleximigrate-up-"));
    this.trust = demoTrust(this.stateDir, DEMO_NODES.map((n) => n.name));
    const child = this.spawn("scheduler", ["scheduler", "--port", String(this.ports.scheduler), "--host", "127.0.0.1", "--min-residence", "0", "--state-dir", this.stateDir, ...this.trust.args]);
    try {
      const m = await this.host.until(child.waitForLine(/^scheduler listening on (\S+)/, STARTUP_MS));
      void child.exited.then((code) => {
        if (this.stopping) return; // stopped by us
        this.host.schedulerDied(`the scheduler exited (${code === null ? "killed by a signal" : `code ${code}`}):\n${child.tail()}`);
      });
      return m[1]!;
    } catch (err) {
      if (err instanceof Stopped) throw err;
      throw new CliError(`the scheduler did not start: ${(err as Error).message}\n${child.tail()}`, 1);
    }
  }

  /** Resolves the controller's URL, or null when it is not built or did not start (the run goes on without it). */
  async startController(): Promise<string | null> {
    if (!moduleExists("controller/cli/serve.ts")) {
      const reason = "not built yet (no controller/cli/serve.ts)";
      this.host.emit({ type: "child-skipped", name: "controller", reason }, `skipped   controller: ${reason}`);
      return null;
    }
    const p = this.ports;
    const child = this.spawn("controller", [
      "controller",
      "--http-port",
      String(p.controllerHttp),
      "--openflow-port",
      String(p.openflow),
      "--dns-port",
      String(p.dns),
      // This run's own state folder (made by startScheduler, which runs first): no earlier demo's records.
      "--state-dir",
      join(this.stateDir ?? mkdtempSync(join(tmpdir(), "fleximigrate-up-")), "controller"),
      ...(this.trust?.args ?? ["--insecure"]),
    ]);
    const url = `${this.trust ? "https" : "http"}://127.0.0.1:${p.controllerHttp}`;
    return (await this.host.until(this.ready(child, url))) ? url : null;
  }

  /** Stops every child by PID and removes the run's state folder. */
  async stop(): Promise<Array<{ name: string; pid: number | undefined; exitCode: number | null }>> {
    this.stopping = true;
    await Promise.all(this.children.map((c) => c.stop()));
    if (this.stateDir) rmSync(this.stateDir, { recursive: true, force: true });
    return this.children.map((c) => ({ name: c.name, pid: c.pid, exitCode: c.exitCode ?? null }));
  }

  /** Last resort when the process dies anyway: no child outlives it. */
  killAll(): void {
    for (const c of this.children) if (c.running && c.pid) c.kill();
  }

  private spawn(name: string, args: string[]): Child {
    const child = new Child(name, args);
    this.children.push(child);
    this.host.emit({ type: "child-started", name, pid: child.pid, args }, `started   ${name} (pid ${child.pid})`);
    return child;
  }

  /** True when the child answers HTTP; else reports it with its output's tail, stops it, and the run goes on. */
  private async ready(child: Child, url: string): Promise<boolean> {
    if (await waitForHttp(child, url, STARTUP_MS, this.trust?.admin)) return true;
    const why = child.running ? `no answer on ${url} after ${STARTUP_MS / 1000} s` : `exited with code ${child.exitCode}`;
    await child.stop();
    this.host.emitError({ type: "child-failed", name: child.name, reason: why, tail: child.tail() }, `${child.name} did not start (${why}); going on without it:\n${indent(child.tail())}`);
    return false;
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}
