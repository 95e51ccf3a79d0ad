// Docker's checkpoint/restore as the peer the migration bench compares with:
// a container holding N MiB of known bytes is checkpointed (CRIU dump, the
// container exits) and started again from that checkpoint on the same engine.
//
// The workload is edge-agent/workloads/stateful_server.py run by the host's
// /usr/bin/python3: the busybox test image links /lib and /lib64 into /usr,
// and the host's /usr is bind-mounted read-only. It serves HTTP on an
// abstract unix socket in the host's network namespace (hostNetwork), since
// CRIU cannot dump TCP sockets on this kernel (docs/docker.md).
import { randomBytes } from "node:crypto";
import { readdir, rm, stat } from "node:fs/promises";
import net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureTestImage } from "./docker-image.js";
import { DockerRuntime } from "./docker.js";
import type { WorkloadRecord } from "./types.js";

export interface DockerCheckpointOptions {
  /** Container name; must be unique on the engine. */
  container?: string;
  workingSetMiB?: number;
  /** Where Docker writes the checkpoint (CheckpointDir); the engine's own directory unless given. */
  dir?: string;
  cpuLimit?: number;
  runtime?: DockerRuntime;
}

export interface DockerCheckpointResult {
  /** From the checkpoint call to the first answer of the restored container. */
  downtimeMs: number;
  /** Downtime plus deleting the checkpoint: Docker's migration is over then. */
  totalMs: number;
  checkpointMs: number;
  restoreMs: number;
  /** Size of the checkpoint directory: everything must exist before the restore starts. */
  bytesBeforeResume: number;
  /** The buffer's sha256 after the restore equals the one computed at start. */
  checksumOk: boolean;
  /** The request counter went on from its value at the checkpoint. */
  counterOk: boolean;
}

const WORKLOADS = join(dirname(fileURLToPath(import.meta.url)), "../workloads");
const PORT = 8080;

export async function dockerCheckpointRestore(opts: DockerCheckpointOptions = {}): Promise<DockerCheckpointResult> {
  const runtime = opts.runtime ?? new DockerRuntime();
  const mib = opts.workingSetMiB ?? 64;
  const name = opts.container ?? `fmd-peer-${randomBytes(4).toString("hex")}`;
  const prefix = `fleximigrate/${name}/`;
  const socket = `\0${prefix}${PORT}`;
  const image = await ensureTestImage(runtime.docker);
  let record: WorkloadRecord | undefined;
  try {
    record = await runtime.create(
      name,
      {
        image,
        command: ["/usr/bin/python3", "/w/stateful_server.py", "--port", String(PORT), "--mib", String(mib)],
        cpuLimit: opts.cpuLimit ?? 1,
        ports: [],
        labels: { role: "bench-peer" },
        env: { FLEXIMIGRATE_SOCKET_PREFIX: prefix },
      },
      { hostNetwork: true, binds: ["/usr:/usr:ro", `${WORKLOADS}:/w:ro`] },
    );
    const expected = (await waitFor(socket, "/expected", 120_000)).sha256 as string;
    const before = (await httpGet(socket, "/count")).count as number;
    const cp = "peer";
    const checkpointPath = opts.dir ? join(opts.dir, cp) : await runtime.checkpointDir(record, cp);

    const t0 = performance.now();
    await runtime.checkpoint(record, cp, { exit: true, dir: opts.dir });
    const checkpointMs = performance.now() - t0;
    const bytesBeforeResume = await dirBytes(checkpointPath);
    const t1 = performance.now();
    await runtime.restoreFromCheckpoint(record, cp, { dir: opts.dir });
    const restoreMs = performance.now() - t1;
    await waitFor(socket, "/health", 60_000);
    const downtimeMs = performance.now() - t0;
    await runtime.deleteCheckpoint(record, cp);
    if (opts.dir) await rm(join(opts.dir, cp), { recursive: true, force: true });
    const totalMs = performance.now() - t0;

    const after = (await httpGet(socket, "/count")).count as number;
    const sum = (await httpGet(socket, "/checksum", 120_000)).sha256 as string;
    return { downtimeMs, totalMs, checkpointMs, restoreMs, bytesBeforeResume, checksumOk: sum === expected, counterOk: after === before + 1 };
  } finally {
    if (record) await runtime.remove(record).catch(() => {});
  }
}

/** GET over the workload's abstract unix socket (Node pads abstract names as the Python server does). */
export function httpGet(socketPath: string, path: string, timeoutMs = 5_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const conn = net.connect({ path: socketPath });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => conn.destroy(new Error(`GET ${path}: no answer in ${timeoutMs} ms`)), timeoutMs);
    conn.on("connect", () => conn.write(`GET ${path} HTTP/1.0\r\nHost: workload\r\n\r\n`));
    conn.on("data", (d) => chunks.push(d));
    conn.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    conn.on("end", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const body = text.slice(text.indexOf("\r\n\r\n") + 4);
      try {
        resolve(JSON.parse(body) as Record<string, unknown>);
      } catch {
        reject(new Error(`GET ${path}: not JSON: ${text.slice(0, 200)}`));
      }
    });
  });
}

async function waitFor(socketPath: string, path: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await httpGet(socketPath, path, Math.max(1_000, end - Date.now()));
    } catch (err) {
      if (Date.now() > end) throw new Error(`the workload did not answer ${path} in ${timeoutMs} ms: ${(err as Error).message}`);
      await sleep(5);
    }
  }
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? await dirBytes(p) : (await stat(p)).size;
  }
  return total;
}
