// Stop-and-copy of a Docker workload between agents, through the engine's own
// checkpoint API. The image goes first, while the container still runs:
// skipped when the destination's engine has the same image id, else `docker
// save`d, sent and `docker load`ed there (POST /v1/images) before the freeze.
// Then `docker checkpoint create --exit` into the migration's work dir,
// streamed with sendFiles; the destination creates a container with the same
// spec and starts it from the checkpoint. Until the runner commits, the source
// keeps its stopped container and the checkpoint, so a failure starts it again
// from there (before the checkpoint, the container simply runs on).
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { DockerRuntime } from "../runtime/docker.js";
import type { RestoredTree } from "../runtime/types.js";
import { pageCount } from "./stopcopy.js";
import type {
  Capabilities,
  DestinationContext,
  DestinationHook,
  ImageTransfer,
  MigrationContext,
  MigrationResult,
  MigrationStrategy,
} from "./strategy.js";

export const IMAGE_TAR = "image.tar";

/** What a migration's record says of its image: sent with its size, or already there. */
export const imageNote = (image: ImageTransfer) =>
  image.sent ? `image ${image.ref} (${image.id}) sent: ${image.bytes} bytes` : `image ${image.ref} (${image.id}) already on the destination, not sent`;

/** Checkpoint name of a migration; the same on both ends, so the rollback finds it. */
export const checkpointName = (migrationId: string) => `fm-${migrationId}`;
/** Where the source writes its checkpoint: WORKDIR/checkpoints/NAME/. */
export const checkpointParent = (workDir: string) => path.join(workDir, "checkpoints");
/** Both agents may share one engine, so the arriving container gets a name of its own. */
export const arrivingContainerName = (workloadId: string, migrationId: string) => `${workloadId}-${migrationId}`;

/** The parts of the Docker runtime the source side uses. */
export type DockerSource = Pick<DockerRuntime, "imageId" | "saveImage" | "checkpoint" | "state" | "restoreFromCheckpoint">;
/** The parts of the Docker runtime the destination hook uses. */
export type DockerDestination = Pick<DockerRuntime, "loadImage" | "create" | "restoreFromCheckpoint" | "state" | "remove">;

/** Stop-and-copy of a Docker workload through the engine's checkpoint API. */
export const dockerStopcopyStrategy: MigrationStrategy<DockerSource> = {
  name: "stopcopy",
  available(caps: Capabilities) {
    if (!caps.docker.present) return { ok: false, reason: `no Docker engine${caps.docker.error ? `: ${caps.docker.error}` : ""}` };
    if (caps.docker.checkpoint === false) return { ok: false, reason: "the Docker engine has no checkpoint support (dockerd --experimental and criu)" };
    return { ok: true };
  },
  async migrateSource(ctx: MigrationContext<DockerSource>): Promise<MigrationResult> {
    const runtime = ctx.runtime;
    const name = checkpointName(ctx.migrationId);
    const parent = checkpointParent(ctx.workDir);
    await mkdir(parent, { recursive: true });
    // The image first, while the container runs on: it does not change, so it stays out of the downtime.
    const { image, loadAtRestore } = await sendImage(runtime, ctx);
    await ctx.probe.quiesceSource();
    const frozenAt = Date.now();
    ctx.emit({ phase: "dumping", message: "docker checkpoint create --exit" });
    await runtime.checkpoint(ctx.workload, name, { exit: true, dir: parent });
    ctx.workload.state = "stopped";
    const dir = path.join(parent, name);
    const files = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
    const pagesPushed = await pageCount(dir, files);
    ctx.emit({ phase: "transferring", message: `${files.length} checkpoint files, ${pagesPushed} pages` });
    await ctx.sendFiles(dir, files, { phase: "before-resume" });
    ctx.emit({ phase: "restoring" });
    const restored = await ctx.destination.restore("docker", { checkpoint: name, files, ...(loadAtRestore ? { imageTar: IMAGE_TAR } : {}) });
    ctx.emit({ phase: "verifying" });
    // A container answering on a port is timed from outside; otherwise until the engine says it runs.
    const downtimeMs = ctx.workload.spec.ports.length ? await ctx.probe.waitForDestination(20_000) : Date.now() - frozenAt;
    return { strategy: "stopcopy", downtimeMs, pagesOnFault: 0, pagesPushed, destinationWorkloadId: restored.workloadId, image };
  },
  resumeSource: resumeContainer,
};

/**
 * Sends the workload's image unless the destination's engine already has the
 * same image id (asked at GET /v1/images); a destination that cannot say gets
 * it. A sent image is loaded there at once (POST /v1/images); only an agent
 * without that route loads it at restore (`loadAtRestore`), inside the downtime.
 */
