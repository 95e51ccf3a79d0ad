// Source side of post-copy: dump the workload, hand the destination only what
// it needs to resume, and serve the rest of the memory from our page server
// until the destination has every page; then clean the source up.
//
// Two dump modes, chosen by capability:
// - "lazy-dump": CRIU's own `criu dump --lazy-pages` (see lazy-dump.ts) writes
//   the reduced images directly and leaves the tasks frozen; pages are read
//   from their memory. The freeze does not grow with the working set.
// - "full-dump": a plain `criu dump`; the reduced images are cut from it
//   (lazy-split.ts) and pages are read from its pages-N.img.
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { criu, criuVersion, tcpFlags } from "../runtime/criu.js";
import { setPortUp } from "../runtime/netns.js";
import { mergeLazyPagemaps, type ReducedImages, readTaskPagemaps, writeReducedImages } from "./dump-images.js";
import { sendSmallAreasEagerly } from "./eager-small.js";
import { type LazyDump, lazyDumpUnavailable, startLazyDump } from "./lazy-dump.js";
import { type Layout, layoutForVersion } from "./page-server-protocol.js";
import { type PageServer, type PageServerOptions, type PostcopyStats, type PreListened, startPageServer } from "./page-server.js";
import { openDumpFileSource, openFrozenTaskSource, type PageSource } from "./page-source.js";
import { isAlive, treePidMap } from "./process-tree.js";

export type DumpMode = "lazy-dump" | "full-dump";

/** Background replies stay short until the restored workload has not faulted for this long (page-server.ts). */
export const HOT_WINDOW_MS = 10;

export interface PostcopySourceOptions {
  /** Root of the workload's process tree (a session leader in its own PID namespace). */
  pid: number;
  workDir: string;
  listenHost: string;
  port?: number;
  /** The page server's socket, listening already (preListen): its address went to the destination before the freeze. */
  listener?: PreListened;
  /** The destination's CRIU version picks the header layout; omitted = detect per connection. */
  criuVersion?: string;
  /** Force a dump mode; default: CRIU's lazy dump where it is available. */
  dumpMode?: DumpMode;
  /** Background transfer cap in bytes/s (see PageServerOptions). */
  pushBytesPerSec?: number;
  /** Lazy dump: send the lazy pages of small areas (heap, stacks) with the images (eager-small.ts); default true. */
  eagerSmallAreas?: boolean;
  /** See PageServerOptions.hotWindowMs; default HOT_WINDOW_MS. */
  hotWindowMs?: number;
  /** See PageServerOptions.onServed. */
  onServed?: PageServerOptions["onServed"];
  /**
   * The workload's own network namespace: CRIU dumps from inside it with its
   * TCP connections. The caller has fenced it (bridge port down) before this
   * call: a lazy dump lifts CRIU's network lock once the images are written
   * (see lazy-dump.ts).
   */
  netns?: string;
  /** Fence the workload right before the freeze (lazy dump: from CRIU's pre-dump script; see LazyDumpOptions.fence). */
  fence?: { port: string; agentNetns: string };
  /** Called with the freeze moment once the workload is frozen and fenced, while the dump still runs. */
  onFenced?: (frozenAt: number) => void;
  /**
   * Keep the frozen tree and the images after every page went out, until
   * release() (commit) or rollback(): the runner decides. Default: cleaned up
   * as soon as the transfer ends.
   */
  holdUntilRelease?: boolean;
  log?: (line: string) => void;
}

export interface PostcopySource {
  dumpMode: DumpMode;
  /** Why the lazy dump was not used, when it was not. */
  dumpModeReason: string;
  reducedImagesDir: string;
  files: ReducedImages["files"];
  /** Bytes of the reduced images (what must reach the destination before it resumes). */
  reducedBytes: number;
  lazyPages: number;
  /** Pages CRIU marked lazy that go with the images instead (small areas). */
  eagerPages: number;
  /** How long the workload was frozen before its images were ready. */
  dumpMs: number;
  /** When CRIU was started (ms epoch): what came before is our own preparation, after it CRIU's dump. */
  criuStartedAt: number;
  /** When the tasks froze (ms epoch): CRIU's seize (lazy dump), else when CRIU started. */
  frozenAt: number;
  pageServer: { host: string; port: number };
  stats(): PostcopyStats;
  /** Resolves once every page has been handed over (and, unless held, the source is cleaned up). */
  done: Promise<PostcopyStats>;
  /** The full dump's images (full-dump mode): a rollback can restore from them. */
  fullImagesDir?: string;
  /** Commit: the frozen tree and the images go. */
  release(): Promise<void>;
  /** Stops serving pages (a rollback's first step, before the source copy runs again). */
  stopServing(reason: string): Promise<void>;
  /** Removes the images without touching the tree (after the tree was restored from them elsewhere). */
  discard(): Promise<void>;
  /** Cuts the page server and cleans the source up (the frozen tasks die with it). */
  abort(reason?: string): Promise<void>;
  /** Lets the original run on here, before or (held) after the destination resumed; true when it does. */
  rollback(): Promise<boolean>;
}

