// Docker runtime (dockerode).
//
// A workload is one container with a CPU quota (CpuPeriod/CpuQuota, the period
// the latency models were profiled under: src/cpu-period.ts). Checkpoint and
// restore go through the engine's own API (dockerd --experimental runs CRIU
// through runc), and images move between agents as `docker save` tar streams.
// On this kernel CRIU cannot dump a TCP socket (see docs/docker.md), so a
// container that must be checkpointed talks over unix sockets, e.g. with
// `hostNetwork` and FLEXIMIGRATE_SOCKET_PREFIX as the direct runtime does.
import { randomUUID } from "node:crypto";
import { cp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import Docker from "dockerode";
import { cfsBandwidth } from "../../src/cpu-period.js";
import type { Reattached, RestoredTree, Runtime, WorkloadExit, WorkloadRecord, WorkloadSpec, WorkloadStats } from "./types.js";
import { RESTORE_MARKER, removeEngineCopy } from "./engine-checkpoint-copy.js";

export const LABEL_PREFIX = "fleximigrate.";
const DEFAULT_SOCKET = "/var/run/docker.sock";

/** Container settings the generic WorkloadSpec has no words for. */
export interface DockerExtras {
  /** "host:container[:ro]" bind mounts. */
  binds?: string[];
  /** Share the agent's network namespace (no port publishing then). */
  hostNetwork?: boolean;
}

/** The subset of Docker's stats document this runtime reads. */
export interface DockerStatsDoc {
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

export class DockerRuntime implements Runtime {
  readonly kind = "docker" as const;
  readonly docker: Docker;
  /** The engine's DockerRootDir, asked once. */
  private rootDir: string | undefined;

  constructor(socketPath = DEFAULT_SOCKET) {
    this.docker = new Docker({ socketPath });
  }

  /** `start: false` leaves it created, e.g. to start it from a checkpoint (a migration's destination). */
  async create(id: string, spec: WorkloadSpec, extras: DockerExtras = {}, { start = true }: { start?: boolean } = {}): Promise<WorkloadRecord> {
    if (!spec.image) throw new Error("docker runtime needs an image");
    if (!(spec.cpuLimit > 0)) throw new Error(`cpuLimit must be > 0 cores, got ${spec.cpuLimit}`);
    const cpu = cfsBandwidth(spec.cpuLimit);
    const exposed = Object.fromEntries(spec.ports.map((p) => [`${p}/tcp`, {}]));
    const bindings = Object.fromEntries(spec.ports.map((p) => [`${p}/tcp`, [{ HostPort: String(p) }]]));
    const container = await this.docker.createContainer({
      name: id,
      Image: spec.image,
      Cmd: spec.command,
      Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: dockerLabels(spec.labels),
      ExposedPorts: extras.hostNetwork ? undefined : exposed,
      HostConfig: {
        CpuPeriod: cpu.periodUs,
        CpuQuota: cpu.quotaUs,
        PortBindings: extras.hostNetwork ? undefined : bindings,
        NetworkMode: extras.hostNetwork ? "host" : undefined,
        Binds: extras.binds,
      },
    });
    if (start) {
      try {
        await container.start();
      } catch (err) {
        await container.remove({ force: true }).catch(() => {});
        throw new Error(`cannot start container ${id}: ${message(err)}`);
      }
    }
    return { id, runtime: "docker", spec, state: start ? "running" : "stopped", createdAt: new Date().toISOString(), containerId: container.id };
  }

  /** A container a migration's hook started from a checkpoint becomes the workload `record`. */
  async adopt(record: WorkloadRecord, tree: RestoredTree): Promise<WorkloadRecord> {
    return { ...record, containerId: tree.containerId };
  }

  /** Whether the workload's container runs, and its root's host PID (0 when stopped). */
  async state(record: WorkloadRecord): Promise<{ running: boolean; pid: number }> {
    const inspect = await this.container(record).inspect();
    return { running: inspect.State.Running, pid: inspect.State.Pid };
  }

  async exited(record: WorkloadRecord): Promise<WorkloadExit | undefined> {
    const at = new Date().toISOString();
    try {
      const { State } = await this.container(record).inspect();
      if (State.Running || State.Paused || State.Restarting) return undefined;
      return { code: State.ExitCode, ...(State.OOMKilled && { signal: "SIGKILL" }), at };
    } catch (err) {
      if (isStatus(err, 404)) return { at, reason: "exit status unknown: the container was removed behind the agent's back" };
      throw err;
    }
  }

  /** After an agent restart: the container, by its id, still runs (taken back as it is) or how it ended. */
  async reattach(record: WorkloadRecord): Promise<Reattached> {
    const exit = await this.exited(record).catch((err: Error) => ({ at: new Date().toISOString(), reason: `its container cannot be read: ${err.message}` }));
    return exit ? { runs: false, exit } : { runs: true };
  }

  async stop(record: WorkloadRecord): Promise<void> {
    await this.container(record)
      .stop({ t: 5 })
      .catch((err) => {
        if (!isStatus(err, 304) && !isStatus(err, 404)) throw err; // 304: already stopped
      });
  }

  async remove(record: WorkloadRecord): Promise<void> {
    await this.container(record)
      .remove({ force: true, v: true })
      .catch((err) => {
        if (!isStatus(err, 404)) throw err;
      });
  }

  async stats(record: WorkloadRecord): Promise<WorkloadStats> {
    // stream:false still samples twice (about a second apart), so precpu_stats is filled.
    const doc = (await this.container(record).stats({ stream: false })) as DockerStatsDoc;
    return { id: record.id, ...statsFromDoc(doc) };
  }

  async logs(record: WorkloadRecord): Promise<string> {
    const buf = (await this.container(record).logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return demuxLogs(Buffer.from(buf));
  }

  /** `docker checkpoint create`: CRIU dumps the container; with exit (the default) it stops. */
  async checkpoint(record: WorkloadRecord, name: string, opts: { exit?: boolean; dir?: string } = {}): Promise<WorkloadRecord> {
    const body: Record<string, unknown> = { CheckpointID: name, Exit: opts.exit ?? true };
    if (opts.dir) body.CheckpointDir = opts.dir;
    await dial(this.docker, {
      path: `/containers/${encodeURIComponent(this.containerId(record))}/checkpoints`,
      method: "POST",
      allowEmpty: true,
      options: body,
      statusCodes: { 200: true, 201: true, 204: true, 404: "no such container", 500: "server error" },
    });
    return { ...record, state: opts.exit === false ? record.state : "stopped" };
  }

  /**
   * `docker start --checkpoint NAME`: restores the container from its checkpoint.
   * A checkpoint from elsewhere (`dir`, e.g. copied from another agent) is first
   * copied into the engine's own checkpoint directory of the container: dockerd
   * 20.10 refuses `checkpoint-dir` on start ("custom checkpointdir is not supported").
   */
  async restoreFromCheckpoint(record: WorkloadRecord, name: string, opts: { dir?: string } = {}): Promise<WorkloadRecord> {
    const id = this.containerId(record);
    const target = await this.checkpointDir(record, name);
    if (opts.dir) {
      await rm(target, { recursive: true, force: true });
      await cp(join(opts.dir, name), target, { recursive: true });
    }
    const marker = await markRestore(target);
    try {
      await dial(this.docker, {
        path: `/containers/${encodeURIComponent(id)}/start?`,
        method: "POST",
        // The engine refuses a body on start; _query/_body tell docker-modem which is which.
        options: { _query: { checkpoint: name }, _body: {} },
        statusCodes: { 200: true, 204: true, 304: "container already started", 404: "no such container", 500: "server error" },
      });
    } finally {
      // The engine's unpacked copy of the checkpoint (every page of the memory) is no longer needed either way.
      if (marker) await removeEngineCopy(marker).catch(() => undefined);
    }
    return { ...record, state: "running" };
  }

  /** Where the engine keeps checkpoint NAME of the container when no dir is given. */
  async checkpointDir(record: WorkloadRecord, name: string): Promise<string> {
    this.rootDir ??= ((await this.docker.info()) as { DockerRootDir: string }).DockerRootDir;
    const inspect = await this.container(record).inspect();
    return join(this.rootDir, "containers", inspect.Id, "checkpoints", name);
  }

  async deleteCheckpoint(record: WorkloadRecord, name: string, opts: { dir?: string } = {}): Promise<void> {
    const query = opts.dir ? `?dir=${encodeURIComponent(opts.dir)}` : "";
    await dial(this.docker, {
      path: `/containers/${encodeURIComponent(this.containerId(record))}/checkpoints/${encodeURIComponent(name)}${query}`,
      method: "DELETE",
      statusCodes: { 200: true, 204: true, 404: "no such checkpoint", 500: "server error" },
    });
  }

  /** The engine's id (sha256:…) of image `ref`, or undefined when the engine does not have it. */
  async imageId(ref: string): Promise<string | undefined> {
    try {
      return ((await this.docker.getImage(ref).inspect()) as { Id: string }).Id;
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /** `docker save NAME`: a tar stream another agent can `loadImage`. */
  async saveImage(name: string): Promise<Readable> {
    return (await this.docker.getImage(name).get()) as unknown as Readable;
  }

  /** `docker load`: reads a saved image's tar stream until the engine has it. */
  async loadImage(tar: NodeJS.ReadableStream): Promise<void> {
    const progress = await this.docker.loadImage(tar, { quiet: true });
    await followProgress(this.docker, progress);
  }

  async exec(record: WorkloadRecord, cmd: string[]): Promise<string> {
    const exec = await this.container(record).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
    return demuxLogs(Buffer.concat(chunks));
  }

  private container(record: WorkloadRecord): Docker.Container {
    return this.docker.getContainer(this.containerId(record));
  }

  private containerId(record: WorkloadRecord): string {
    return record.containerId ?? record.id;
  }
}

export function dockerLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [LABEL_PREFIX + k, v]));
}

/** Cores (since the engine's previous sample) and memory without the reclaimable page cache. */
export function statsFromDoc(doc: DockerStatsDoc): { cpu: number; memoryBytes: number } {
  const cpuDelta = (doc.cpu_stats?.cpu_usage?.total_usage ?? 0) - (doc.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (doc.cpu_stats?.system_cpu_usage ?? 0) - (doc.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = doc.cpu_stats?.online_cpus ?? doc.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 1;
  // system_cpu_usage counts every CPU of the host, so the share times the CPUs is in cores.
  const cpu = cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * cpus : 0;
  const s = doc.memory_stats?.stats ?? {};
  const cache = s.total_inactive_file ?? s.inactive_file ?? 0;
  const usage = doc.memory_stats?.usage ?? 0;
  return { cpu, memoryBytes: Math.max(0, usage - (cache < usage ? cache : 0)) };
}

/** Docker's multiplexed stdout/stderr framing (8-byte headers) to plain text; plain text passes through. */
export function demuxLogs(buf: Buffer): string {
  const parts: Buffer[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const stream = buf[off]!;
    if (stream > 2 || buf[off + 1] !== 0 || buf[off + 2] !== 0 || buf[off + 3] !== 0) return buf.toString("utf8"); // a TTY: no framing
    const size = buf.readUInt32BE(off + 4);
    parts.push(buf.subarray(off + 8, off + 8 + size));
    off += 8 + size;
  }
  if (off < buf.length && parts.length === 0) return buf.toString("utf8");
  return Buffer.concat(parts).toString("utf8");
}

interface DialOptions {
  path: string;
  method: string;
  options?: Record<string, unknown>;
  allowEmpty?: boolean;
  statusCodes: Record<number, true | string>;
}

/**
 * Makes the checkpoint directory's tar unique before `start --checkpoint`.
 * `checkpoint create` leaves the checkpoint's tar blob in containerd's content
 * store until containerd's garbage collector runs. On start, dockerd tars the
 * directory again (mtimes in whole seconds, so byte for byte the same) and
 * uploads it; if the collector has not run yet, containerd answers "commit
 * failed: content sha256:…: already exists" (moby/moby#42900). One file with
 * random content makes the digest new; CRIU reads only the image files it
 * knows. A missing directory is left for the engine to report.
 */
export async function markRestore(checkpointDir: string): Promise<string | undefined> {
  const marker = randomUUID();
  try {
    await writeFile(join(checkpointDir, RESTORE_MARKER), `${marker}\n`);
    return marker;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    return undefined;
  }
}

/** Waits for an import/load progress stream; rejects on the first error message in it. */
export function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string }>) => {
      const failed = err ?? events.find((e) => e.error);
      if (failed) reject(new Error(failed instanceof Error ? failed.message : String(failed.error)));
      else resolve();
    });
  });
}

/** A raw Engine API call; dockerode's typings have no checkpoint calls. */
function dial(docker: Docker, opts: DialOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    (docker.modem as { dial(o: DialOptions, cb: (err: unknown, data: unknown) => void): void }).dial(opts, (err, data) => {
      if (err) reject(new Error(`${opts.method} ${opts.path.replace(/\?$/, "")}: ${message(err)}`));
      else resolve(data);
    });
  });
}

function isStatus(err: unknown, code: number): boolean {
  return (err as { statusCode?: number })?.statusCode === code;
}

/** The engine's own error text (json.message), not dockerode's "(HTTP code 500) server error" wrapper. */
export function message(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  return e?.json?.message ?? e?.message ?? String(err);
}
