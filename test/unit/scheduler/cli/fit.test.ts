// `fleximigrate fit` and `profile` as a user runs them: output formats, exit
// codes and FILE:LINE:COLUMN errors (profile's measuring run is an integration test).
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_PATH, runCli } from "../../../helpers/cli.js";
import { describeWhen, hasCommand, missing, needs } from "../../../helpers/env.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "fleximigrate-fit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fleximigrate = (args: string[]) => runCli(args);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const goodCsv = [
  "workload,inputClass,cpuShare,latencyMs",
  ...[0.2, 0.4, 0.6, 0.8, 1].flatMap((s) => [`detect,small,${s},${(14 / s).toFixed(3)}`, `detect,large,${s},${(900 * Math.exp(-2 * s)).toFixed(3)}`]),
].join("\n");

describe("fleximigrate fit", () => {
  it("--json prints kind, parameters, R², n and alternatives per class", async () => {
    const { code, stdout } = await fleximigrate(["fit", file("good.csv", goodCsv), "--json"]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { models: Record<string, Record<string, unknown>> };
    expect(Object.keys(out.models)).toEqual(["detect/small", "detect/large"]);
    expect(out.models["detect/small"]).toEqual({
      kind: "power",
      a: expect.closeTo(14, 2),
      b: expect.closeTo(-1, 3),
      r2: expect.closeTo(1, 4),
      n: 5,
      alternatives: [{ kind: "exponential", a: expect.any(Number), b: expect.any(Number), r2: expect.any(Number) }],
    });
    expect(out.models["detect/large"]).toMatchObject({ kind: "exponential", a: expect.closeTo(900, 0), b: expect.closeTo(-2, 3), n: 5 });
  });

  it("prints a table by default", async () => {
    const { code, stdout } = await fleximigrate(["fit", file("good.csv", goodCsv)]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toMatch(/^model\s+kind\s+a\s+b\s+r2 \(held out\)\s+n\s+alternative$/);
    expect(stdout).toMatch(/^detect\/small\s+power\s+1[34]\.\d+\s+-1\s+1\.000\s+5\s+exponential a=/m);
    expect(stdout).toMatch(/^detect\/large\s+exponential\s+(899|900)\.\d+\s+-2\s+1\.000\s+5\s+power a=/m);
  });

  it.each([
    ["a non-number", "workload,inputClass,cpuShare,latencyMs\nd,s,0.5,10\nd,s,abc,5\n", ":3:3: cpuShare must be a positive number, got 'abc'"],
    ["a zero share", "workload,inputClass,cpuShare,latencyMs\nd,s,0,10\n", ":2:3: cpuShare must be a positive number, got '0'"],
    ["a missing column", "workload,cpuShare,latencyMs\nd,1,10\n", ":1:4: missing column 'inputClass'"],
    ["a class with 2 samples", `${goodCsv}\nd,tiny,0.5,10\nd,tiny,1,5\n`, ":12:1: d/tiny has 2 sample(s)"],
  ])("exits 2 on %s, naming file, line and column", async (_what, text, where) => {
    const path = file("bad.csv", text);
    const { code, stdout, stderr } = await fleximigrate(["fit", path, "--json"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.startsWith(`fleximigrate fit: ${path}${where}`)).toBe(true);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 on a missing file and on a missing argument", async () => {
    const missingFile = await fleximigrate(["fit", join(dir, "nope.csv")]);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toContain("cannot read");
    expect(missingFile.stderr).toContain("ENOENT");
    const noArg = await fleximigrate(["fit"]);
    expect(noArg.code).toBe(2);
    expect(noArg.stderr).toContain("missing argument");
  });
});

describe("fleximigrate profile (arguments)", () => {
  it.each([
    [["--limits", "0.5,1"], "--limits: fitting needs at least 3 distinct limits, got 2"],
    [["--limits", "0.05,0.5,1"], "--limits: each limit must be a number of cores in [0.2,"],
    [["--limits", "a,0.5,1"], "got 'a'"],
    [["--sizes", "small,huge"], "--sizes: unknown size 'huge'"],
    [["--repeats", "0"], "--repeats: expected an integer >= 1"],
    [["--burst", "1.5"], "--burst: expected an integer >= 1"],
    [["--runtime", "vm"], "--runtime: expected cgroup, docker or auto, got 'vm'"],
  ])("exits 2 on %j without writing a file", async (args, message) => {
    const out = join(dir, "never.csv");
    const { code, stderr } = await fleximigrate(["profile", ...args, "--out", out]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(readdirSync(dir).filter((f) => f.includes("never"))).toEqual([]);
  });
});

describeWhen("fleximigrate profile without root", missing([needs.root(), [() => hasCommand("runuser", ["--help"]), "runuser is missing"]]), () => {
  async function asNobody(args: string[]): Promise<{ code: number; stderr: string }> {
    try {
      await run("runuser", ["-u", "nobody", "--", process.execPath, CLI_PATH, ...args], { timeout: 30_000 });
      return { code: 0, stderr: "" };
    } catch (err) {
      const e = err as { code: number; stderr: string };
      return { code: e.code, stderr: e.stderr };
    }
  }

  it("refuses with the reason and exit 2 when it can neither use cgroups nor Docker", async () => {
    const out = join(tmpdir(), `fleximigrate-nobody-${process.pid}.csv`);
    const auto = await asNobody(["profile", "--out", out]);
    expect(auto.code).toBe(2);
    expect(auto.stderr).toContain("fleximigrate profile: cannot limit CPU: cgroup CPU limits need root, and ");
    const cgroup = await asNobody(["profile", "--runtime", "cgroup", "--out", out]);
    expect(cgroup.code).toBe(2);
    expect(cgroup.stderr).toContain("cannot limit CPU with cgroups: cgroup CPU limits need root");
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith(`fleximigrate-nobody-${process.pid}`))).toEqual([]);
  });
});
