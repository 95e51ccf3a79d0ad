// Destination hook of stop-and-copy: a plain `criu restore` of the uploaded images.
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { ensureOk, restoreArgs } from "../runtime/criu.js";
import type { DestinationContext, RestoredTree } from "./strategy.js";

export async function restorePlain(ctx: DestinationContext): Promise<RestoredTree> {
  if (ctx.params.failRestore === true) {
    // Test fault: lose the memory pages, so CRIU's restore really fails.
    const pages = path.join(ctx.imagesDir, "pages-1.img");
    await rm(pages, { force: true });
    ctx.log("fault injection: removed pages-1.img before restore");
  }
  const pidfile = path.join(ctx.imagesDir, "restored.pid");
  ensureOk(await ctx.criu(restoreArgs(pidfile), "restore.log"), "criu restore");
  const pid = Number((await readFile(pidfile, "utf8")).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error("criu restore wrote no pid");
  return { pid };
}
