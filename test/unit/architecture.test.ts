// Dependencies point inward, checked on the import statements:
// - between services: scheduler/, controller/ and edge-agent/ import src/,
//   never each other, and src/ imports none of them;
// - inside each service and inside src/: a module imports its own folder or a
//   lower layer, never a higher one nor a sibling of its own layer (the
//   tables below; docs/agent.md, docs/controller.md and docs/placement.md
//   say why each layer sits where it does).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const AREAS = ["src", "scheduler", "controller", "edge-agent"] as const;
type Area = (typeof AREAS)[number];

/**
 * Each area's layers, lowest first. A path prefix names a folder ("runtime/")
 * or a file ("migration/registry.ts"); the longest matching prefix decides.
 */
const LAYERS: Record<Area, string[][]> = {
  src: [
    // trust/: roles and names, bearer tokens, the project CA on files (openssl), a trust directory's material
    ["trust/"],
    // metrics/: each service's prom-client registry and GET /metrics
    ["api-types/", "http/", "openflow/", "latency/", "metrics/", "random.ts", "cpu-period.ts", "wait.ts", "shipped-workloads.ts"],
    // journal/: the fsync'd JSON-lines file every embedded store writes, and the snapshot journal over it
    // (a failed write answers as http/'s 503);
    // the typed service clients; the one-machine network of the loop (host tools only);
    // the privacy certificates (format, Ed25519 signatures, regulation checks; its files);
    // logs/: each service's structured log, its ring and GET /v1/logs (over http/'s correlation id)
    ["journal/", "clients/", "loopnet/", "pca/", "logs/"],
    // etcd/: the distributed store (endpoints, connection, keyed records; a sink for the snapshot journal)
    ["etcd/", "cli/"],
    // IoT devices that send real requests (a command of their own); the PCA's command; `status` (etcd and the services' leaders)
    ["devices/", "pca/command.ts", "trust/command.ts", "cli/status.ts"],
    ["demo/"],
    // the testbed (two edge sites and a cloud, the WAN relay, scenarios, reports) on demo/'s loop harness
    ["testbed/"],
    // `up`, which runs the loop on the testbed with --testbed
    ["demo/up-loop.ts"],
    ["demo/up.ts"],
  ],
  // state/ keeps what the service holds (and orders it with the move journal) across restarts
  // policy/: the migration policy language (pure), below the manager that enforces it
  // ui/: the dashboard (its page, its browser client over src/clients, the read-only controller forward), under the service that serves it
  scheduler: [["latency/"], ["placement/", "profiling/"], ["planner/", "executor/", "policy/"], ["migration/"], ["state/"], ["ui/"], ["service/"], ["cli/"]],
  controller: [
    // wire formats and protocol servers
    ["packets/", "ovsdb/", "dns/"],
    // switch sessions: handshake, registry, the flow-table layout, the one switch-ready sender
    ["openflow/"],
    ["topology/", "hosts/"],
    // the apps that own flows
    ["forwarding/", "redirect/", "overlay/"],
    // state/ keeps DNS records, redirects, nodes and tunnels across restarts (journal, capture, restore)
    ["state/"],
    ["api/"],
    ["app.ts"],
    ["cli/"],
  ],
  "edge-agent": [
    ["runtime/", "transfer/"],
    // post-copy mechanics: image codecs, our page server, the lazy-pages daemon
    ["postcopy/"],
    // the strategies and their contract
    ["migration/"],
    // above both strategy families
    ["migration/registry.ts"],
    // state/ keeps the workloads across agent restarts (journal, re-adoption)
    ["state/"],
    ["service/", "capabilities.ts"],
    // the report loop to the scheduler, then the commands that start it all
    ["report.ts"],
    ["cli/"],
  ],
};

/** Every .ts file under DIR (relative to the repository root). */
function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => path.join(dir, f));
}

/** Repository paths a file imports or re-exports (relative specifiers only), with .ts endings. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const specs = [...text.matchAll(/(?:from\s+|import\s*\()\s*["'](\.[^"']+)["']/g)].map((m) => m[1]!);
  return specs.map((s) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)).replace(/\.js$/, ".ts"));
}

function layerOf(area: Area, inArea: string): { layer: number; prefix: string } | undefined {
  let best: { layer: number; prefix: string } | undefined;
  LAYERS[area].forEach((prefixes, layer) => {
    for (const prefix of prefixes) {
      if (inArea.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { layer, prefix };
    }
  });
  return best;
}

/** Imports that break a layer rule, as "from -> to (why)"; pure over the files and their imports. */
function layerViolations(area: Area, files: string[], imports: (file: string) => string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = layerOf(area, path.relative(area, file));
    if (!from) {
      out.push(`${file} is in no layer of ${area}/`);
      continue;
    }
    for (const target of imports(file)) {
      if (!target.startsWith(`${area}/`)) continue;
      const to = layerOf(area, path.relative(area, target));
      if (!to) continue; // reported as "in no layer" when its own file is checked
      const ok = to.layer < from.layer || (to.layer === from.layer && to.prefix === from.prefix);
      if (!ok) out.push(`${file} -> ${target} (layer ${from.layer} ${from.prefix} imports layer ${to.layer} ${to.prefix})`);
    }
  }
  return out;
}

