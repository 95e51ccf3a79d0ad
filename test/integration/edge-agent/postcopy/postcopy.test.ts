// Post-copy with CRIU lazy pages and our TypeScript page server, end to end on
// this machine: the source dumps, the destination restores from the reduced
// images and resumes while most pages are still on the source, faults pull
// pages first, the rest follows in the background, and the source is cleaned up.
import { copyFile, cp, mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer, type Socket } from "node:net";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { prepareRestore } from "../../../../edge-agent/postcopy/prepared-restore.js";
import { childPids } from "../../../../edge-agent/runtime/proc-children.js";
import { mountsUnder } from "../../../../edge-agent/runtime/mounts.js";
import { removeMigrationDir } from "../../../../edge-agent/service/migration-dir.js";
import type { MigrationContext, ProgressEvent } from "../../../../edge-agent/migration/strategy.js";
import { awaitAllPages, restorePostcopy, WORKLOAD_LOST } from "../../../../edge-agent/postcopy/destination.js";
import { isAlive } from "../../../../edge-agent/postcopy/process-tree.js";
import { type DumpMode, startPostcopySource } from "../../../../edge-agent/postcopy/source.js";
import { postcopyDestinationHook, postcopyStrategy } from "../../../../edge-agent/migration/postcopy.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { ask, killPid, startWorkload, type Workload } from "../../../fixtures/memory-workload.js";
import { waitFor } from "../../../helpers/wait.js";
import { spawnChild } from "../../../helpers/processes.js";
import type { TreeSource } from "../../../../edge-agent/migration/stopcopy.js";
import { peerAgent } from "../../../../edge-agent/service/peer-agent.js";

const SIZE_MIB = 64;
let root = "";
const started: number[] = [];

async function launch(name: string, underShell = false): Promise<Workload> {
  const w = await startWorkload(SIZE_MIB, join(root, `${name}.sock`), { underShell });
  started.push(w.pid, w.launcherPid);
  return w;
}

/** Stands in for the image transfer between agents: the destination gets only the reduced images. */
async function ship(from: string, name: string): Promise<string> {
  const to = join(root, `${name}-dst`);
  await cp(from, to, { recursive: true, filter: (p) => !p.endsWith(".log") });
  return to;
}

/** true once `pid` has ended (throws after 5 s). */
const waitGone = (pid: number) => waitFor(() => !isAlive(pid), { timeoutMs: 5000, what: `pid ${pid} to end` });

