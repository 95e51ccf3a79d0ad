// The profiled image server as one plain JavaScript file, built once with
// esbuild: a task's workload then starts as `node FILE`, without a
// TypeScript loader. Under a task's small CPU quota that is the difference
// between a start in about a second and one in many; and a checkpoint holds
// one node process, not a loader's helper processes too.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { SHIPPED_WORKLOADS_DIR } from "../../src/shipped-workloads.js";

/** Builds `entry` (and what it imports) into DIR/NAME-HASH.mjs unless that file exists; answers its path. */
export function bundleOnce(entry: string, sources: string[], name: string, dir = SHIPPED_WORKLOADS_DIR): string {
  const hash = createHash("sha256");
  for (const file of sources) hash.update(readFileSync(file));
  const out = join(dir, `${name}-${hash.digest("hex").slice(0, 12)}.mjs`);
  if (existsSync(out)) return out;
  // Not writable by others: agents run what is here by default (their allow-list names this folder).
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const partial = `${out}.${process.pid}.tmp`;
  buildSync({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", target: "node20", outfile: partial, logLevel: "silent" });
  // Atomic: an agent never starts a half-written file, and two schedulers may race here.
  renameSync(partial, out);
  return out;
}
