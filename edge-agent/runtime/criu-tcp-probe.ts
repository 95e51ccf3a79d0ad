// Can this node's CRIU dump TCP sockets? Asked of CRIU itself, never read
// from its version string: a tiny tree holding an ESTABLISHED loopback
// connection is dumped with --tcp-established (and left running), then ended.
// CRIU 4.1.1 fails here on Linux >= 6.16 ("Can't get 1:16 opt"); 4.2.1 passes.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CriuError, criu } from "./criu.js";

export interface TcpDumpProbe {
  ok: boolean;
  /** CRIU's own error lines, or why the probe could not run. */
  reason?: string;
}

// A server and a client in one process, connected, then idle: the socket
// pair is what CRIU has to put into repair mode.
const PROBE = `
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
c.sendall(b"x"); a.recv(1)
open(sys.argv[1], "w").write("ready")
time.sleep(60)
`;

const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

export async function probeTcpDump(timeoutMs = 20_000): Promise<TcpDumpProbe> {
  const dir = await mkdtemp(path.join(tmpdir(), "fleximigrate-tcp-probe-"));
  const ready = path.join(dir, "ready");
  // Its own PID namespace and session, as every dumped tree here needs.
  const child = spawn("unshare", ["-p", "-f", "setsid", PYTHON, "-c", PROBE, ready], { stdio: "ignore" });
  const exited = new Promise<string>((resolve) => {
    child.on("error", (err) => resolve(err.message));
    child.on("exit", (code, sig) => resolve(`the probe process exited (${sig ?? code})`));
  });
  try {
    const pid = await Promise.race([probePid(child.pid, ready, timeoutMs), exited]);
    if (typeof pid === "string") return { ok: false, reason: `cannot start the TCP probe: ${pid}` };
    await criu(["dump", "-t", String(pid), "--tcp-established", "--leave-running"], { dir, log: "probe-dump.log", timeoutMs });
    return { ok: true };
  } catch (err) {
    if (err instanceof CriuError) return { ok: false, reason: err.excerpt };
    throw err;
  } finally {
    // Killing unshare's child (the namespace's init) ends the whole namespace.
    const inner = child.pid ? await firstChild(child.pid) : undefined;
    for (const p of [inner, child.pid]) if (p) signal(p);
    await rm(dir, { recursive: true, force: true });
  }
}

/** The probe's host PID once it has its connection up (unshare's only child). */
async function probePid(outer: number | undefined, ready: string, timeoutMs: number): Promise<number | string> {
  if (!outer) return "unshare did not start";
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (existsSync(ready)) {
      const pid = await firstChild(outer);
      if (pid) return pid;
    }
    await sleep(20);
  }
  return `no connection after ${timeoutMs} ms`;
}

async function firstChild(pid: number): Promise<number | undefined> {
  const kids = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
  const first = kids.split(/\s+/).find(Boolean);
  return first ? Number(first) : undefined;
}

function signal(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
