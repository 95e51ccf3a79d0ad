// A restored copy on the destination stays provisional until the source
// commits: it is dropped when the source reports the migration failed, or when
// a source it once reached stays unreachable for the orphan time. A source it
// never reached is not judged gone. The source agent is a local fake on
// 127.0.0.1; the restore hook and the runtime are fakes, so no CRIU runs.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { WorkloadRecord } from "../../../../edge-agent/runtime/types.js";
import { type DestinationHost, IncomingMigrations } from "../../../../edge-agent/service/incoming-migrations.js";
import { waitFor } from "../../../helpers/wait.js";
import type { RunnableHook } from "../../../../edge-agent/migration/registry.js";

const MIGRATION = "m-prov1";
const workload: WorkloadRecord = {
  id: "w-prov",
  runtime: "docker",
  spec: { image: "fake", cpuLimit: 1, ports: [], labels: {} },
  state: "running",
  createdAt: new Date().toISOString(),
};

type Mode = "running" | "failed" | "gone";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The source agent's GET /v1/migrations/:id: answers with the mode as status, or drops the connection ("gone"). */
async function fakeSource(mode: Mode) {
  const state = { mode };
  const hits: Array<{ mode: Mode; at: number }> = [];
  const server = createServer((req, res) => {
    if (req.url !== `/v1/migrations/${MIGRATION}`) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "no such route" }));
      return;
    }
    hits.push({ mode: state.mode, at: Date.now() });
    if (state.mode === "gone") {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: MIGRATION, status: state.mode }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state, hits };
}

const unusedNetwork = async (): Promise<never> => {
  throw new Error("no network in this test");
};

/** A destination holding a restored, uncommitted copy of `workload` migrating from `source`. */
async function restoredCopy(source: string, timing: { sourcePollMs: number; orphanMs: number }, restore = true, restoreHook?: RunnableHook) {
  const workRoot = await mkdtemp(path.join(tmpdir(), "fm-provisional-"));
  const removed: string[] = [];
  const host: DestinationHost = {
    opts: { workRoot, ...timing },
    workloads: new Map(),
    // Docker workloads have no network of their own: never asked.
    direct: { bridge: undefined, makeNetwork: unusedNetwork, openNetwork: unusedNetwork, dropNetwork: unusedNetwork },
    runtimeFor: () => ({
      // The fake hook restores a container: the runtime takes it over as it is.
      adopt: async (record, tree) => ({ ...record, containerId: tree.containerId }),
      remove: async (record) => {
        removed.push(record.id);
      },
    }),
    publish: () => undefined,
    log: () => undefined,
  };
  const hook: RunnableHook = restoreHook ?? { name: "fake", restore: async () => ({ pid: 0, containerId: "c-fake" }) };
  const copies = new IncomingMigrations(host, new Map([[hook.name, hook]]));
  // The watcher drops a copy through abort(): this resolves once that first drop has run to its end
  // (record, workload and work directory gone), so a test waits for the drop itself, not for a clock.
  const dropped = new Promise<void>((resolve, reject) => {
    const abort = copies.abort.bind(copies);
    copies.abort = (id) => {
      const done = abort(id);
      done.then(resolve, reject);
      return done;
    };
  });
  cleanups.push(async () => {
    await copies.abort(MIGRATION); // ends the watcher
    await rm(workRoot, { recursive: true, force: true });
  });
  await copies.open(MIGRATION, workload, source);
  const dir = copies.dir(MIGRATION);
  const record = restore ? await copies.restore(MIGRATION, "fake", {}) : undefined;
  return { copies, host, removed, record, dir, dropped };
}

type Copy = Awaited<ReturnType<typeof restoredCopy>>;

function expectKept(c: Copy): void {
  expect(c.copies.incoming.get(MIGRATION)?.restored).toBe(c.record);
  expect(c.host.workloads.get(workload.id)).toMatchObject({ state: "migrating", containerId: "c-fake" });
  expect(c.removed).toEqual([]);
}

async function expectDropped(c: Copy): Promise<void> {
  expect(c.copies.incoming.has(MIGRATION)).toBe(false);
  expect(c.host.workloads.has(workload.id)).toBe(false);
  expect(c.removed).toEqual([workload.id]);
  await expect(stat(c.dir)).rejects.toThrow(/ENOENT/);
}

