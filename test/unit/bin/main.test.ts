// Every command in the CLI registry loads and answers --help with its usage;
// unknown commands and flags fail with exit 2 and a message, never a stack.
// The registry of bin/main.ts: each entry loads the command of its name, and
// the summary the overview shows is written there only (a Command has none).
import { describe, expect, it } from "vitest";
import { entries } from "../../../bin/main.js";
import { runCli } from "../../helpers/cli.js";

const fleximigrate = (args: string[]) => runCli(args);

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
describe("CLI registry", () => {
  it("loads, for every entry, the command of the same name, which carries no summary of its own", async () => {
    for (const entry of entries) {
      const command = await entry.load();
      expect(command.name, entry.name).toBe(entry.name);
      expect(command, entry.name).not.toHaveProperty("summary");
      expect(entry.summary, entry.name).toMatch(/^[A-Z]\S.*[^.]$/);
    }
  });
});
