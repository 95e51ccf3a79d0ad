// CRIU's own lazy dump, used where it is available: `criu dump --lazy-pages`
// writes only the images the destination needs (lazy pagemap entries carry
// PE_LAZY alone, pages-N.img holds only the eager pages) and keeps the tasks
// frozen while its page server runs. CRIU's page server cannot hand pages out
// on kernels that refuse tee() of gifted pages, so we never ask it for any: our
// server reads the frozen tasks' memory instead, and CRIU's server only gets
// the final PS_IOV_CLOSE, on which CRIU kills the tasks and exits.
import { type ChildProcess, execFile } from "node:child_process";
import { once } from "node:events";
import { access, mkdir } from "node:fs/promises";
import type { Socket } from "node:net";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { CRIU, criuError, criuReady, preDumpScript, spawnCriu } from "../runtime/criu.js";
import { encodeHeader, type Layout, PS_IOV_CLOSE } from "./page-server-protocol.js";
import { isAlive } from "./process-tree.js";

export interface LazyDump {
  dir: string;
  /** When CRIU was about to seize (freeze) the tasks (ms epoch), from its pre-dump action script; undefined if unknown. */
  frozenAt?: number;
  /** Sends CRIU's page server PS_IOV_CLOSE: CRIU kills the frozen tasks and exits. */
  finish(): Promise<void>;
  /** Fails CRIU's page-server session on purpose: CRIU then lets the tasks run on here (rollback before resume). */
  cancel(): Promise<void>;
}

/** No page-server command has this number. */
const ROLLBACK_CMD = 0x7ff0;

let capable: Promise<string | null> | undefined;

/** null when CRIU's lazy dump can be used here, else why not (probed once). */
export function lazyDumpUnavailable(): Promise<string | null> {
  capable ??= (async () => {
    try {
      await promisify(execFile)(CRIU, ["check", "--feature", "uffd-noncoop"], { timeout: 10_000 });
    } catch {
      return "criu check --feature uffd-noncoop fails (no lazy pages)";
    }
    try {
      await access("/proc/self/mem");
    } catch {
      return "/proc/PID/mem is not readable";
    }
    return null;
  })();
  return capable;
}

/** Fds of the lazy dump's child: our end of its page-server connection (--ps-socket), its readiness (--status-fd). */
const PS_FD = 3;
const STATUS_FD = 4;

export interface LazyDumpOptions {
  /**
   * Runs CRIU inside this network namespace, with its TCP connections
   * (--tcp-established). The caller fences the namespace (its bridge port
   * down) BEFORE the dump, which locks the network better than CRIU's
   * iptables rules (--network-lock skip). CRIU is told to leave the tree
   * running (--leave-running), which takes its sockets out of TCP repair mode
   * as soon as the images are written, while the tasks stay frozen for the
   * page server: a rollback (cancel) finds its connections usable, and
   * fenced, no frame reaches them meanwhile. finish() kills the tree itself
   * before CRIU would let it run.
   */
  netns?: string;
  /**
   * Fences the workload (its bridge port in the agent's namespace, set down)
   * from CRIU's pre-dump action script: after CRIU's own start and kernel
   * probes (tens of ms), right before it seizes the tasks, so the workload
   * serves until it freezes. The dump fails if the fence fails.
   */
  fence?: { port: string; agentNetns: string };
  /** Called with the freeze moment once the workload is fenced (see preDumpScript's onFenced), while CRIU still dumps. */
  onFenced?: (frozenAt: number) => void;
  timeoutMs?: number;
}

/**
 * Runs the lazy dump of `pid` into `dir` and returns once the images are
 * complete. CRIU's page server talks over a socket pair we hand it
 * (--ps-socket), never a listening port: no port to pick, and a dump run
 * inside the workload's own network namespace is reached all the same.
 * --status-fd says when the images are written: an event, not a poll.
 */
export async function startLazyDump(pid: number, dir: string, layout: Layout, opts: LazyDumpOptions = {}): Promise<LazyDump> {
  await mkdir(dir, { recursive: true });
  // Beside the images, not among them (everything in the images directory goes to the destination).
  const stamp = await preDumpScript(`${dir}-pre-dump.sh`, opts.fence);
  // Fenced (by the caller, or by the action script): the port being down is the network lock, so
  // CRIU's iptables lock (two iptables runs) is skipped.
  const tcp = opts.netns ? ["--tcp-established", "--network-lock", "skip", "--leave-running"] : [];
  const args = ["dump", "--lazy-pages", "--ps-socket", String(PS_FD), "--status-fd", String(STATUS_FD), ...stamp.args, "-t", String(pid), ...tcp];
  const child: ChildProcess = spawnCriu(args, { dir, log: "dump.log", netns: opts.netns, extraFds: 2 });
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  let exited: [number | null, NodeJS.Signals | null] | null = null;
  void exit.then((e) => (exited = e));
  const sock = child.stdio[PS_FD] as Socket;
  const status = child.stdio[STATUS_FD] as Socket;
  sock.on("error", () => {});
  status.on("error", () => {});
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
  const unwatch = opts.onFenced ? stamp.onFenced(opts.onFenced) : () => {};
  try {
    await criuReady(child, STATUS_FD, "criu dump --lazy-pages");
  } catch {
    const [code, signal] = exited ?? (await exit);
    sock.destroy();
    status.destroy();
    throw await criuError(args, { dir, log: "dump.log" }, code !== null ? `exit ${code}` : `signal ${signal}`);
  } finally {
    clearTimeout(timer);
    unwatch();
  }
  const frozenAt = await stamp.frozenAt();
  const hangUp = () => {
    sock.destroy();
    status.destroy();
  };
  return {
    dir,
    frozenAt,
    async finish() {
      // --leave-running: CRIU would thaw the tree after the close; it dies first (SIGKILL to its init ends the namespace).
      if (opts.netns && isAlive(pid)) process.kill(pid, "SIGKILL");
      if (!exited) {
        // CRIU answers with a 4-byte status, then (its socket handed in) exits.
        const answer = once(sock, "data").catch(() => null);
        sock.write(encodeHeader({ cmd: PS_IOV_CLOSE, nrPages: 0, vaddr: 0, dstId: 0 }, layout));
        await Promise.race([answer, exit, sleep(10_000)]);
        sock.end();
        await Promise.race([exit, sleep(10_000)]);
      }
      hangUp();
      if (!exited) child.kill("SIGKILL");
      if (isAlive(pid)) process.kill(pid, "SIGKILL");
    },
    async cancel() {
      if (!exited) {
        // An unknown command fails CRIU's page-server session, and a failed
        // lazy dump thaws the tasks (killing CRIU would take them with it).
        sock.write(encodeHeader({ cmd: ROLLBACK_CMD, nrPages: 0, vaddr: 0, dstId: 0 }, layout));
        await Promise.race([exit, sleep(10_000)]);
      }
      hangUp();
      if (!exited) child.kill("SIGKILL");
      await exit;
    },
  };
}