describe("provisional restored copy (destination side)", () => {
  it("is dropped once the source reports the migration failed", async () => {
    const source = await fakeSource("running");
    // An orphan time far beyond the test: only the failed answer can drop the copy.
    const copy = await restoredCopy(source.url, { sourcePollMs: 20, orphanMs: 600_000 });
    // A third poll means the watcher judged two "running" answers and kept the copy.
    await waitFor(() => source.hits.length >= 3, { timeoutMs: 15_000, what: "three polls of the source" });
    expect(source.hits.length).toBeGreaterThanOrEqual(3);
    expectKept(copy);
    source.state.mode = "failed";
    await copy.dropped;
    await expectDropped(copy);
    // The first failed answer was enough, and the watcher stopped asking after it.
    expect(source.hits.filter((h) => h.mode === "failed")).toHaveLength(1);
  });

  it("is dropped when a source it reached stays unreachable for the orphan time", async () => {
    const source = await fakeSource("running");
    const copy = await restoredCopy(source.url, { sourcePollMs: 20, orphanMs: 1000 });
    await waitFor(() => source.hits.length >= 2, { timeoutMs: 15_000, what: "two polls of the source" });
    expectKept(copy);
    source.state.mode = "gone";
    await copy.dropped;
    await expectDropped(copy);
    // Not at the first failed poll: the copy outlived several until the orphan time ran out.
    expect(source.hits.filter((h) => h.mode === "gone").length).toBeGreaterThanOrEqual(2);
  });

  it("is kept while a source it never reached stays unreachable", async () => {
    const source = await fakeSource("gone");
    const orphanMs = 200;
    const copy = await restoredCopy(source.url, { sourcePollMs: 20, orphanMs });
    // Wait until the watcher has failed to reach the source for well past the orphan time.
    const unreachableFor = () => (source.hits.length ? source.hits.at(-1)!.at - source.hits[0]!.at : 0);
    await waitFor(() => !copy.copies.incoming.has(MIGRATION) || unreachableFor() > 3 * orphanMs, {
      timeoutMs: 15_000,
      what: "the copy dropped or the source unreachable for three orphan times",
    });
    expect(unreachableFor()).toBeGreaterThan(3 * orphanMs);
    expectKept(copy);
  });

  it("before any restore, images that arrived are dropped too once the source reports the migration failed", async () => {
    const source = await fakeSource("running");
    const opened = await restoredCopy(source.url, { sourcePollMs: 20, orphanMs: 600_000 }, false);
    expect((await stat(opened.dir)).mode & 0o777).toBe(0o700);
    await waitFor(() => source.hits.length >= 2, { timeoutMs: 15_000, what: "two polls of the source" });
    expect(opened.copies.incoming.has(MIGRATION)).toBe(true);
    source.state.mode = "failed";
    await opened.dropped;
    expect(opened.copies.incoming.has(MIGRATION)).toBe(false);
    await expect(stat(opened.dir)).rejects.toThrow(/ENOENT/);
    expect(opened.removed).toEqual([]);
  });

  it("a restore still under way when the source reports failure is ended through its signal, and nothing is adopted", async () => {
    const source = await fakeSource("running");
    const seen: string[] = [];
    // A restore that never finishes on its own (a lazy restore whose pages never come): it ends only when aborted.
    const hanging: RunnableHook = {
      name: "fake",
      restore: (ctx) =>
        new Promise((_, reject) => {
          seen.push("started");
          ctx.signal?.addEventListener("abort", () => {
            seen.push("aborted");
            reject(new Error("restore abandoned"));
          });
        }),
    };
    const opened = await restoredCopy(source.url, { sourcePollMs: 20, orphanMs: 600_000 }, false, hanging);
    const restoring = opened.copies.restore(MIGRATION, "fake", {}).then(
      () => "restored",
      (err: Error) => err.message,
    );
    await waitFor(() => seen.includes("started") || null, { timeoutMs: 5_000, what: "the restore to start" });
    source.state.mode = "failed";
    await opened.dropped;
    expect(seen).toEqual(["started", "aborted"]);
    expect(await restoring).toBe("restore abandoned");
    expect(opened.copies.incoming.has(MIGRATION)).toBe(false);
    expect(opened.host.workloads.has(workload.id)).toBe(false);
    await expect(stat(opened.dir)).rejects.toThrow(/ENOENT/);
  });
});
