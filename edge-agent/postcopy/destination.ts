// Destination side of post-copy: start CRIU's lazy-pages daemon against the
// source's page server, then restore from the reduced images. The workload
// runs as soon as `criu restore` returns; its missing pages arrive on fault
// (and in the background) through the daemon.
import { once } from "node:events";
import type { ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { criu, criuReady, logExcerpt, spawnCriu, tcpFlags } from "../runtime/criu.js";

export interface PostcopyRestoreOptions {
  imagesDir: string;
  pageServerHost: string;
  pageServerPort: number;
  /** How long the daemon may take to open its socket. */
  startTimeoutMs?: number;
  /** A fresh network namespace to restore the tree (and its TCP connections) in; the daemon stays outside. */
  netns?: string;
  /** More options for `criu lazy-pages` (the experiment with CRIU's own --tls, docs/security-wires.md). */
  lazyPagesArgs?: string[];
  /** Abandons the restore: CRIU, the tree it was making and the daemon end. */
  signal?: AbortSignal;
}

export interface LazyPagesExit {
  ok: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The daemon's last log lines when it failed. */
  detail: string;
  /** True when stopDaemon() ended it (not the source going away). */
  stopped: boolean;
}

export interface PostcopyRestore {
  /** PID of the restored tree's root, in our PID namespace. */
  pid: number;
  /** `criu restore` alone. */
  restoreMs: number;
  /** Spawning the lazy-pages daemon until it listened. */
  lazyReadyMs: number;
  /** Settles when the lazy-pages daemon exits: ok once every page has arrived. */
  lazyPagesExit: Promise<LazyPagesExit>;
  /** Stops the daemon (used when the restore fails or the migration is abandoned). */
  stopDaemon(): void;
}

export interface LazyDaemon {
  daemon: ChildProcess;
  lazyPagesExit: Promise<LazyPagesExit>;
  stopDaemon(): void;
}

/** Starts `criu lazy-pages` against the page server; work dir `dir` (its log and socket), images in `images` (default: dir). */
export function spawnLazyDaemon(opts: Pick<PostcopyRestoreOptions, "pageServerHost" | "pageServerPort" | "lazyPagesArgs">, dir: string, images?: string): LazyDaemon {
  // --status-fd: the daemon says when its socket is open (no polling for the socket file).
  const daemon = spawnCriu(["lazy-pages", "--page-server", "--address", opts.pageServerHost, "--port", String(opts.pageServerPort), "--status-fd", "3", ...(opts.lazyPagesArgs ?? [])], {
    dir,
    images,
    log: "lazy-pages.log",
    extraFds: 1,
  });
  const status = daemon.stdio[3] as Socket;
  status.on("error", () => {});
  const exited = once(daemon, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  let stopped = false;
  const lazyPagesExit = exited.then(async ([code, signal]) => ({
    ok: code === 0,
    code,
    signal,
    detail: code === 0 ? "" : await logExcerpt(dir, "lazy-pages.log"),
    stopped,
  }));
  const stopDaemon = () => {
    if (daemon.exitCode !== null || daemon.signalCode !== null) return;
    stopped = true;
    daemon.kill("SIGKILL");
  };
  void lazyPagesExit.then(() => status.destroy());
  return { daemon, lazyPagesExit, stopDaemon };
}

export async function restorePostcopy(opts: PostcopyRestoreOptions): Promise<PostcopyRestore> {
  const dir = opts.imagesDir;
  const t0 = Date.now();
  const { daemon, lazyPagesExit, stopDaemon } = spawnLazyDaemon(opts, dir);
  try {
    await waitReady(daemon, opts.startTimeoutMs ?? 10_000, lazyPagesExit);
    const t1 = Date.now();
    const tcp = opts.netns ? tcpFlags("restore-fresh") : [];
    await criu(["restore", "--lazy-pages", "-d", "--pidfile", join(dir, "restore.pid"), ...tcp], { dir, log: "restore.log", timeoutMs: 120_000, netns: opts.netns, signal: opts.signal });
    const restoreMs = Date.now() - t1;
    const pid = Number((await readFile(join(dir, "restore.pid"), "utf8")).trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error("criu restore wrote no usable pidfile");
    return { pid, restoreMs, lazyReadyMs: t1 - t0, lazyPagesExit, stopDaemon };
  } catch (err) {
    stopDaemon();
    await lazyPagesExit;
    throw err;
  }
}

export async function waitReady(daemon: ChildProcess, timeoutMs: number, exit: Promise<LazyPagesExit>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`criu lazy-pages was not ready within ${timeoutMs} ms`)), timeoutMs);
  });
  const ready = criuReady(daemon, 3, "criu lazy-pages").catch(async () => {
    throw new Error(`criu lazy-pages exited before it was ready: ${(await exit).detail}`);
  });
  try {
    await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How a post-copy ends on the destination. */
export type PostcopyOutcome = { ok: true } | { ok: false; reason: string };

export const WORKLOAD_LOST = "workload lost: source died before all pages arrived";

/**
 * Waits for the lazy-pages daemon. When it fails (the source or the link died
 * before every page arrived) the pages still missing would read back as zeros
 * once the daemon's userfaultfd is gone, so the restored workload is killed
 * (its root is PID 1 of its own namespace: the whole tree goes) rather than
 * left running on wrong memory.
 */
export async function awaitAllPages(restore: PostcopyRestore): Promise<PostcopyOutcome> {
  const exit = await restore.lazyPagesExit;
  if (exit.ok) return { ok: true };
  try {
    process.kill(restore.pid, "SIGKILL");
  } catch {
    // already gone
  }
  if (exit.stopped) return { ok: false, reason: "workload lost: the lazy-pages daemon was stopped before all pages arrived" };
  const how = exit.code !== null ? `exit ${exit.code}` : `signal ${exit.signal}`;
  return { ok: false, reason: `${WORKLOAD_LOST} (criu lazy-pages ${how}${exit.detail ? `: ${exit.detail.split("\n").pop()}` : ""})` };
}
