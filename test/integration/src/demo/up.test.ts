// `fleximigrate up` end to end, without root: the real scheduler child, the
// demo load, the WebSocket stream; then a clean exit with no child left.
import { createServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import { CLI_PATH } from "../../../helpers/cli.js";
import { freePort } from "../../../helpers/ports.js";
import { isAlive } from "../../../../edge-agent/postcopy/process-tree.js";
import { spawnChild } from "../../../helpers/processes.js";

type Line = { type: string; [k: string]: unknown };

/** Runs `up` with `args`; answers its exit code, its stdout as JSON lines, and its stderr. */
async function runUp(args: string[]): Promise<{ code: number | null; lines: Line[]; stdout: string; stderr: string }> {
  const child = spawnChild(process.execPath, [CLI_PATH, "up", ...args]);
  const killer = setTimeout(() => void child.stop(0), 100_000);
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
    expect(up?.urls.scheduler).toBe(`http://127.0.0.1:${port}`);

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
