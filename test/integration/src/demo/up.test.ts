// `fleximigrate up` end to end: without the loop (the real scheduler child,
// the demo load, the WebSocket stream; then a clean exit with no child left),
// and as root the closed loop itself, as the README's first command runs it.
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:net";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { CLI_PATH } from "../../../helpers/cli.js";
import { freePort } from "../../../helpers/ports.js";
import { isAlive } from "../../../../edge-agent/postcopy/process-tree.js";
import { spawnChild } from "../../../helpers/processes.js";
import { describeWhen, missing, needs } from "../../../helpers/env.js";

const run = promisify(execFile);

type Line = { type: string; [k: string]: unknown };

/** Runs `up` with `args`; answers its exit code, its stdout as JSON lines, and its stderr. */
async function runUp(args: string[], limitMs = 100_000): Promise<{ code: number | null; lines: Line[]; stdout: string; stderr: string }> {
  const child = spawnChild(process.execPath, [CLI_PATH, "up", ...args]);
  const killer = setTimeout(() => void child.stop(0), limitMs);
  const code = await child.exited;
  clearTimeout(killer);
  const stdout = child.stdout();
  const stderr = child.stderr();
  const lines = stdout
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Line);
  return { code, lines, stdout, stderr };
}

describe("fleximigrate up", () => {
  it("shows placements and a move from the demo load, then exits 0 and leaves no child", async () => {
    const port = await freePort();
    const { code, lines, stdout, stderr } = await runUp(["--duration", "8", "--no-controller", "--no-agents", "--json", "--base-port", String(port)]);
    expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);

    const started = lines.filter((l) => l.type === "child-started");
    expect(started.map((l) => l.name)).toEqual(["scheduler"]);
    const up = lines.find((l) => l.type === "up") as { urls: { scheduler: string } } | undefined;
    expect(up?.urls.scheduler).toBe(`https://127.0.0.1:${port}`);

    const placed = lines.filter((l) => l.type === "placed");
    const moves = lines.filter((l) => l.type === "migration-requested");
    expect(placed.length).toBeGreaterThan(3);
    expect(placed.some((l) => l.case === 3)).toBe(true);
    expect(moves.length).toBeGreaterThan(0);
    expect(moves[0]).toMatchObject({ migration: { status: "requested", from: expect.stringMatching(/^edge/), to: "cloud1" } });

    const stopped = lines.at(-1) as { type: string; reason: string; children: Array<{ pid: number }> };
    expect(stopped).toMatchObject({ type: "stopped", reason: "duration reached" });
    expect(stopped.children).toHaveLength(1);
    for (const { pid } of [...started, ...stopped.children] as Array<{ pid: number }>) expect(isAlive(pid), `pid ${pid}`).toBe(false);
  }, 120_000);
});

describe("fleximigrate up with a child that cannot start", () => {
  it("reports the controller with its output's tail and goes on with the scheduler", async () => {
    const port = await freePort();
    // Hold the controller's HTTP port (base + 93, as 8181 is to 8088): it must fail to listen.
    const blocker: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(port + 93, "127.0.0.1", resolve));
    try {
      const { code, lines, stdout, stderr } = await runUp(["--duration", "3", "--no-agents", "--json", "--base-port", String(port)]);
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
      const failed = lines.find((l) => l.type === "child-failed");
      expect(failed).toMatchObject({ name: "controller", reason: expect.stringMatching(/exited/) });
      expect(String(failed?.tail).length).toBeGreaterThan(0);
      expect(lines.find((l) => l.type === "up")).toMatchObject({ urls: { controller: null } });
      expect(lines.some((l) => l.type === "placed")).toBe(true);
      const stopped = lines.at(-1) as { type: string; children: Array<{ name: string; pid: number }> };
      expect(stopped.type).toBe("stopped");
      for (const { pid } of stopped.children) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 120_000);
});

describeWhen("fleximigrate up as root: the closed loop", missing([needs.root(), needs.ovs(), needs.criu()]), () => {
  it("places tasks whose workloads serve, moves some edge→cloud live, reports the devices, and leaves nothing behind", async () => {
    const { code, lines, stdout, stderr } = await runUp(["--duration", "40", "--json"], 240_000);
    expect(code, `stderr:\n${stderr}\nstdout:\n${stdout.slice(-4000)}`).toBe(0);
    const placed = lines.filter((l) => l.type === "placed");
    expect(placed.length).toBe(7);
    expect(placed.some((l) => l.case === 3)).toBe(true);
    const completed = lines.filter((l) => l.type === "migration.completed");
    expect(completed.length, "live moves that completed").toBeGreaterThan(0);
    for (const m of completed) expect(m).toMatchObject({ strategy: "postcopy", to: "cloud1", metrics: { frozenMs: expect.any(Number), networkReconfigurationMs: expect.any(Number) } });
    const done = lines.find((l) => l.type === "devices-done") as { devices: number; ran: number } | undefined;
    expect(done).toMatchObject({ devices: 7, ran: 7 });
    // Everything it made is gone: bridges, namespaces, workloads' cgroups.
    const { stdout: bridges } = await run("ovs-vsctl", ["list-br"]);
    expect(bridges.split("\n").filter((b) => b.startsWith("fmup"))).toEqual([]);
    const { stdout: netns } = await run("ip", ["netns", "list"]);
    expect(netns.split("\n").filter((n) => /^(fmup|edge1-|edge2-|cloud1-)/.test(n))).toEqual([]);
  }, 300_000);
});
