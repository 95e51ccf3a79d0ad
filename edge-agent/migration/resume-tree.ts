// Rollback of the CRIU strategies on the source: the tree their dump left
// stopped runs on. A tree without its own network just continues (SIGCONT).
// One with its own network cannot: the dump left its TCP sockets in repair
// mode behind CRIU's lock rules, so CRIU restores it from the images in its
// own namespace (lifting those rules), and its bridge port opens again.
import { access } from "node:fs/promises";
import path from "node:path";
import type { DirectRuntime } from "../runtime/direct.js";
import { isStopped } from "../runtime/tree-check.js";
import type { MigrationContext } from "./strategy.js";

/** What the CRIU strategies use of the direct runtime on the source. */
export type TreeSource = Pick<DirectRuntime, "dump" | "resume" | "restore" | "adopt" | "stop" | "openNetwork" | "fenceNetwork">;

export async function resumeTree(ctx: MigrationContext<TreeSource>, imagesDir = ctx.workDir): Promise<void> {
  const w = ctx.workload;
  if (!w.network) return ctx.runtime.resume(w);
  const dumped = await access(path.join(imagesDir, "inventory.img")).then(() => true, () => false);
  if (w.pid && dumped && (await isStopped(w.pid))) {
    await ctx.runtime.stop(w);
    // The destination ran on and answered clients: their connections cannot continue from the checkpoint.
    const side = ctx.destinationRan ? "restore-source-reset" : "restore-source";
    const pid = await ctx.runtime.restore(imagesDir, { netns: w.network.namespace, side });
    ctx.log(`rolled back: restored from the images in ${w.network.namespace} (pid ${pid})`);
    Object.assign(w, await ctx.runtime.adopt(w, { pid }));
  } else await ctx.runtime.resume(w);
  await ctx.runtime.openNetwork(w.network);
}
