// Pre-copy (iterative pre-dumps sending only dirtied pages) needs the kernel
// to track dirty memory (soft-dirty). Where `criu check --feature
// mem_dirty_track` fails it is unavailable, and says so; it never falls back
// to pretending (re-sending everything each round is not pre-copy).
import { resumeTree, type TreeSource } from "./stopcopy.js";
import type { Capabilities, MigrationContext, MigrationResult, MigrationStrategy } from "./strategy.js";

export const precopyStrategy: MigrationStrategy<TreeSource> = {
  name: "precopy",
  available(caps: Capabilities) {
    if (!caps.criu.present) return { ok: false, reason: "criu not found" };
    if (caps.criu.features["mem_dirty_track"] !== true)
      return {
        ok: false,
        reason: "criu check --feature mem_dirty_track fails: the kernel does not track dirty memory (no CONFIG_MEM_SOFT_DIRTY), so pre-dumps cannot send only changed pages",
      };
    return { ok: false, reason: "pre-copy rounds are not implemented in this agent" };
  },
  async migrateSource(_ctx: MigrationContext<TreeSource>): Promise<MigrationResult> {
    throw new Error("pre-copy is unavailable on this agent");
  },
  resumeSource: resumeTree,
};