/** The import cycles among `files`, each as "a -> b -> ... -> a"; pure over the files and their imports. */
function importCycles(files: string[], imports: (file: string) => string[]): string[] {
  const known = new Set(files);
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (file: string, trail: string[]): void => {
    state.set(file, "open");
    for (const next of imports(file)) {
      if (!known.has(next)) continue;
      if (state.get(next) === "open") cycles.push([...trail.slice(trail.indexOf(next)), file, next].join(" -> "));
      else if (!state.has(next)) visit(next, [...trail, file]);
    }
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file, []);
  return cycles;
}

describe("architecture: between services", () => {
  for (const area of AREAS) {
    it(`${area}/ imports only itself and src/`, () => {
      const offending = sources(area).flatMap((file) =>
        importsOf(file)
          .filter((t) => !(t.startsWith(`${area}/`) || t.startsWith("src/") || t.startsWith("node_modules/")))
          .map((t) => `${file} -> ${t}`),
      );
      expect(offending).toEqual([]);
    });
  }
});

describe("architecture: layers inside each service", () => {
  for (const area of AREAS) {
    it(`${area}/ imports only downward, by ${LAYERS[area].length} layers`, () => {
      expect(sources(area).length).toBeGreaterThan(5);
      expect(layerViolations(area, sources(area), importsOf)).toEqual([]);
    });
  }

  it("catches an upward import, a sibling import and an unlayered file (the checker itself)", () => {
    const edges: Record<string, string[]> = {
      "edge-agent/runtime/criu.ts": ["edge-agent/migration/strategy.ts", "edge-agent/runtime/types.ts"],
      "edge-agent/migration/stopcopy.ts": ["edge-agent/migration/registry.ts", "edge-agent/migration/strategy.ts", "edge-agent/transfer/sender.ts"],
      "edge-agent/migration/registry.ts": ["edge-agent/migration/stopcopy.ts"],
      "edge-agent/runtime/direct.ts": ["edge-agent/transfer/sender.ts"],
      "edge-agent/stray.ts": [],
    };
    expect(layerViolations("edge-agent", Object.keys(edges), (f) => edges[f] ?? [])).toEqual([
      "edge-agent/runtime/criu.ts -> edge-agent/migration/strategy.ts (layer 0 runtime/ imports layer 2 migration/)",
      "edge-agent/migration/stopcopy.ts -> edge-agent/migration/registry.ts (layer 2 migration/ imports layer 3 migration/registry.ts)",
      "edge-agent/runtime/direct.ts -> edge-agent/transfer/sender.ts (layer 0 runtime/ imports layer 0 transfer/)",
      "edge-agent/stray.ts is in no layer of edge-agent/",
    ]);
    // The real tree has imports to check: the registry reaches down to both strategy families.
    expect(importsOf("edge-agent/migration/registry.ts")).toEqual(expect.arrayContaining(["edge-agent/migration/postcopy.ts", "edge-agent/runtime/direct.ts"]));
  });

  it("no import cycles, type-only imports included (a layer's files form a tree too)", () => {
    const files = AREAS.flatMap((area) => sources(area));
    expect(importCycles(files, importsOf)).toEqual([]);
    // The checker finds a cycle through three files, and none in a chain.
    const ring: Record<string, string[]> = { a: ["b"], b: ["c"], c: ["a"], d: ["a"] };
    expect(importCycles(Object.keys(ring), (f) => ring[f] ?? [])).toEqual(["a -> b -> c -> a"]);
    expect(importCycles(["x", "y"], (f) => (f === "x" ? ["y"] : []))).toEqual([]);
  });

  it("edge agent: no module outside runtime/ compares a runtime's kind (the runtime object decides)", () => {
    const outside = sources("edge-agent").filter((f) => !f.startsWith("edge-agent/runtime/"));
    const checks = outside.filter((f) => /[=!]==?\s*["'](docker|direct)["']/.test(readFileSync(path.join(ROOT, f), "utf8")));
    expect(checks).toEqual([]);
  });
});
