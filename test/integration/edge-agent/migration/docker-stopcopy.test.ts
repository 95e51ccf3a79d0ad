// Docker workloads migrating between two agents (real engine, CRIU through
// runc): stop-and-copy by `docker checkpoint`, the image saved and loaded, and
// the checkpoint streamed over the agents' HTTP transfer. Both agents run in
// this process on their own ephemeral ports (the two-namespace testbed has
// fixed names, owned by migration.test.ts) and share the one dockerd, so the
// destination's container is another container on the same engine, with a
// name of its own. The workload is a shell counting in memory; it holds no
// TCP socket (CRIU cannot dump one on this kernel, docs/docker.md).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { MigrationRecord } from "../../../../edge-agent/migration/machine.js";
import { ensureTestImage } from "../../../fixtures/docker-image.js";
import { DockerRuntime } from "../../../../edge-agent/runtime/docker.js";
import type { WorkloadRecord } from "../../../../edge-agent/runtime/types.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { type AgentNode, counterOf, createCounter as createCounterOn, finishedMigration, removeContainers, startAgentNode, stopAgentNode } from "../docker-agents.js";
import { requestJson } from "../../../helpers/http.js";
import { waitFor } from "../../../helpers/wait.js";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { ENGINE_TMP, RESTORE_MARKER } from "../../../../edge-agent/runtime/engine-checkpoint-copy.js";

const tag = randomBytes(3).toString("hex");

