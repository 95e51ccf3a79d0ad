// The Docker runtime against the real engine (dockerd --experimental, CRIU
// through runc): CPU limit and stats, logs, checkpoint/restore keeping a
// shell's in-memory counter, image save/load, and removal. The image is the
// offline busybox one (test/fixtures/docker-image.ts).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Readable } from "node:stream";
import type Docker from "dockerode";
import { afterAll, beforeAll, expect, it } from "vitest";
import { dockerCheckpointRestore } from "../../../fixtures/docker-checkpoint-restore.js";
import { ensureTestImage, hasImage } from "../../../fixtures/docker-image.js";
import { DockerRuntime } from "../../../../edge-agent/runtime/docker.js";
import type { WorkloadRecord, WorkloadSpec } from "../../../../edge-agent/runtime/types.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";
import { COUNTER } from "../docker-agents.js";
import { waitFor } from "../../../helpers/wait.js";
import { freePort } from "../../../helpers/ports.js";

const tag = randomBytes(3).toString("hex");
const names = { busy: `fmd-busy-${tag}`, counter: `fmd-counter-${tag}`, gone: `fmd-gone-${tag}`, http: `fmd-http-${tag}` };
const roundTripImage = `fleximigrate/busybox:fmd-roundtrip-${tag}`;

describeWhen("Docker runtime (dockerode)", missing([needs.root(), needs.docker()]), () => {
  const runtime = new DockerRuntime();
  let image = "";
  // Made in beforeAll, not at load time, so a skipped suite leaves nothing in /dev/shm.
  let checkpointDir = "";

  const spec = (command: string[], extra: Partial<WorkloadSpec> = {}): WorkloadSpec => ({
    image,
    command,
    cpuLimit: 0.5,
    ports: [],
    labels: { test: "docker-runtime" },
    ...extra,
  });

  const counterValue = async (record: WorkloadRecord): Promise<number> => Number((await runtime.exec(record, ["cat", "/tmp/count"])).trim());

  beforeAll(async () => {
    checkpointDir = mkdtempSync("/dev/shm/fmd-checkpoints-");
    image = await ensureTestImage(runtime.docker);
    for (const name of Object.values(names)) await runtime.docker.getContainer(name).remove({ force: true }).catch(() => {});
  });

  afterAll(async () => {
    for (const name of Object.values(names)) await runtime.docker.getContainer(name).remove({ force: true }).catch(() => {});
    await runtime.docker.getImage(roundTripImage).remove().catch(() => {});
    rmSync(checkpointDir, { recursive: true, force: true });
  });

  it("creates a container with a CPU limit whose stats report cpu and memory, and whose logs read back", async () => {
    const record = await runtime.create(names.busy, spec(["sh", "-c", "echo started; while true; do :; done"], { env: { FMD_MARK: tag } }));
    const inspect = await runtime.docker.getContainer(record.containerId!).inspect();
    expect([inspect.HostConfig.CpuPeriod, inspect.HostConfig.CpuQuota]).toEqual([5000, 2500]); // 0.5 cores
    expect(inspect.Config.Labels["fleximigrate.test"]).toBe("docker-runtime");
    expect(inspect.Config.Env).toContain(`FMD_MARK=${tag}`);
    expect(inspect.State.Running).toBe(true);

    const stats = await runtime.stats(record);
    expect(stats.id).toBe(names.busy);
    // A busy loop under a 0.5-core quota: clearly busy, and never much above its quota.
    expect(stats.cpu).toBeGreaterThan(0.1);
    expect(stats.cpu).toBeLessThan(0.8);
    expect(stats.memoryBytes).toBeGreaterThan(0);

    expect(await runtime.logs(record)).toBe("started\n");
    await runtime.stop(record);
    expect((await runtime.docker.getContainer(record.containerId!).inspect()).State.Running).toBe(false);
    await runtime.remove(record);
  });

  it("checkpoints and restores a container through Docker's API, keeping the shell's counter", async () => {
    let record = await runtime.create(names.counter, spec(COUNTER));
    await waitFor(async () => (await counterValue(record).catch(() => 0)) >= 10, { what: "the counter to reach 10" });
    record = await runtime.checkpoint(record, "cp1", { exit: true });
    expect(record.state).toBe("stopped");
    const container = runtime.docker.getContainer(record.containerId!);
    expect((await container.inspect()).State.Running).toBe(false);
    // Stopped at the checkpoint: /tmp/count (in the container's own layer) is the value then.
    const atCheckpoint = Number((await fileWhileStopped(container, "/tmp/count")).trim());
    expect(atCheckpoint).toBeGreaterThanOrEqual(10);

    record = await runtime.restoreFromCheckpoint(record, "cp1");
    expect((await container.inspect()).State.Running).toBe(true);
    const first = await counterValue(record);
    await waitFor(async () => (await counterValue(record)) > first, { what: "the restored counter to go on" });
    const later = await counterValue(record);
    // A fresh start would count from 1 again; the restored shell goes on from its value.
    expect(first).toBeGreaterThanOrEqual(atCheckpoint);
    expect(later).toBeGreaterThan(first);
    await runtime.deleteCheckpoint(record, "cp1");
    await runtime.remove(record);
  });

  it("is the bench's Docker peer: checkpoint + restore of a Python server keeps its counter and buffer", async () => {
    // Through a checkpoint directory of our own, as when a checkpoint arrives from another agent.
    const result = await dockerCheckpointRestore({ container: `fmd-peer-${tag}`, workingSetMiB: 16, dir: checkpointDir });
    expect(result.checksumOk).toBe(true);
    expect(result.counterOk).toBe(true);
    // The dump holds the 16 MiB buffer at least.
    expect(result.bytesBeforeResume).toBeGreaterThan(16 * 2 ** 20);
    expect(result.downtimeMs).toBeGreaterThan(0);
    expect(result.totalMs).toBeGreaterThanOrEqual(result.downtimeMs);
    expect(await hasContainer(runtime, `fmd-peer-${tag}`)).toBe(false);
  });

  it("saves an image to a tar stream and loads it back", async () => {
    const source = runtime.docker.getImage(image);
    const id = (await source.inspect()).Id;
    const [repo, version] = [roundTripImage.slice(0, roundTripImage.lastIndexOf(":")), roundTripImage.slice(roundTripImage.lastIndexOf(":") + 1)];
    await source.tag({ repo, tag: version });
    const chunks: Buffer[] = [];
    for await (const chunk of await runtime.saveImage(roundTripImage)) chunks.push(Buffer.from(chunk as Buffer));
    const tar = Buffer.concat(chunks);
    expect(tar.length).toBeGreaterThan(1024 * 1024); // busybox alone is ~2 MB
    await runtime.docker.getImage(roundTripImage).remove();
    expect(await hasImage(runtime.docker, roundTripImage)).toBe(false);

    await runtime.loadImage(Readable.from([tar]));
    expect((await runtime.docker.getImage(roundTripImage).inspect()).Id).toBe(id);
  });

  it("publishes spec.ports on the host", async () => {
    const port = await freePort();
    const record = await runtime.create(names.http, spec(["httpd", "-f", "-p", String(port), "-h", "/etc"], { ports: [port] }));
    const status = await waitFor(() => fetch(`http://127.0.0.1:${port}/passwd`).then((r) => r.status === 200 && r.status, () => 0), { timeoutMs: 5000, what: "httpd on the published port" });
    expect(status).toBe(200);
    await runtime.remove(record);
  });

  it("remove leaves no container behind", async () => {
    const record = await runtime.create(names.gone, spec(["sleep", "600"]));
    await runtime.remove(record);
    expect(await hasContainer(runtime, names.gone)).toBe(false);
    await runtime.remove(record); // twice is fine
  });
});

/** A file of a stopped container, read through the archive API (a tar of one entry). */
async function fileWhileStopped(container: Docker.Container, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await container.getArchive({ path })) chunks.push(Buffer.from(chunk as Buffer));
  const tar = Buffer.concat(chunks);
  const size = Number.parseInt(tar.subarray(124, 136).toString("ascii").replace(/\0.*$/, "").trim(), 8);
  return tar.subarray(512, 512 + size).toString("utf8");
}

async function hasContainer(runtime: DockerRuntime, name: string): Promise<boolean> {
  const list = await runtime.docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } });
  return list.length > 0;
}
