// Destination side of post-copy, started before the source freezes: the
// lazy-pages daemon and `criu restore --lazy-pages` are spawned while the
// workload still runs, and each spends its start (exec, CRIU's kernel
// feature probes: tens of ms) before the images exist. Each reads its images
// from a view directory whose inventory.img is a FIFO: the first image both
// open, so both wait there. Once the images arrived, go() links them into the
// views and writes inventory.img into the daemon's FIFO, waits for the daemon
// to listen, then into the restore's. What remains in the downtime is the
// restore's own work.
import { type ChildProcess, execFile } from "node:child_process";
import { once } from "node:events";
import { constants } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { criuError, spawnCriu, tcpFlags } from "../runtime/criu.js";
import { killRestoreTree } from "../runtime/proc-children.js";
import { type PostcopyRestore, type PostcopyRestoreOptions, spawnLazyDaemon, waitReady } from "./destination.js";

const INVENTORY = "inventory.img";
const LAZY_VIEW = "fm-view-lazy";
const RESTORE_VIEW = "fm-view-restore";

export interface PreparedRestore {
  /** The images arrived in imagesDir: restore from them (resolves once the tree runs, as restorePostcopy); `signal` cancels it midway. */
  go(signal?: AbortSignal): Promise<PostcopyRestore>;
  /** Ends both waiting CRIU processes and removes the views (a migration abandoned before go). */
  cancel(): Promise<void>;
}

export async function prepareRestore(opts: PostcopyRestoreOptions): Promise<PreparedRestore> {
  const dir = opts.imagesDir;
  const views = { lazy: join(dir, LAZY_VIEW), restore: join(dir, RESTORE_VIEW) };
  for (const v of Object.values(views)) {
    await rm(v, { recursive: true, force: true });
    await mkdir(v, { recursive: true });
    await promisify(execFile)("mkfifo", ["-m", "600", join(v, INVENTORY)]);
  }
  const lazy = spawnLazyDaemon(opts, dir, views.lazy);
  const pidfile = join(dir, "restore.pid");
  const args = ["restore", "--lazy-pages", "-d", "--pidfile", pidfile, ...(opts.netns ? tcpFlags("restore-fresh") : [])];
  const criuOpts = { dir, images: views.restore, log: "restore.log", netns: opts.netns };
  const restore: ChildProcess = spawnCriu(args, criuOpts);
  const restoreExit = once(restore, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  restoreExit.catch(() => {});
  let used = false;
  const cancel = async () => {
    // The restore's half-made tree goes with it: killed alone it would wait on pages forever.
    if (restore.exitCode === null && restore.signalCode === null && restore.pid !== undefined) await killRestoreTree(restore.pid);
    lazy.stopDaemon();
    await Promise.all([restoreExit.catch(() => undefined), lazy.lazyPagesExit]);
    await removeViews(views);
  };
  return {
    cancel,
    async go(signal?: AbortSignal) {
      if (used) throw new Error("this prepared restore already ran");
      used = true;
      const onAbort = () => void cancel();
      if (signal?.aborted) onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        const t0 = Date.now();
        const images = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith(".img") && e.name !== INVENTORY).map((e) => e.name);
        for (const v of Object.values(views)) for (const name of images) await symlink(join(dir, name), join(v, name));
        const inventory = await readFile(join(dir, INVENTORY));
        await feed(views.lazy, inventory, dir, () => lazy.daemon.exitCode === null && lazy.daemon.signalCode === null);
        await waitReady(lazy.daemon, opts.startTimeoutMs ?? 10_000, lazy.lazyPagesExit);
        const t1 = Date.now();
        await feed(views.restore, inventory, dir, () => restore.exitCode === null && restore.signalCode === null);
        const [code, signal] = await restoreExit;
        if (code !== 0) throw await criuError(args, criuOpts, code !== null ? `exit ${code}` : `signal ${signal}`);
        const pid = Number((await readFile(pidfile, "utf8")).trim());
        if (!Number.isInteger(pid) || pid <= 0) throw new Error("criu restore wrote no usable pidfile");
        return { pid, restoreMs: Date.now() - t1, lazyReadyMs: t1 - t0, lazyPagesExit: lazy.lazyPagesExit, stopDaemon: lazy.stopDaemon };
      } catch (err) {
        await cancel();
        throw signal?.aborted ? new Error(`restore abandoned: ${(err as Error).message}`) : err;
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
    },
  };
}

/**
 * Writes inventory.img into the view's FIFO (its reader waits in open), then
 * puts a link to the real file in the FIFO's place, should CRIU read it again.
 */
async function feed(view: string, inventory: Buffer, dir: string, alive: () => boolean): Promise<void> {
  const fifo = join(view, INVENTORY);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      // O_NONBLOCK: fails (ENXIO) instead of hanging while no reader has the FIFO open yet.
      const fh = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        await fh.write(inventory);
      } finally {
        await fh.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENXIO") throw err;
      if (!alive()) throw new Error(`criu ended before it read ${INVENTORY} (${view})`);
      if (Date.now() > deadline) throw new Error(`criu did not open ${INVENTORY} in ${view} within 10 s`);
      await sleep(1);
    }
  }
  await symlink(join(dir, INVENTORY), `${fifo}.link`);
  await rename(`${fifo}.link`, fifo);
}

async function removeViews(views: Record<string, string>): Promise<void> {
  for (const v of Object.values(views)) await rm(v, { recursive: true, force: true });
}