async function sendImage(runtime: DockerSource, ctx: MigrationContext<DockerSource>): Promise<{ image: ImageTransfer; loadAtRestore: boolean }> {
  const ref = ctx.workload.spec.image;
  if (!ref) throw new Error(`workload ${ctx.workload.id} has no image`);
  const id = await runtime.imageId(ref);
  if (!id) throw new Error(`image ${ref} is not on this agent's engine`);
  if ((await ctx.peer.imageId(ref)) === id) {
    const image = { ref, id, sent: false, bytes: 0 };
    ctx.emit({ phase: "transferring", message: imageNote(image) });
    return { image, loadAtRestore: false };
  }
  ctx.emit({ phase: "dumping", message: `docker save ${ref}` });
  await pipeline(await runtime.saveImage(ref), createWriteStream(path.join(ctx.workDir, IMAGE_TAR)));
  ctx.emit({ phase: "transferring", message: `image ${ref}, while the container runs` });
  const sent = await ctx.sendFiles(ctx.workDir, [IMAGE_TAR], { phase: "before-resume" });
  await rm(path.join(ctx.workDir, IMAGE_TAR), { force: true });
  const image = { ref, id, sent: true, bytes: sent.bytes };
  ctx.emit({ phase: "transferring", message: imageNote(image) });
  const loaded = await ctx.peer.loadImage(ctx.migrationId, IMAGE_TAR, ref);
  if (loaded === "no-route") {
    ctx.emit({ phase: "transferring", message: `the destination loads image ${ref} at restore (it has no POST /v1/images)` });
    return { image, loadAtRestore: true };
  }
  // Another id would mean the container restores on an image other than its own.
  if (loaded.id !== id) throw new Error(`the destination loaded image ${ref} as ${loaded.id}, not ${id}`);
  ctx.emit({ phase: "transferring", message: `image ${ref} loaded on the destination, before the freeze` });
  return { image, loadAtRestore: false };
}

/**
 * Rollback on the source: the container stopped at the checkpoint starts
 * again from it (its file system is untouched), so its state goes on.
 */
async function resumeContainer({ runtime, workload, workDir, migrationId }: MigrationContext<DockerSource>): Promise<void> {
  if ((await runtime.state(workload)).running) return; // the checkpoint never happened
  const parent = checkpointParent(workDir);
  const name = checkpointName(migrationId);
  const made = await stat(path.join(parent, name)).then(
    () => true,
    () => false,
  );
  if (!made) throw new Error(`container ${workload.id} is stopped and no checkpoint ${name} exists to start it from`);
  await runtime.restoreFromCheckpoint(workload, name, { dir: parent });
}

/** Destination: load the image, create the container stopped, start it from the uploaded checkpoint. */
export async function restoreDocker(ctx: DestinationContext<DockerDestination>): Promise<RestoredTree> {
  const runtime = ctx.runtime;
  const name = String(ctx.params.checkpoint ?? "");
  const files = ctx.params.files;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name) || !Array.isArray(files)) throw new Error("docker restore needs params checkpoint and files");
  const tar = typeof ctx.params.imageTar === "string" ? path.join(ctx.imagesDir, path.basename(ctx.params.imageTar)) : undefined;
  if (tar) {
    ctx.log(`docker load ${ctx.workload.spec.image}`);
    await runtime.loadImage(createReadStream(tar));
    await rm(tar, { force: true });
  }
  // restoreFromCheckpoint copies DIR/NAME into the engine's own checkpoint folder.
  const dir = path.join(ctx.imagesDir, name);
  await mkdir(dir, { recursive: true });
  for (const f of files) await rename(path.join(ctx.imagesDir, path.basename(String(f))), path.join(dir, path.basename(String(f))));
  if (ctx.params.failRestore === true) {
    // Test fault: lose the memory pages, so the engine's restore really fails.
    await rm(path.join(dir, "pages-1.img"), { force: true });
    ctx.log("fault injection: removed pages-1.img before restore");
  }
  const record = await runtime.create(arrivingContainerName(ctx.workload.id, ctx.migrationId), ctx.workload.spec, {}, { start: false });
  try {
    await runtime.restoreFromCheckpoint(record, name, { dir: ctx.imagesDir });
    const state = await runtime.state(record);
    if (!state.running) throw new Error(`container ${record.id} is not running after the restore`);
    return { pid: state.pid, containerId: record.containerId };
  } catch (err) {
    // Nothing half-restored stays behind: the source still holds its copy.
    await runtime.remove(record).catch(() => undefined);
    throw err;
  }
}

export const dockerDestinationHook: DestinationHook<DockerDestination> = { name: "docker", restore: restoreDocker };
