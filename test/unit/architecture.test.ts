// Dependencies point inward: the three services may import src/, never each
// other, and src/ imports none of them. Checked on the import statements.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(new URL("../..", import.meta.url).pathname);
const areas = ["src", "scheduler", "controller", "edge-agent"] as const;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith(".ts") ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from\s+|import\s*\()\s*["'](\.[^"']+)["']/g)].map((m) => m[1]!);
  return specs.map((s) => relative(root, resolve(file, "..", s)));
}

describe("architecture", () => {
  for (const area of areas) {
    it(`${area}/ imports only itself and src/`, () => {
      const offending: string[] = [];
      for (const file of tsFiles(join(root, area))) {
        for (const target of importsOf(file)) {
          const top = target.split("/")[0]!;
          const allowed = top === area || top === "src" || top === "node_modules";
          if (!allowed) offending.push(`${relative(root, file)} -> ${target}`);
        }
      }
      expect(offending).toEqual([]);
    });
  }
});