describeWhen("Docker workloads migrating between agents", missing([needs.root(), needs.criu(), needs.docker()]), () => {
  const runtime = new DockerRuntime();
  let src: AgentNode;
  let dst: AgentNode;
  let image = "";

  const counter = (containerId: string) => counterOf(runtime, containerId);

  const workloads = async (n: AgentNode) => (await requestJson<{ workloads: WorkloadRecord[] }>("GET", `${n.url}/v1/workloads`)).body.workloads;

  const removeOurContainers = () => removeContainers(runtime, `fmq-${tag}`);

  const createCounter = (id: string) => createCounterOn(runtime, src, image, id);

  async function migrate(id: string, faults?: Record<string, unknown>): Promise<MigrationRecord> {
    const started = await requestJson<MigrationRecord>("POST", `${src.url}/v1/migrations`, { workload: id, destination: dst.url, strategy: "stopcopy", ...(faults ? { faults } : {}) });
    expect(started.status).toBe(202);
    return finishedMigration(src, started.body.id);
  }

  /** containerd's unpacked checkpoints of our restores (marked by markRestore) in its temp folder. */
  const engineCopies = (): string[] =>
    readdirSync(ENGINE_TMP).filter((n) => /^ctrd-checkpoint\d+$/.test(n) && existsSync(path.join(ENGINE_TMP, n, RESTORE_MARKER)));

  beforeAll(async () => {
    image = await ensureTestImage(runtime.docker);
    await removeOurContainers();
    [src, dst] = await Promise.all([startAgentNode("fmq-src", { allowFaults: true }), startAgentNode("fmq-dst", { allowFaults: true })]);
  }, 120_000);

  afterAll(async () => {
    for (const n of [src, dst]) await stopAgentNode(n);
    await removeOurContainers();
  });

  it("answers which image id its engine has at GET /v1/images, 404 for an unknown one, 400 without ref", async () => {
    const id = await runtime.imageId(image);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await requestJson("GET", `${dst.url}/v1/images?ref=${encodeURIComponent(image)}`)).toMatchObject({ status: 200, body: { ref: image, id } });
    expect((await requestJson("GET", `${dst.url}/v1/images?ref=${encodeURIComponent(`fleximigrate/none:${tag}`)}`)).status).toBe(404);
    expect((await requestJson("GET", `${dst.url}/v1/images`)).status).toBe(400);
  });

  it("moves a running container to the other agent by checkpoint, and its counter goes on", async () => {
    const id = `fmq-${tag}-moves`;
    const created = await createCounter(id);
    const before = await counter(created.containerId!);
    expect(before).toBeGreaterThanOrEqual(40);

    const copiesBefore = engineCopies();
    const rec = await migrate(id);
    expect(rec.error).toBeUndefined();
    expect(rec.status).toBe("succeeded");
    expect(rec.metrics).toMatchObject({ strategy: "stopcopy", reason: "requested" });
    expect(rec.metrics!.bytesBeforeResume).toBeGreaterThan(0);
    expect(rec.metrics!.downtimeMs).toBeGreaterThanOrEqual(0);
    expect(rec.metrics!.pagesPushed).toBeGreaterThan(0);
    // Both agents share one engine, so the destination has the image: only the checkpoint travels.
    expect(rec.metrics!.image).toEqual({ ref: image, id: await runtime.imageId(image), sent: false, bytes: 0 });
    const imageSize = ((await runtime.docker.getImage(image).inspect()) as { Size: number }).Size;
    expect(rec.metrics!.bytesBeforeResume).toBeLessThan(imageSize);
    console.log(`docker stop-and-copy: ${JSON.stringify(rec.metrics)}`);
    // containerd's unpacked copy of the checkpoint it restored from is gone with the restore (not left in /tmp).
    expect(engineCopies().filter((d) => !copiesBefore.includes(d))).toEqual([]);

    expect(await workloads(src)).toEqual([]);
    const arrived = await workloads(dst);
    expect(arrived.map((w) => [w.id, w.runtime, w.state])).toEqual([[id, "docker", "running"]]);
    const moved = arrived[0]!;
    expect(moved.containerId).not.toBe(created.containerId);
    expect(moved.migratedFrom?.migrationId).toBe(rec.id);
    // Same spec and CPU limit on the new container; the source's container is gone.
    const inspect = await runtime.docker.getContainer(moved.containerId!).inspect();
    expect(inspect.State.Running).toBe(true);
    expect([inspect.HostConfig.CpuPeriod, inspect.HostConfig.CpuQuota]).toEqual([5000, 2500]); // 0.5 cores
    await expect(runtime.docker.getContainer(created.containerId!).inspect()).rejects.toThrow();
    // The shell's in-memory counter continued from where it was, never from 1.
    await waitFor(async () => (await counter(moved.containerId!)) > before, { what: "the moved counter to go on" });
    const after = await counter(moved.containerId!);
    expect(after).toBeGreaterThan(before);

    expect((await requestJson("DELETE", `${dst.url}/v1/workloads/${id}`, undefined, 60_000)).status).toBe(204);
    await expect(runtime.docker.getContainer(moved.containerId!).inspect()).rejects.toThrow();
  }, 180_000);

  it("a failing restore on the destination starts the container again on the source from its checkpoint", async () => {
    const id = `fmq-${tag}-stays`;
    const created = await createCounter(id);
    const before = await counter(created.containerId!);
    expect(before).toBeGreaterThanOrEqual(40);

    const rec = await migrate(id, { failRestore: true });
    expect(rec.status).toBe("failed");
    expect(rec.error).toMatch(/restore/);

    const here = await workloads(src);
    expect(here.map((w) => [w.id, w.state])).toEqual([[id, "running"]]);
    expect(await workloads(dst)).toEqual([]);
    expect((await runtime.docker.getContainer(created.containerId!).inspect()).State.Running).toBe(true);
    // Nothing of this workload is left on the destination's side of the engine.
    const arrivals = await runtime.docker.listContainers({ all: true, filters: { name: [`${id}-`] } });
    expect(arrivals).toEqual([]);
    await waitFor(async () => (await counter(created.containerId!)) > before, { what: "the source's counter to go on" });
    expect(await counter(created.containerId!)).toBeGreaterThan(before);
    expect((await requestJson("DELETE", `${src.url}/v1/workloads/${id}`, undefined, 60_000)).status).toBe(204);
  }, 180_000);
});