describeWhen("post-copy migration (CRIU lazy pages, our page server)", missing([needs.root(), needs.criu()]), () => {
  beforeAll(async () => {
    root = await mkdtemp("/dev/shm/fmp-postcopy-");
  });
  afterAll(async () => {
    for (const pid of started) killPid(pid);
    await rm(root, { recursive: true, force: true });
  });

  for (const dumpMode of ["lazy-dump", "full-dump"] as DumpMode[]) {
    it(`${dumpMode}: the workload answers while most pages are on the source, and every page arrives`, async () => {
      const w = await launch(dumpMode);
      // Pace the background transfer like a 16 MiB/s link so "before all pages arrive" lasts seconds.
      const src = await startPostcopySource({
        pid: w.pid,
        workDir: join(root, `${dumpMode}-src`),
        listenHost: "127.0.0.1",
        dumpMode,
        pushBytesPerSec: 16 << 20,
        // Every lazy page stays lazy, so the first answer has to fault some in.
        eagerSmallAreas: false,
      });
      expect(src.dumpMode).toBe(dumpMode);
      expect(src.lazyPages * 4096).toBeGreaterThan(SIZE_MIB << 20);
      // The destination starts from a small fraction of the memory.
      expect(src.reducedBytes).toBeLessThan((SIZE_MIB << 20) / 10);

      const dst = await restorePostcopy({
        imagesDir: await ship(src.reducedImagesDir, dumpMode),
        pageServerHost: src.pageServer.host,
        pageServerPort: src.pageServer.port,
      });
      started.push(dst.pid);
      expect(await ask(w.socket, "count")).toBe("2");
      const early = src.stats();
      expect(early.pagesOnFault).toBeGreaterThan(0);
      expect(early.pagesRemaining).toBeGreaterThan(early.pagesTotal / 2);

      const [stats, outcome] = await Promise.all([src.done, awaitAllPages(dst)]);
      expect(outcome).toEqual({ ok: true });
      expect(stats.pagesRemaining).toBe(0);
      expect(stats.pagesOnFault + stats.pagesPushed).toBe(stats.pagesTotal);
      expect(stats.pagesPushed).toBeGreaterThan(stats.pagesOnFault);
      // The project installs CRIU 4.2.1, whose lazy-pages daemon speaks the 32-byte header.
      expect(stats.layout).toBe("4.2");
      expect(await ask(w.socket, "checksum")).toBe("ok");
      expect(await ask(w.socket, "count")).toBe("3");
      // The source is cleaned up: its tasks and its images are gone.
      expect(await waitGone(w.pid)).toBe(true);
      expect((await readdir(root)).includes(`${dumpMode}-src`)).toBe(false);
      killPid(dst.pid);
    });
  }

  for (const dumpMode of ["lazy-dump", "full-dump"] as DumpMode[]) {
    it(`${dumpMode}: a failure before resume rolls back, and the original runs on with its state`, async () => {
      const w = await launch(`rollback-${dumpMode}`);
      const src = await startPostcopySource({ pid: w.pid, workDir: join(root, `rollback-${dumpMode}-src`), listenHost: "127.0.0.1", dumpMode });
      expect(await src.rollback()).toBe(true);
      expect(await ask(w.socket, "count")).toBe("2");
      expect(await ask(w.socket, "checksum")).toBe("ok");
      expect((await readdir(root)).includes(`rollback-${dumpMode}-src`)).toBe(false);
      killPid(w.pid);
    });
  }

  it("moves a process tree: each task's pages are served under its PID in the namespace", async () => {
    const w = await launch("tree", true);
    const src = await startPostcopySource({ pid: w.pid, workDir: join(root, "tree-src"), listenHost: "127.0.0.1" });
    expect(src.files.map((f) => f.name)).toEqual(expect.arrayContaining(["pagemap-1.img", "pagemap-2.img"]));
    const dst = await restorePostcopy({ imagesDir: await ship(src.reducedImagesDir, "tree"), pageServerHost: "127.0.0.1", pageServerPort: src.pageServer.port });
    started.push(dst.pid);
    expect(await ask(w.socket, "count")).toBe("2");
    const [stats, outcome] = await Promise.all([src.done, awaitAllPages(dst)]);
    expect(outcome).toEqual({ ok: true });
    expect(stats.pagesRemaining).toBe(0);
    expect(await ask(w.socket, "checksum")).toBe("ok");
    killPid(dst.pid);
  });

  it("the source dying after resume loses the workload, and the destination says so and kills it", async () => {
    const w = await launch("fault");
    // node itself (not the tsx wrapper, which would leave its node child running) so SIGKILL hits the server.
    const child = spawnChild(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("./source-child.ts", import.meta.url)), String(w.pid), join(root, "fault-src"), String(4 << 20)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    started.push(child.pid);
    const info = JSON.parse(await child.line(() => true)) as { port: number; reducedImagesDir: string };
    const dstDir = await ship(info.reducedImagesDir, "fault");
    const dst = await restorePostcopy({ imagesDir: dstDir, pageServerHost: "127.0.0.1", pageServerPort: info.port });
    started.push(dst.pid);
    expect(await ask(w.socket, "count")).toBe("2");

    process.kill(child.pid, "SIGKILL"); // the source agent dies mid-transfer
    const outcome = await awaitAllPages(dst);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.reason).toContain(WORKLOAD_LOST);
    // Nothing half-left: the restored workload is killed rather than left on zero-filled memory,
    expect(await waitGone(dst.pid)).toBe(true);
    // and on the source CRIU notices its agent is gone and ends the frozen original.
    expect(await waitGone(w.pid)).toBe(true);
  });

  it("the destination dying mid-transfer fails the source's transfer, and the source cleans up", async () => {
    const w = await launch("dst-dies");
    const src = await startPostcopySource({ pid: w.pid, workDir: join(root, "dst-dies-src"), listenHost: "127.0.0.1", pushBytesPerSec: 4 << 20 });
    const dst = await restorePostcopy({ imagesDir: await ship(src.reducedImagesDir, "dst-dies"), pageServerHost: "127.0.0.1", pageServerPort: src.pageServer.port });
    started.push(dst.pid);
    expect(await ask(w.socket, "count")).toBe("2");
    dst.stopDaemon(); // the destination's lazy-pages daemon dies
    await expect(src.done).rejects.toThrow(/disconnected before PS_IOV_CLOSE \(\d+ pages never sent\)/);
    const outcome = await awaitAllPages(dst);
    expect(!outcome.ok && outcome.reason).toContain("workload lost: the lazy-pages daemon was stopped");
    expect(await waitGone(dst.pid)).toBe(true);
    expect(await waitGone(w.pid)).toBe(true);
    expect((await readdir(root)).includes("dst-dies-src")).toBe(false);
  });

  it("as the agent's MigrationStrategy and DestinationHook: resumes, then reports the final page counts", async () => {
    const w = await launch("strategy");
    const imagesDir = join(root, "strategy-dst");
    await mkdir(imagesDir);
    const bytes = { "before-resume": 0, "after-resume": 0 };
    const events: Array<Omit<ProgressEvent, "migrationId" | "at">> = [];
    const unused = async (): Promise<never> => {
      throw new Error("not used by post-copy");
    };
    const workload = { id: "w1", runtime: "direct" as const, spec: { cpuLimit: 1, ports: [], labels: {} }, state: "migrating" as const, createdAt: new Date().toISOString(), pid: w.pid };
    let settled: Promise<void> | undefined;
    let restoredPid = 0;
    const lastSourceAnswer = Date.now();
    // The runner's part (HTTP upload, agent bookkeeping) replaced by direct calls; CRIU and the page server are real.
    const ctx: MigrationContext<TreeSource> = {
      migrationId: "m1",
      workload,
      workDir: join(root, "strategy-src"),
      // Post-copy dumps with its own CRIU calls and asks the destination only through `destination`.
      runtime: { dump: unused, resume: unused, restore: unused, adopt: unused, stop: unused, openNetwork: unused, fenceNetwork: unused },
      peer: peerAgent("http://127.0.0.1:7799"),
      destination: {
        url: "http://127.0.0.1:7799",
        async restore(hook, params) {
          expect(hook).toBe(postcopyDestinationHook.name);
          const tree = await postcopyDestinationHook.restore({
            migrationId: "m1",
            imagesDir,
            workload,
            params: params ?? {},
            runtime: undefined,
            log: () => {},
          });
          restoredPid = tree.pid;
          started.push(tree.pid);
          settled = tree.settled;
          return { workloadId: "w1-dst", pid: tree.pid };
        },
      },
      async sendFiles(dir, files, { phase }) {
        const t0 = Date.now();
        let n = 0;
        for (const f of files) {
          await copyFile(join(dir, f), join(imagesDir, f));
          n += (await stat(join(imagesDir, f))).size;
        }
        bytes[phase] += n;
        return { files: files.length, bytes: n, ms: Date.now() - t0 };
      },
      countBytes: (phase, n) => (bytes[phase] += n),
      emit: (e) => events.push(e),
      probe: {
        // This test asks the workload itself, between calls: nothing is in flight at the freeze.
        quiesceSource: async () => {},
        lastSourceAnswerAt: () => lastSourceAnswer,
        async waitForDestination() {
          expect(await ask(w.socket, "count")).toBe("2");
          return Date.now() - lastSourceAnswer;
        },
      },
      signal: new AbortController().signal,
      log: () => {},
    };
    const result = await postcopyStrategy.migrateSource(ctx);
    expect(result).toMatchObject({ strategy: "postcopy", destinationWorkloadId: "w1-dst" });
    // Its small areas (heap, stacks) went with the images, so the first answer may need no fault at all.
    expect(result.pagesPushed).toBeGreaterThan(0);
    expect(result.pagesPushed + result.pagesOnFault).toBeGreaterThanOrEqual(SIZE_MIB * 256);
    expect(bytes["before-resume"]).toBeLessThan((SIZE_MIB << 20) / 10);
    expect(bytes["after-resume"]).toBeGreaterThan(SIZE_MIB << 20);
    expect(events.map((e) => e.phase)).toEqual(expect.arrayContaining(["dumping", "transferring", "restoring", "verifying"]));
    await settled;
    expect(await ask(w.socket, "checksum")).toBe("ok");
    // The frozen original stays until the runner commits (release), so a rollback could still run it.
    await new Promise((r) => setTimeout(r, 300));
    expect(isAlive(w.pid)).toBe(true);
    await postcopyStrategy.release?.(ctx);
    expect(await waitGone(w.pid)).toBe(true);
    killPid(restoredPid);
  });

  it("a restore abandoned midway ends both CRIU processes and what they made, leaves no mount, and the source runs on", async () => {
    const w = await launch("stall");
    const src = await startPostcopySource({ pid: w.pid, workDir: join(root, "stall-src"), listenHost: "127.0.0.1" });
    // A page server that accepts and never answers: no page can arrive.
    const held: Socket[] = [];
    const silent = createServer((sock) => {
      held.push(sock);
      sock.on("error", () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const imagesDir = await ship(src.reducedImagesDir, "stall");
      const criuChildren = async () => {
        const out: number[] = [];
        for (const pid of await childPids(process.pid)) if ((await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).includes("criu")) out.push(pid);
        return out;
      };
      const before = new Set(await criuChildren());
      const port = (silent.address() as { port: number }).port;
      const prepared = await prepareRestore({ imagesDir, pageServerHost: "127.0.0.1", pageServerPort: port, startTimeoutMs: 60_000 });
      const ours = (await criuChildren()).filter((p) => !before.has(p));
      expect(ours.length).toBe(2); // the lazy-pages daemon and `criu restore --lazy-pages`
      const controller = new AbortController();
      // Abandoned as the images are handed over: the migration's source gave up at that moment.
      const going = prepared.go(controller.signal).then(
        () => "restored",
        (err: Error) => err.message,
      );
      const grandchildren = (await Promise.all(ours.map((p) => childPids(p)))).flat();
      controller.abort();
      expect(await going).toMatch(/abandoned/);
      // Every CRIU process of it and every process it had made are gone, by PID.
      for (const pid of [...ours, ...grandchildren]) expect(await waitGone(pid)).toBe(true);
      await removeMigrationDir(imagesDir, () => {});
      expect(mountsUnder(imagesDir, await readFile("/proc/self/mountinfo", "utf8"))).toEqual([]);
      expect((await readdir(root)).includes("stall-dst")).toBe(false);
      // The only running copy was never touched: the source rolls back and answers with its state.
      expect(await src.rollback()).toBe(true);
      expect(await ask(w.socket, "checksum")).toBe("ok");
      killPid(w.pid);
    } finally {
      for (const sock of held) sock.destroy();
      silent.close();
    }
  }, 60_000);
});
