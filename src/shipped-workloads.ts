// Where the scheduler bundles the workloads it ships (the profiled image
// server): the agent's default allow-list names this folder, so the two
// sides must agree on it without importing each other.
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SHIPPED_WORKLOADS_DIR = join(tmpdir(), "fleximigrate-workloads");

/** The glob of the bundled image server's file (scheduler/service/workload-bundle.ts names it NAME-HASH.mjs). */
export const SHIPPED_IMAGE_SERVER_GLOB = join(SHIPPED_WORKLOADS_DIR, "image-server-*.mjs");
