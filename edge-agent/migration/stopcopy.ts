// Stop-and-copy: freeze and dump the whole tree, stream every image, restore
// on the destination. The source stays frozen (not killed) until the runner
// commits, so a failure anywhere resumes it.
import { stat } from "node:fs/promises";
import path from "node:path";
import { imageFiles } from "../transfer/manifest.js";
import { resumeTree, type TreeSource } from "./resume-tree.js";
import type { Capabilities, MigrationContext, MigrationResult, MigrationStrategy } from "./strategy.js";

export { resumeTree, type TreeSource };

export const PAGE_SIZE = 4096;

export const stopcopyStrategy: MigrationStrategy<TreeSource> = {
  name: "stopcopy",
  available(caps: Capabilities) {
    if (!caps.criu.present) return { ok: false, reason: `criu not found${caps.criu.error ? `: ${caps.criu.error}` : ""}` };
    if (!caps.criu.checkOk) return { ok: false, reason: `criu check fails: ${caps.criu.error ?? "unknown"}` };
    return { ok: true };
  },
  async migrateSource(ctx: MigrationContext<TreeSource>): Promise<MigrationResult> {
    ctx.emit({ phase: "dumping" });
    await ctx.probe.quiesceSource();
    const frozenAt = Date.now();
    await ctx.runtime.dump(ctx.workload, ctx.workDir);
    ctx.timing?.({ freezeMs: 0, dumpMs: Date.now() - frozenAt });
    // The frozen copy takes no more frames: its address moves to the destination's port.
    if (ctx.workload.network) {
      await ctx.runtime.fenceNetwork(ctx.workload.network);
      // Frozen and fenced: the service may be redirected while the images travel.
      ctx.fenced?.(frozenAt);
    }
    const files = await imageFiles(ctx.workDir);
    const pagesPushed = await pageCount(ctx.workDir, files);
    ctx.emit({ phase: "transferring", message: `${files.length} image files, ${pagesPushed} pages` });
    await ctx.sendFiles(ctx.workDir, files, { phase: "before-resume" });
    ctx.emit({ phase: "restoring" });
    const restored = await ctx.destination.restore("stopcopy");
    ctx.emit({ phase: "verifying" });
    const downtimeMs = await ctx.probe.waitForDestination();
    return { strategy: "stopcopy", downtimeMs, pagesOnFault: 0, pagesPushed, destinationWorkloadId: restored.workloadId };
  },
  resumeSource: resumeTree,
};

/** Pages in the dump's pages-*.img files. */
export async function pageCount(dir: string, files: string[]): Promise<number> {
  let bytes = 0;
  for (const f of files.filter((n) => n.startsWith("pages-"))) bytes += (await stat(path.join(dir, f))).size;
  return Math.floor(bytes / PAGE_SIZE);
}
