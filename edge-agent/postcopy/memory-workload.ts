// The reference workload of the post-copy tests and the migration benchmark
// (memory_workload.py): starts it as CRIU needs it (a session leader in its
// own PID namespace) and talks to it over its Unix socket.
import { execFileSync, spawn } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./memory_workload.py", import.meta.url));

export interface Workload {
  /** The workload's PID here (PID 1 of its namespace): what CRIU dumps. */
  pid: number;
  /** The `unshare` parent, which exits when the workload is dumped. */
  launcherPid: number;
  socket: string;
}

export function ask(socket: string, cmd: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    let data = "";
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`workload did not answer '${cmd}' within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on("connect", () => s.write(`${cmd}\n`));
    s.on("data", (c) => (data += c));
    s.on("end", () => {
      clearTimeout(timer);
      resolve(data.trim());
    });
    s.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** With `underShell`, the tree is a shell (PID 1) with the Python server as its child: two tasks to migrate. */
export async function startWorkload(sizeMiB: number, socket: string, opts: { underShell?: boolean } = {}): Promise<Workload> {
  const argv = ["/usr/bin/python3", script, String(sizeMiB), socket];
  // "; true" keeps the shell from exec'ing into Python.
  const cmd = opts.underShell ? ["/bin/sh", "-c", `${argv.join(" ")}; true`] : argv;
  const launcher = spawn("unshare", ["-p", "-f", "setsid", ...cmd], {
    stdio: "ignore",
    detached: true,
  });
  launcher.unref();
  const launcherPid = launcher.pid!;
  let exited: number | null = null;
  launcher.once("exit", (code) => (exited = code ?? -1));
  const deadline = Date.now() + 60_000 + sizeMiB * 30;
  for (;;) {
    try {
      if ((await ask(socket, "count", 2_000)) === "1") break;
    } catch {
      // not listening yet
    }
    if (exited !== null) throw new Error(`workload exited with ${exited} before answering`);
    if (Date.now() > deadline) throw new Error("workload did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = Number(execFileSync("pgrep", ["-P", String(launcherPid)]).toString().trim().split("\n")[0]);
  return { pid, launcherPid, socket };
}

export function killPid(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone already
  }
}