export async function startPostcopySource(opts: PostcopySourceOptions): Promise<PostcopySource> {
  const log = opts.log ?? (() => {});
  const layout: Layout | "auto" = opts.criuVersion ? layoutForVersion(opts.criuVersion) : "auto";
  const localLayout = layoutForVersion(await criuVersion());
  let mode: DumpMode = opts.dumpMode ?? "lazy-dump";
  let reason = opts.dumpMode ? "requested" : ((await lazyDumpUnavailable()) ?? "available");
  if (mode === "lazy-dump" && reason !== "available" && reason !== "requested") mode = "full-dump";

  const t0 = Date.now();
  let criuStartedAt = t0;
  let lazy: LazyDump | null = null;
  let stoppedTree = false;
  /** Undoes the dump before anything runs elsewhere: the original goes on here. */
  const runOnHere = async () => {
    await lazy?.cancel();
    if (stoppedTree) await continueTree(opts.pid);
    await rm(opts.workDir, { recursive: true, force: true });
  };
  let reducedImagesDir: string;
  let source: PageSource;
  let eagerPages = 0;
  try {
    if (mode === "lazy-dump") {
      try {
        criuStartedAt = Date.now();
        lazy = await startLazyDump(opts.pid, join(opts.workDir, "lazy"), localLayout, { netns: opts.netns, fence: opts.fence, onFenced: opts.onFenced });
      } catch (err) {
        // CRIU thaws the tasks when a dump fails, so a plain dump can still follow.
        if (!isAlive(opts.pid) || opts.dumpMode) throw err;
        reason = `lazy dump failed: ${(err as Error).message.split("\n")[0]}`;
        log(`post-copy: ${reason}; falling back to a full dump`);
        mode = "full-dump";
      }
    }
    if (lazy) {
      reducedImagesDir = lazy.dir;
      const hostPids = await treePidMap(opts.pid);
      // Before the page source reads which pages are lazy, and before adjacent lazy entries merge.
      if (opts.eagerSmallAreas !== false) eagerPages = await sendSmallAreasEagerly(lazy.dir, hostPids);
      source = await openFrozenTaskSource(await readTaskPagemaps(lazy.dir), hostPids);
      await mergeLazyPagemaps(lazy.dir);
    } else {
      const fullDir = join(opts.workDir, "full");
      // --leave-stopped: the original stays (stopped) until the destination has every page, so a
      // failure before resume can still let it run on here.
      const tcp = opts.netns ? tcpFlags("dump") : [];
      if (opts.fence) await setPortUp(opts.fence.port, false);
      criuStartedAt = Date.now();
      if (opts.fence) opts.onFenced?.(criuStartedAt);
      await criu(["dump", "--leave-stopped", "-t", String(opts.pid), ...tcp], { dir: fullDir, log: "dump.log", timeoutMs: 300_000, netns: opts.netns });
      stoppedTree = true;
      reducedImagesDir = join(opts.workDir, "reduced");
      await writeReducedImages(fullDir, reducedImagesDir);
      source = await openDumpFileSource(await readTaskPagemaps(fullDir));
    }
  } catch (err) {
    await runOnHere();
    await opts.listener?.close();
    throw err;
  }
  const dumpMs = Date.now() - t0;
  let files: ReducedImages["files"];
  let server: PageServer;
  try {
    files = await listImages(reducedImagesDir);
    server = await startPageServer({ source, host: opts.listenHost, port: opts.port, listener: opts.listener, layout, pushBytesPerSec: opts.pushBytesPerSec, hotWindowMs: opts.hotWindowMs ?? HOT_WINDOW_MS, log, onServed: opts.onServed });
  } catch (err) {
    await source.close();
    await runOnHere();
    await opts.listener?.close();
    throw err;
  }
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await lazy?.finish();
    // SIGKILL to the namespace's init ends the whole stopped tree.
    if (stoppedTree && isAlive(opts.pid)) process.kill(opts.pid, "SIGKILL");
    await rm(opts.workDir, { recursive: true, force: true });
  };
  const hold = opts.holdUntilRelease === true;
  const done = server.done.then(
    async (stats) => {
      if (!hold) await cleanup();
      if (stats.pagesRemaining > 0) log(`post-copy: ${stats.pagesRemaining} lazy pages were never asked for (unmapped on the destination)`);
      return stats;
    },
    async (err: Error) => {
      if (!hold) await cleanup();
      throw err;
    },
  );
  done.catch(() => {});
  return {
    dumpMode: mode,
    dumpModeReason: reason,
    reducedImagesDir,
    files,
    reducedBytes: files.reduce((n, f) => n + f.bytes, 0),
    lazyPages: [...source.lazyRuns.values()].flat().reduce((n, r) => n + r.nrPages, 0),
    eagerPages,
    dumpMs,
    criuStartedAt,
    frozenAt: lazy?.frozenAt ?? criuStartedAt,
    pageServer: { host: server.host, port: server.port },
    stats: server.stats,
    done,
    ...(mode === "full-dump" && { fullImagesDir: join(opts.workDir, "full") }),
    abort: async (why) => {
      await server.abort(why);
      await done.catch(() => {});
      await cleanup();
    },
    release: async () => {
      await server.abort("released");
      await done.catch(() => {});
      await cleanup();
    },
    stopServing: async (why) => {
      await server.abort(why);
      await done.catch(() => {});
    },
    discard: async () => {
      cleaned = true;
      await lazy?.finish();
      await rm(opts.workDir, { recursive: true, force: true });
    },
    async rollback() {
      if (cleaned) return false;
      cleaned = true;
      await server.abort("migration rolled back");
      await runOnHere();
      return isAlive(opts.pid);
    },
  };
}

async function continueTree(root: number): Promise<void> {
  for (const pid of (await treePidMap(root).catch(() => new Map<number, number>())).values()) {
    try {
      process.kill(pid, "SIGCONT");
    } catch {
      // gone
    }
  }
}

async function listImages(dir: string): Promise<ReducedImages["files"]> {
  const out: ReducedImages["files"] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (name.endsWith(".log")) continue;
    out.push({ name, bytes: (await stat(join(dir, name))).size });
  }
  return out;
}

/** Asks now what a post-copy's dump needs to know (CRIU's version, whether its lazy dump works), so none of it runs while the workload is frozen. */
export async function warmPostcopySource(): Promise<void> {
  await Promise.all([criuVersion().catch(() => undefined), lazyDumpUnavailable()]);
}
