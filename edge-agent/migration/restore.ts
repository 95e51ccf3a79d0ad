// Destination hook of stop-and-copy: a plain `criu restore` of the uploaded images.
import { rm } from "node:fs/promises";
import path from "node:path";
import type { DirectRuntime } from "../runtime/direct.js";
import type { RestoredTree } from "../runtime/types.js";
import type { DestinationContext, DestinationHook } from "./strategy.js";

export async function restorePlain(ctx: DestinationContext<Pick<DirectRuntime, "restore">>): Promise<RestoredTree> {
  if (ctx.params.failRestore === true) {
    // Test fault: lose the memory pages, so CRIU's restore really fails.
    const pages = path.join(ctx.imagesDir, "pages-1.img");
    await rm(pages, { force: true });
    ctx.log("fault injection: removed pages-1.img before restore");
  }
  const into = ctx.netns ? { netns: ctx.netns, side: "restore-fresh" as const } : undefined;
  return { pid: await ctx.runtime.restore(ctx.imagesDir, into, ctx.signal) };
}

export const plainRestoreHook: DestinationHook<Pick<DirectRuntime, "restore">> = { name: "stopcopy", restore: restorePlain };
