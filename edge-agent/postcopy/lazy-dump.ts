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
import { connect, createServer, type Socket } from "node:net";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { CRIU, criuError, spawnCriu } from "../runtime/criu.js";
import { encodeHeader, type Layout, PS_IOV_CLOSE } from "./page-server-protocol.js";
import { isAlive } from "./process-tree.js";

export interface LazyDump {
  dir: string;
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

async function freePort(host: string): Promise<number> {
  const srv = createServer();
  srv.listen(0, host);
  await once(srv, "listening");
  const addr = srv.address();
  await new Promise((r) => srv.close(r));
  return typeof addr === "object" && addr ? addr.port : 0;
}

/** Runs the lazy dump of `pid` into `dir` and returns once the images are complete. */
export async function startLazyDump(pid: number, dir: string, layout: Layout, timeoutMs = 120_000): Promise<LazyDump> {
  await mkdir(dir, { recursive: true });
  const port = await freePort("127.0.0.1");
  const args = ["dump", "--lazy-pages", "--address", "127.0.0.1", "--port", String(port), "-t", String(pid)];
  const child: ChildProcess = spawnCriu(args, { dir, log: "dump.log" });
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  let exited: [number | null, NodeJS.Signals | null] | null = null;
  void exit.then((e) => (exited = e));
  const deadline = Date.now() + timeoutMs;
  let control: Socket | null = null;
  // CRIU listens only once the images are written: connecting is the signal.
  while (!control) {
    if (exited) throw await criuError(args, { dir, log: "dump.log" }, exited[0] !== null ? `exit ${exited[0]}` : `signal ${exited[1]}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`criu dump --lazy-pages did not finish within ${timeoutMs} ms`);
    }
    control = await tryConnect(port);
    if (!control) await new Promise((r) => setTimeout(r, 5));
  }
  const sock = control;
  sock.on("error", () => {});
  return {
    dir,
    async finish() {
      if (!exited) {
        // CRIU answers with a 4-byte status, then waits for us to hang up before it exits.
        const status = once(sock, "data").catch(() => null);
        sock.write(encodeHeader({ cmd: PS_IOV_CLOSE, nrPages: 0, vaddr: 0, dstId: 0 }, layout));
        await Promise.race([status, exit, sleep(10_000)]);
        sock.end();
        await Promise.race([exit, sleep(10_000)]);
      }
      sock.destroy();
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
      sock.destroy();
      if (!exited) child.kill("SIGKILL");
      await exit;
    },
  };
}

function tryConnect(port: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => resolve(s));
    s.once("error", () => resolve(null));
  });
}
