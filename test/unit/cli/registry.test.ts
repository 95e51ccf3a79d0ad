// Every command in the CLI registry loads and answers --help with its usage;
// unknown commands and flags fail with exit 2 and a message, never a stack.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const cli = new URL("../../../bin/fleximigrate.js", import.meta.url).pathname;

async function fleximigrate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("fleximigrate CLI", () => {
  it("lists its commands on --help", async () => {
    const { code, stdout } = await fleximigrate(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: fleximigrate COMMAND/);
    for (const name of ["up", "fit", "plan", "scheduler", "controller", "agent", "migrate", "bench"]) {
      expect(stdout).toContain(`  ${name} `);
    }
  });

  it("rejects an unknown command with exit 2", async () => {
    const { code, stderr } = await fleximigrate(["frobnicate"]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'frobnicate'");
  });

  it("answers --help on every command", async () => {
    const { stdout } = await fleximigrate(["--help"]);
    const names = [...stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThanOrEqual(14);
    const results = await Promise.all(names.map(async (n) => [n, await fleximigrate([n, "--help"])] as const));
    for (const [name, r] of results) {
      expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 0, stderr: "" });
      expect(r.stdout, name).toMatch(/usage/i);
    }
  });
});
