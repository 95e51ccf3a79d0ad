// What runs for a task: a catalog maps workload names to a command, its
// environment, its port and the path that answers a probe. Without a file,
// every workload runs the profiled image server (scheduler/profiling/server.ts).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bundleOnce } from "./workload-bundle.js";

export interface CatalogEntry {
  command: string[];
  env: Record<string, string>;
  port: number;
  probePath: string;
}

export interface WorkloadCatalog {
  /** The entry for a workload name ("*" in a file matches any name it does not list). */
  lookup(workload: string): CatalogEntry | undefined;
}

export const PROFILED_SERVER = fileURLToPath(new URL("../profiling/server.ts", import.meta.url));
const PROFILED_SOURCES = ["server.ts", "images.ts", "kernels.ts"].map((f) => fileURLToPath(new URL(`../profiling/${f}`, import.meta.url)));

let defaultEntry: CatalogEntry | undefined;

/** The profiled server, bundled to plain JavaScript on first use (workload-bundle.ts), run by this Node. */
export function defaultEntryFor(): CatalogEntry {
  defaultEntry ??= {
    command: [process.execPath, bundleOnce(PROFILED_SERVER, PROFILED_SOURCES, "image-server")],
    // io_uring cannot be checkpointed; libuv must not use it.
    env: { FLEXIMIGRATE_WORKLOAD_HOST: "0.0.0.0", FLEXIMIGRATE_WORKLOAD_PORT: "8080", UV_USE_IO_URING: "0" },
    port: 8080,
    probePath: "/process?size=small",
  };
  return defaultEntry;
}

export const DEFAULT_CATALOG: WorkloadCatalog = { lookup: () => defaultEntryFor() };

/**
 * `{"detect": {"command": [...], "env": {...}, "port": 8080, "probePath": "/"}, "*": {...}}`.
 * An entry `{"shipped": "image-server", "env": {...}}` runs the profiled server
 * this scheduler ships (its command, port and probe path) with that environment
 * added, e.g. FLEXIMIGRATE_WORKLOAD_BALLAST_MIB for a working set of its own.
 */
export function parseCatalog(text: string, file: string): WorkloadCatalog {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new Error(`${file}: expected {"workload": {command, env?, port, probePath?}}`);
  const entries = new Map<string, CatalogEntry>();
  for (const [name, raw] of Object.entries(data)) {
    const e = raw as (Partial<CatalogEntry> & { shipped?: unknown }) | null;
    const where = `${file}: ${name}`;
    if (e?.env !== undefined && (typeof e.env !== "object" || e.env === null || Object.values(e.env).some((v) => typeof v !== "string"))) {
      throw new Error(`${where}: env must map names to strings`);
    }
    if (e && e.shipped !== undefined) {
      if (e.shipped !== "image-server") throw new Error(`${where}: shipped must be "image-server" (the only workload this scheduler ships)`);
      if (e.command !== undefined) throw new Error(`${where}: give command or shipped, not both`);
      const base = defaultEntryFor();
      entries.set(name, { ...base, env: { ...base.env, ...(e.env ?? {}) } });
      continue;
    }
    if (!e || !Array.isArray(e.command) || e.command.length === 0 || !e.command.every((c) => typeof c === "string")) {
      throw new Error(`${where}: command must be a non-empty array of strings`);
    }
    if (!Number.isInteger(e.port) || e.port! < 1 || e.port! > 65535) throw new Error(`${where}: port must be 1..65535`);
    if (e.probePath !== undefined && (typeof e.probePath !== "string" || !e.probePath.startsWith("/"))) throw new Error(`${where}: probePath must start with /`);
    entries.set(name, { command: e.command, env: e.env ?? {}, port: e.port!, probePath: e.probePath ?? "/" });
  }
  return { lookup: (w) => entries.get(w) ?? entries.get("*") };
}

export function loadCatalog(file: string): WorkloadCatalog {
  return parseCatalog(readFileSync(file, "utf8"), file);
}
