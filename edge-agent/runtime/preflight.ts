// What a direct workload needs from this host, checked before anything of it
// is made (cgroup, process, port listener): a missing binary or a port some
// other process holds is the client's error, answered before any side effect.
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

/** The file `command` runs as, looked up on `searchPath` as the shell would; null when there is none. */
export async function findExecutable(command: string, searchPath: string): Promise<string | null> {
  const candidates = command.includes("/") ? [command] : searchPath.split(":").filter(Boolean).map((dir) => path.join(dir, command));
  for (const file of candidates) {
    if (await access(file, constants.X_OK).then(() => true, () => false)) return file;
  }
  return null;
}

/** The first of `ports` a listener on this host already holds (all addresses, as the workload would listen); null when all are free. */
export async function firstBusyPort(ports: readonly number[]): Promise<number | null> {
  for (const port of ports) if (!(await canListen(port))) return port;
  return null;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "0.0.0.0", () => probe.close(() => resolve(true)));
  });
}
