// The edge agent's layers (docs/agent.md): runtime/, transfer/ and postcopy/
// import nothing from migration/ or service/; strategies import neither the
// registry nor the service; and only runtime/ looks at a runtime's kind.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const AGENT = fileURLToPath(new URL("../../../edge-agent/", import.meta.url));

/** Every .ts file under edge-agent/DIR, relative to edge-agent/. */
function sources(dir: string): string[] {
  return readdirSync(path.join(AGENT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f));
}

/** The edge-agent/ paths a file imports (relative imports only), e.g. "migration/strategy.ts". */
function imports(file: string): string[] {
  const text = readFileSync(path.join(AGENT, file), "utf8");
  const specs = [...text.matchAll(/^(?:import|export)[^"']*?from\s+["'](\.[^"']+)["']/gm)].map((m) => m[1]!);
  return specs.map((s) => path.relative(AGENT, path.resolve(AGENT, path.dirname(file), s)).replace(/\.js$/, ".ts"));
}

describe("edge agent layers", () => {
  it("finds the imports it checks", () => {
    expect(imports("migration/registry.ts")).toEqual(expect.arrayContaining(["migration/postcopy.ts", "runtime/direct.ts"]));
  });

  it("runtime/, transfer/ and postcopy/ import nothing from migration/ or service/", () => {
    const lower = [...sources("runtime"), ...sources("transfer"), ...sources("postcopy")];
    expect(lower.length).toBeGreaterThan(10);
    const upward = lower.flatMap((f) => imports(f).filter((i) => /^(migration|service)\//.test(i)).map((i) => `${f} -> ${i}`));
    expect(upward).toEqual([]);
  });

  it("strategies import neither the registry nor the service", () => {
    const strategies = sources("migration").filter((f) => f !== path.join("migration", "registry.ts"));
    const upward = strategies.flatMap((f) => imports(f).filter((i) => i === "migration/registry.ts" || i.startsWith("service/")).map((i) => `${f} -> ${i}`));
    expect(upward).toEqual([]);
  });

  it("no module outside runtime/ compares a runtime kind", () => {
    const outside = [...sources("migration"), ...sources("service"), ...sources("postcopy"), ...sources("transfer"), ...sources("cli")];
    const checks = outside.filter((f) => /[=!]==?\s*["'](docker|direct)["']/.test(readFileSync(path.join(AGENT, f), "utf8")));
    expect(checks).toEqual([]);
  });
});
